"""The working-day calendar: the package's years, administrators' entries, the Mon-Fri fallback."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.workdays import calendar, services
from hotline.workdays.calendar import add_working_days, is_workday, working_days_between
from hotline.workdays.models import CalendarDay, CalendarYear, Source

pytestmark = pytest.mark.django_db

# 2026 National Day and Mid-autumn: 9-25..27 and 10-01..07 off; Sunday 9-20 and Saturday 10-10
# are make-up working days (State Council notice for 2026, as chinesecalendar 1.11 has it).
NATIONAL_DAY_2026 = date(2026, 10, 3)
MAKE_UP_SUNDAY_2026 = date(2026, 9, 20)
MAKE_UP_SATURDAY_2026 = date(2026, 10, 10)


def enter(day: date, *, is_workday: bool, name: str = "") -> CalendarDay:
    return services.save_day(CalendarDay(day=day, is_workday=is_workday, name=name), actor=None)


def test_the_package_knows_2026_make_up_days_as_weekend_working_days():
    # Guards the dates below: the package's ``workdays`` table holds the make-up working days
    # (``is_in_lieu`` marks weekday holidays instead, so it does not tell them).
    assert chinese_calendar.workdays[MAKE_UP_SUNDAY_2026] == "National Day"
    assert chinese_calendar.workdays[MAKE_UP_SATURDAY_2026] == "National Day"
    assert not chinese_calendar.is_in_lieu(MAKE_UP_SATURDAY_2026)
    assert chinese_calendar.holidays[NATIONAL_DAY_2026] == "National Day"


def test_a_date_inside_the_2026_national_day_holiday_is_not_a_workday():
    assert not is_workday(NATIONAL_DAY_2026)
    assert not is_workday(date(2026, 10, 7))  # a Wednesday
    assert is_workday(date(2026, 10, 8))


def test_a_make_up_saturday_and_sunday_in_2026_count_as_workdays():
    assert MAKE_UP_SATURDAY_2026.weekday() == 5
    assert MAKE_UP_SUNDAY_2026.weekday() == 6
    assert is_workday(MAKE_UP_SATURDAY_2026)
    assert is_workday(MAKE_UP_SUNDAY_2026)
    assert not is_workday(date(2026, 10, 17))  # an ordinary Saturday


def test_adding_working_days_skips_the_national_day_holiday():
    # Tue 9-29 and Wed 9-30 are working days, then 10-01..07 are off, Thu 10-08 works.
    assert add_working_days(date(2026, 9, 28), 2) == date(2026, 9, 30)
    assert add_working_days(date(2026, 9, 28), 3) == date(2026, 10, 8)
    # 10-08, 10-09, Saturday 10-10 (make-up), 10-12, 10-13.
    assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_adding_zero_working_days_gives_the_day_itself_or_the_next_workday():
    assert add_working_days(date(2026, 9, 30), 0) == date(2026, 9, 30)
    assert add_working_days(NATIONAL_DAY_2026, 0) == date(2026, 10, 8)
    assert add_working_days(MAKE_UP_SATURDAY_2026, 0) == MAKE_UP_SATURDAY_2026


def test_adding_negative_working_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 9, 30), -1)


def test_a_datetime_is_refused_because_its_utc_date_may_not_be_the_local_date():
    with pytest.raises(TypeError):
        is_workday(datetime(2026, 9, 30, 23, 0))
    with pytest.raises(TypeError):
        add_working_days(datetime(2026, 9, 30, 23, 0), 1)


def test_working_days_between_counts_after_the_start_up_to_and_including_the_end():
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 8)) == 3
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert working_days_between(date(2026, 10, 8), date(2026, 10, 8)) == 0
    assert working_days_between(date(2026, 10, 9), date(2026, 10, 8)) == 0


def naive_add_working_days(start: date, days: int) -> date:
    """The definition, one day at a time, on the package alone."""
    day = start
    if days == 0:
        while not chinese_calendar.is_workday(day):
            day += timedelta(days=1)
        return day
    while days:
        day += timedelta(days=1)
        days -= chinese_calendar.is_workday(day)
    return day


def test_add_working_days_matches_counting_day_by_day_on_the_package_years():
    starts = [date(2024, 12, 20) + timedelta(days=offset) for offset in range(0, 560, 7)]
    for start in starts:
        for days in (0, 1, 3, 5, 10, 15, 30):
            end = add_working_days(start, days)
            assert end == naive_add_working_days(start, days), (start, days)
            # With 0 days from a day off, the answer is the next working day: one day later.
            expected = days if days or is_workday(start) else 1
            assert working_days_between(start, end) == expected, (start, days)


def test_working_days_between_spans_whole_years():
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == len(
        chinese_calendar.get_workdays(date(2025, 1, 1), date(2025, 12, 31))
    )
    assert working_days_between(date(2024, 6, 30), date(2026, 6, 30)) == len(
        chinese_calendar.get_workdays(date(2024, 7, 1), date(2026, 6, 30))
    )


def test_a_2027_holiday_entered_by_an_admin_moves_a_deadline():
    # 2027-10-01 is a Friday; without an entry it counts as a working day.
    assert add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 1)

    enter(date(2027, 10, 1), is_workday=False, name="国庆节")

    assert not is_workday(date(2027, 10, 1))
    assert add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 4)


def test_a_make_up_saturday_entered_for_2027_counts_as_a_workday():
    saturday = date(2027, 9, 25)
    enter(saturday, is_workday=True, name="国庆节调休上班")

    assert is_workday(saturday)
    assert add_working_days(date(2027, 9, 24), 1) == saturday


def test_a_date_in_an_unknown_year_uses_monday_to_friday_and_warns_once(caplog):
    caplog.set_level(logging.WARNING, logger="hotline.workdays")

    assert is_workday(date(2027, 10, 1))  # a Friday, National Day in reality
    assert not is_workday(date(2027, 10, 2))  # a Saturday
    assert add_working_days(date(2027, 10, 1), 1) == date(2027, 10, 4)
    enter(date(2027, 5, 3), is_workday=False, name="劳动节")  # the cache is rebuilt
    assert not is_workday(date(2027, 5, 3))

    warnings = [record for record in caplog.records if record.name == "hotline.workdays"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "2027" in warnings[0].getMessage()


def test_a_package_year_logs_no_warning(caplog):
    caplog.set_level(logging.WARNING, logger="hotline.workdays")
    add_working_days(date(2026, 12, 1), 10)
    assert not [record for record in caplog.records if record.name == "hotline.workdays"]


def test_a_year_marked_complete_uses_its_entries_and_logs_no_warning(caplog):
    caplog.set_level(logging.WARNING, logger="hotline.workdays")
    enter(date(2027, 1, 1), is_workday=False, name="元旦")
    services.set_year(year=2027, complete=True, actor=None)

    assert not is_workday(date(2027, 1, 1))
    assert is_workday(date(2027, 1, 4))
    assert not [record for record in caplog.records if record.name == "hotline.workdays"]


def test_entries_override_the_package():
    enter(NATIONAL_DAY_2026, is_workday=True, name="测试：改为上班")
    enter(date(2026, 10, 8), is_workday=False, name="测试：改为休息")

    assert is_workday(NATIONAL_DAY_2026)
    assert not is_workday(date(2026, 10, 8))
    assert is_workday(date(2026, 10, 4)) is False  # the package still answers other days


def test_the_cache_forgets_a_changed_entry_at_once_in_the_writing_process():
    entry = enter(date(2027, 10, 1), is_workday=False, name="国庆节")
    assert not is_workday(date(2027, 10, 1))

    entry.is_workday = True
    services.save_day(entry, actor=None)
    assert is_workday(date(2027, 10, 1))

    services.delete_days([entry], actor=None)
    assert is_workday(date(2027, 10, 1))
    assert not CalendarDay.objects.exists()


def test_another_process_change_is_seen_once_the_recheck_interval_has_passed(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(calendar.time, "monotonic", lambda: clock[0])
    assert is_workday(date(2027, 10, 1))

    # Written without the service, as another process (or the shell) would: no invalidate().
    CalendarDay.objects.create(day=date(2027, 10, 1), is_workday=False, source=Source.ADMIN)
    clock[0] += calendar.RECHECK_SECONDS / 2
    assert is_workday(date(2027, 10, 1))  # still cached: no query within the interval

    clock[0] += calendar.RECHECK_SECONDS
    assert not is_workday(date(2027, 10, 1))

    CalendarDay.objects.filter(day=date(2027, 10, 1)).delete()
    clock[0] += calendar.RECHECK_SECONDS + 1
    assert is_workday(date(2027, 10, 1))


def test_the_calendar_asks_the_database_at_most_once_per_recheck_interval(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(calendar.time, "monotonic", lambda: clock[0])
    enter(date(2027, 10, 1), is_workday=False)
    with CaptureQueriesContext(connection) as first:
        add_working_days(date(2026, 12, 20), 30)
    with CaptureQueriesContext(connection) as cached:
        for day in range(1, 29):
            add_working_days(date(2027, 2, day), 10)
            is_workday(date(2026, 2, day))
    clock[0] += calendar.RECHECK_SECONDS + 1
    with CaptureQueriesContext(connection) as recheck:
        is_workday(date(2027, 3, 1))

    assert len(first) == 3  # the version, the calendar days, the complete years
    assert len(cached) == 0
    assert len(recheck) == 1  # the version only: nothing changed


def test_year_source_names_who_vouches_for_a_year():
    assert calendar.year_source(2026) == "package"
    assert calendar.year_source(2027) == "weekdays"
    enter(date(2027, 1, 1), is_workday=False, name="元旦")
    assert calendar.year_source(2027) == "weekdays"
    services.set_year(year=2027, complete=True, actor=None)
    assert calendar.year_source(2027) == "table"


def test_uncovered_years_ahead_reports_2027_in_late_november_2026_until_it_is_complete():
    assert calendar.uncovered_years_ahead(60, today=date(2026, 11, 25)) == [2027]
    assert calendar.uncovered_years_ahead(30, today=date(2026, 11, 25)) == []
    assert calendar.uncovered_years_ahead(60, today=date(2026, 6, 1)) == []

    enter(date(2027, 1, 1), is_workday=False, name="元旦")
    assert calendar.uncovered_years_ahead(60, today=date(2026, 11, 25)) == [2027]

    services.set_year(year=2027, complete=True, note="国办发明电", actor=None)
    assert calendar.uncovered_years_ahead(60, today=date(2026, 11, 25)) == []


def test_a_year_is_seen_as_complete_by_another_process_after_the_recheck(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(calendar.time, "monotonic", lambda: clock[0])
    CalendarDay.objects.create(day=date(2027, 1, 1), is_workday=False)
    assert calendar.year_source(2027) == "weekdays"

    CalendarYear.objects.create(year=2027, complete=True)
    clock[0] += calendar.RECHECK_SECONDS + 1

    assert calendar.year_source(2027) == "table"
