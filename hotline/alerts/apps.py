from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "hotline.alerts"
    verbose_name = "风险预警"
