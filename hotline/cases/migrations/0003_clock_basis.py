"""Keep what each case's running clock was set from, so a calendar change can be applied later.

Open cases whose clock was started before this migration get their basis filled in here. The
start is read back from the clock itself: ``warning_at`` lies 80 % of the way from the start to
``deadline_at``, so the start is ``deadline_at - 5 × (deadline_at - warning_at)``. The working
days are counted on the calendar as it is now, which is the calendar the deadline was set on
(nothing could recompute deadlines before). The calendar rules are frozen here (a calendar day
overrides ``chinesecalendar``, which overrides Monday to Friday) rather than imported from the
app, so that this migration means the same thing forever.
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import migrations, models

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
END_OF_DAY = datetime.time(23, 59, 59)
OPEN_STATUSES = ["received", "accepted", "dispatched", "in_progress", "replied", "resolved"]
# The warning starts after this share of a clock's time (deadlines.WARNING_SHARE in 2026).
WARNING_SHARE = 0.8
# Deadlines are weeks away; this only bounds the day-by-day count below.
MAX_SPAN = datetime.timedelta(days=3 * 366)


class _Calendar:
    def __init__(self, entries):
        import chinese_calendar

        self.package = chinese_calendar
        self.entries = entries

    def is_workday(self, day):
        if day in self.entries:
            return self.entries[day]
        try:
            return self.package.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def days_until(self, start, deadline):
        """Working days after ``start``'s local date that ``deadline`` ends; None if none."""
        first = start.astimezone(LOCAL_ZONE).date()
        local = deadline.astimezone(LOCAL_ZONE)
        last = local.date()
        if last < first or local.time() != END_OF_DAY or last - first > MAX_SPAN:
            return None
        count = 0
        day = first
        while day < last:
            day += datetime.timedelta(days=1)
            count += self.is_workday(day)
        return count + (0 if self.is_workday(last) else 1)


def fill_clock_basis(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    running = Case.objects.filter(
        status__in=OPEN_STATUSES,
        deadline_at__isnull=False,
        warning_at__isnull=False,
        clock_started_at__isnull=True,
    )
    if not running.exists():
        return
    calendar = _Calendar(dict(CalendarDay.objects.values_list("day", "is_workday")))
    for case in running.iterator(chunk_size=500):
        if case.warning_at >= case.deadline_at:
            # A deadline already due when its clock started: no count to recompute.
            continue
        # Exact to a few microseconds (the warning was rounded to one): only the date counts.
        start = case.deadline_at - (case.deadline_at - case.warning_at) / (1 - WARNING_SHARE)
        case.clock_started_at = start
        case.clock_days = calendar.days_until(start, case.deadline_at)
        if case.stage == "acknowledge" and case.completion_due_at is not None:
            case.completion_days = calendar.days_until(start, case.completion_due_at)
        case.save(update_fields=["clock_started_at", "clock_days", "completion_days"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_load_categories_and_deadline_rules"),
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="clock_started_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="clock started at"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="clock_days",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="clock working days"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="completion_days",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="completion working days"
            ),
        ),
        migrations.RunPython(fill_clock_basis, migrations.RunPython.noop, elidable=True),
    ]
