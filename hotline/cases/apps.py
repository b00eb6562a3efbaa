from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "hotline.cases"
    verbose_name = "工单"
