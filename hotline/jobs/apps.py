from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "hotline.jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        # Every app declares its periodic jobs in its own tasks.py; importing them here fills the
        # registry in every process, so the worker schedules them and the admin can show them.
        autodiscover_modules("tasks")
