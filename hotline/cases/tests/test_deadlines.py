"""Deadlines in working days on the Chinese calendar, the rule that applies, and the boundaries
of due_soon and overdue."""

from __future__ import annotations

import datetime

import chinese_calendar
import pytest

from hotline.cases import deadlines, services
from hotline.cases.deadlines import (
    DUE_SOON,
    ON_TIME,
    OVERDUE,
    deadline_for,
    due_state,
    rule_days,
    set_clock,
    warning_for,
)
from hotline.cases.models import Category, DeadlineRule
from hotline.cases.services.reminders import send_deadline_reminders
from hotline.cases.states import Kind, Stage, Status
from hotline.notifications.models import OutboxMessage

from .conftest import shanghai

# The calendar reads the administrators' calendar tables.
pytestmark = pytest.mark.django_db


def test_default_rules_come_from_the_product_description():
    assert rule_days(Stage.ACCEPT, Kind.COMPLAINT, None) == 1
    assert rule_days(Stage.ACKNOWLEDGE, Kind.HELP, None) == 1
    assert rule_days(Stage.COMPLETE, Kind.CONSULTATION, None) == 1
    assert rule_days(Stage.COMPLETE, Kind.HELP, None) == 5
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, None) == 15
    assert rule_days(Stage.REVIEW, Kind.COMPLAINT, None) == 2
    assert rule_days(Stage.FOLLOW_UP, Kind.COMPLAINT, None) == 3


def test_the_most_specific_rule_wins():
    wages = Category.objects.get(code="01")
    unpaid = Category.objects.get(code="0101")
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, unpaid) == 15
    DeadlineRule.objects.create(stage=Stage.COMPLETE, kind="", category=wages, working_days=12)
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, unpaid) == 12  # the parent's rule
    DeadlineRule.objects.create(stage=Stage.COMPLETE, kind="", category=unpaid, working_days=10)
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, unpaid) == 10
    DeadlineRule.objects.create(
        stage=Stage.COMPLETE, kind=Kind.COMPLAINT, category=wages, working_days=8
    )
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, unpaid) == 8
    DeadlineRule.objects.create(
        stage=Stage.COMPLETE, kind=Kind.COMPLAINT, category=unpaid, working_days=7
    )
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, unpaid.pk) == 7
    # Other kinds and categories are untouched.
    assert rule_days(Stage.COMPLETE, Kind.HELP, Category.objects.get(code="0201")) == 5


def test_the_rules_are_read_once_per_process(django_assert_num_queries):
    unpaid = Category.objects.get(code="0101")
    rule_days(Stage.COMPLETE, Kind.COMPLAINT, unpaid)
    with django_assert_num_queries(0):
        assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, unpaid) == 15
        assert rule_days(Stage.ACCEPT, Kind.HELP, None) == 1


def test_a_rule_edited_or_deleted_through_the_orm_applies_at_once():
    rule = DeadlineRule.objects.get(stage=Stage.COMPLETE, kind=Kind.COMPLAINT, category=None)
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, None) == 15
    rule.working_days = 20
    rule.save()
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, None) == 20
    rule.delete()
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, None) == 15  # the default's 15 days
    wages = Category.objects.get(code="01")
    DeadlineRule.objects.create(stage=Stage.COMPLETE, kind="", category=wages, working_days=9)
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, wages) == 9
    wages.deadline_rules.all().delete()
    assert rule_days(Stage.COMPLETE, Kind.COMPLAINT, wages) == 15


def test_a_change_made_by_another_process_applies_within_the_max_age(monkeypatch):
    moment = [1000.0]
    monkeypatch.setattr(deadlines.time, "monotonic", lambda: moment[0])
    assert rule_days(Stage.REVIEW, Kind.COMPLAINT, None) == 2
    # An UPDATE sends no signal: as if another process had saved the rule.
    DeadlineRule.objects.filter(stage=Stage.REVIEW, kind="", category=None).update(working_days=4)
    moment[0] += deadlines.RULES_MAX_AGE - 1
    assert rule_days(Stage.REVIEW, Kind.COMPLAINT, None) == 2
    moment[0] += 1
    assert rule_days(Stage.REVIEW, Kind.COMPLAINT, None) == 4


def test_national_day_2026_is_a_week_of_holidays_in_the_calendar_data():
    # What the tests below rely on, read from chinesecalendar itself.
    assert all(chinese_calendar.is_holiday(datetime.date(2026, 10, day)) for day in range(1, 8))
    assert chinese_calendar.is_workday(datetime.date(2026, 10, 10))  # a make-up Saturday
    assert datetime.date(2026, 10, 10).weekday() == 5
    assert chinese_calendar.is_workday(datetime.date(2026, 5, 9))  # after Labour Day
    assert datetime.date(2026, 5, 9).weekday() == 5


def test_one_working_day_from_the_eve_of_national_day_ends_on_8_october():
    assert deadline_for(shanghai(2026, 9, 30, 16, 0), 1) == shanghai(2026, 10, 8, 23, 59, 59)


def test_fifteen_working_days_from_the_eve_of_national_day_count_the_make_up_saturday():
    # 8, 9, 10 (Saturday, worked), 12-16, 19-23, 26, 27 October.
    assert deadline_for(shanghai(2026, 9, 30, 16, 0), 15) == shanghai(2026, 10, 27, 23, 59, 59)


def test_a_make_up_saturday_is_a_working_day():
    friday = shanghai(2026, 5, 8, 10, 0)
    assert deadline_for(friday, 1) == shanghai(2026, 5, 9, 23, 59, 59)
    assert deadline_for(friday, 2) == shanghai(2026, 5, 11, 23, 59, 59)


