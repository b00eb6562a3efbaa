from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hotline.core"
    verbose_name = "平台"
