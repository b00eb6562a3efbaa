from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "hotline.organizations"
    verbose_name = "工会组织"
