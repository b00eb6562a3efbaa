from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "hotline.jobs"
    verbose_name = "后台任务"