def test_an_ordinary_weekend_is_skipped():
    friday = shanghai(2026, 3, 13, 10, 0)
    assert deadline_for(friday, 1) == shanghai(2026, 3, 16, 23, 59, 59)


def test_the_local_date_counts_not_the_utc_date():
    # 23:30 on Friday in Xining is still Friday 15:30 UTC; 00:30 Saturday is Friday in UTC.
    assert deadline_for(shanghai(2026, 3, 13, 23, 30), 1) == shanghai(2026, 3, 16, 23, 59, 59)
    assert deadline_for(shanghai(2026, 3, 14, 0, 30), 1) == shanghai(2026, 3, 16, 23, 59, 59)


def test_a_year_the_calendar_does_not_cover_falls_back_to_monday_to_friday():
    # chinesecalendar 1.11 stops at 2026: 1 October 2027 is a Friday and counts as worked.
    assert deadline_for(shanghai(2027, 9, 30, 10, 0), 1) == shanghai(2027, 10, 1, 23, 59, 59)
    assert deadline_for(shanghai(2027, 10, 1, 10, 0), 1) == shanghai(2027, 10, 4, 23, 59, 59)


def test_dispatch_on_the_eve_of_national_day(accepted_case, staff, tree, clock):
    clock.set(shanghai(2026, 9, 30, 15, 0))
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    assert case.deadline_at == shanghai(2026, 10, 8, 23, 59, 59)  # acknowledge: 1 day
    assert case.completion_due_at == shanghai(2026, 10, 27, 23, 59, 59)  # complaint: 15 days


def test_warning_starts_in_the_last_fifth_of_the_time():
    start = shanghai(2026, 3, 10, 0, 0)
    deadline = shanghai(2026, 3, 20, 0, 0)
    assert warning_for(start, deadline) == shanghai(2026, 3, 18, 0, 0)
    assert warning_for(deadline, start) == start


@pytest.fixture
def clocked(accepted_case):
    case = accepted_case()
    set_clock(case, Stage.COMPLETE, shanghai(2026, 3, 10, 0, 0), deadline=shanghai(2026, 3, 20))
    case.warned_at = shanghai(2026, 3, 18)
    return case


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (shanghai(2026, 3, 10, 0, 0), ON_TIME),
        (shanghai(2026, 3, 17, 23, 59, 59), ON_TIME),
        (shanghai(2026, 3, 18, 0, 0), DUE_SOON),
        (shanghai(2026, 3, 20, 0, 0), DUE_SOON),
        (shanghai(2026, 3, 20, 0, 0, 1), OVERDUE),
    ],
)
def test_due_state_boundaries(clocked, moment, state):
    assert due_state(clocked, moment) == state


def test_a_case_without_a_clock_or_in_a_final_status_has_no_due_state(clocked):
    clocked.status = Status.CLOSED
    assert due_state(clocked, shanghai(2026, 3, 25)) == ""
    clocked.status = Status.ACCEPTED
    clocked.deadline_at = None
    assert due_state(clocked, shanghai(2026, 3, 25)) == ""


def test_a_new_clock_forgets_the_reminders_of_the_old_one(clocked):
    clocked.overdue_notified_at = shanghai(2026, 3, 21)
    set_clock(clocked, Stage.REVIEW, shanghai(2026, 3, 21, 9, 0))
    assert clocked.warned_at is None and clocked.overdue_notified_at is None
    assert clocked.deadline_at == shanghai(2026, 3, 24, 23, 59, 59)


# --- reminders ----------------------------------------------------------------------------------


def test_reminders_go_once_to_the_unit_the_clock_waits_on(accepted_case, staff, tree, clock):
    clock.set(shanghai(2026, 3, 10, 9, 0))
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    # Acknowledgement due 11 March 23:59:59; due soon from about 11 March 13:00.
    assert send_deadline_reminders(moment=shanghai(2026, 3, 11, 9, 0)) == {
        "due_soon": 0,
        "overdue": 0,
    }
    assert send_deadline_reminders(moment=shanghai(2026, 3, 11, 20, 0)) == {
        "due_soon": 1,
        "overdue": 0,
    }
    assert send_deadline_reminders(moment=shanghai(2026, 3, 11, 21, 0))["due_soon"] == 0
    assert send_deadline_reminders(moment=shanghai(2026, 3, 12, 8, 0)) == {
        "due_soon": 0,
        "overdue": 1,
    }
    assert send_deadline_reminders(moment=shanghai(2026, 3, 12, 9, 0))["overdue"] == 0
    notices = OutboxMessage.objects.filter(case=case, organization=tree.xining)
    assert sorted(notices.values_list("kind", flat=True)) == ["dispatch", "due_soon", "overdue"]
    case.refresh_from_db()
    assert case.events.filter(action="deadline_warning").count() == 2
    # Acknowledging starts a new clock: its reminders will go out again in their time.
    clock.set(shanghai(2026, 3, 12, 9, 30))
    case = services.acknowledge(case, actor=staff.xining_handler)
    assert case.warned_at is None and case.overdue_notified_at is None


def test_reminders_of_a_reply_go_to_the_reviewing_unit(accepted_case, flow, staff, clock):
    clock.set(shanghai(2026, 3, 10, 9, 0))
    case = flow.replied_at_prefecture(accepted_case())
    send_deadline_reminders(moment=shanghai(2026, 3, 20, 9, 0))
    assert OutboxMessage.objects.filter(
        case=case, organization=flow.tree.province, kind="overdue"
    ).exists()


def test_closed_cases_get_no_reminders(new_case, staff):
    services.decline(new_case(), actor=staff.agent, referral="请拨打12333")
    assert send_deadline_reminders(moment=shanghai(2030, 1, 1)) == {"due_soon": 0, "overdue": 0}
