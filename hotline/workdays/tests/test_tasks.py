"""The daily job that warns when the coming weeks reach a year the calendar does not know."""

from __future__ import annotations

import logging
from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest

from hotline.jobs.periodic import registry
from hotline.workdays import calendar, services
from hotline.workdays.models import CalendarDay
from hotline.workdays.tasks import warn_uncovered_calendar_years

pytestmark = pytest.mark.django_db

JOB = "hotline.workdays.tasks.warn_uncovered_calendar_years"


def today_is(monkeypatch: pytest.MonkeyPatch, today: date) -> None:
    monkeypatch.setattr(calendar, "timezone", SimpleNamespace(localdate=lambda: today))


def test_the_job_runs_daily():
    job = registry.get(JOB)
    assert job is not None
    assert (job.every, job.at) == (timedelta(days=1), time(6, 0))


def test_the_job_warns_when_the_next_60_days_reach_an_unknown_year(monkeypatch, caplog):
    today_is(monkeypatch, date(2026, 11, 25))
    caplog.set_level(logging.WARNING, logger="hotline.workdays")

    years = warn_uncovered_calendar_years.call()

    assert years == [2027]
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1
    assert "2027" in messages[0]


def test_the_job_is_quiet_once_the_year_is_complete(monkeypatch, caplog):
    today_is(monkeypatch, date(2026, 11, 25))
    services.save_day(CalendarDay(day=date(2027, 1, 1), name="元旦"), actor=None)
    services.set_year(year=2027, complete=True, actor=None)
    caplog.set_level(logging.WARNING, logger="hotline.workdays")

    assert warn_uncovered_calendar_years.call() == []
    assert not caplog.records


def test_the_job_is_quiet_while_the_package_covers_the_next_60_days(monkeypatch, caplog):
    today_is(monkeypatch, date(2026, 6, 1))
    caplog.set_level(logging.WARNING, logger="hotline.workdays")

    assert warn_uncovered_calendar_years.call() == []
    assert not caplog.records
