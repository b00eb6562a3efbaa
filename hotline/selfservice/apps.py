from django.apps import AppConfig


class SelfserviceConfig(AppConfig):
    name = "hotline.selfservice"
    verbose_name = "职工自助服务"
