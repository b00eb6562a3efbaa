from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "hotline.workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        # The admin home warns when the next 60 days reach a year the calendar does not know;
        # hooking the default admin site's index keeps the warning inside this app.
        from .admin_index import install_calendar_warning

        install_calendar_warning()
