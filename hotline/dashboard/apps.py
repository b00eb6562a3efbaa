from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "hotline.dashboard"
    verbose_name = "领导驾驶舱"
