"""A calendar change does not move deadlines already set; ``recompute_deadlines`` does, on demand,
with one ``deadline_moved`` event on each case it moves.

The dates: chinesecalendar 1.11 does not know 2027, so 1 January 2027 (a Friday) counts as a
working day until an administrator enters it as a holiday. A complaint dispatched on Monday
21 December 2026 is due 15 working days later, on Monday 11 January 2027; with the holiday
entered, on Tuesday 12 January.
"""

from __future__ import annotations

import datetime
import importlib
import io

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from hotline.cases import services
from hotline.cases.deadlines import deadline_for, warning_for
from hotline.cases.events import verify_case
from hotline.cases.models import Case, CaseEvent
from hotline.cases.services import recompute
from hotline.cases.states import Action, ExtensionState, Kind, Rating, Stage, Status
from hotline.testing import factories as f
from hotline.workdays import services as calendar_services
from hotline.workdays.models import CalendarDay

from .conftest import shanghai, snapshot

DISPATCHED_AT = shanghai(2026, 12, 21, 10, 0)
DUE = shanghai(2027, 1, 11, 23, 59, 59)
DUE_AFTER_HOLIDAY = shanghai(2027, 1, 12, 23, 59, 59)


def new_years_day() -> CalendarDay:
    return calendar_services.save_day(
        CalendarDay(day=datetime.date(2027, 1, 1), is_workday=False, name="元旦"), actor=None
    )


def run(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("recompute_deadlines", *args, stdout=out)
    return out.getvalue()


def moved_events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, action=Action.DEADLINE_MOVED))


@pytest.fixture
def at_prefecture(accepted_case, flow, clock) -> Case:
    """A complaint dispatched to Xining on 21 December 2026 and acknowledged there."""
    clock.set(DISPATCHED_AT)
    case = flow.at_prefecture(accepted_case())
    assert (case.stage, case.deadline_at, case.completion_due_at) == (Stage.COMPLETE, DUE, DUE)
    return case


def test_a_holiday_entered_after_the_dispatch_does_not_move_the_deadline_by_itself(
    at_prefecture,
):
    new_years_day()
    case = Case.objects.get(pk=at_prefecture.pk)
    assert (case.deadline_at, case.completion_due_at) == (DUE, DUE)
    # The calendar itself did change: counted again, the clock would end a day later.
    assert deadline_for(case.clock_started_at, case.clock_days) == DUE_AFTER_HOLIDAY
    assert moved_events(case) == []


def test_the_command_moves_the_deadline_and_records_one_event_with_old_and_new(
    at_prefecture, staff
):
    case = at_prefecture
    new_years_day()

    out = run()

    case.refresh_from_db()
    assert (case.deadline_at, case.completion_due_at) == (DUE_AFTER_HOLIDAY, DUE_AFTER_HOLIDAY)
    assert case.warning_at == warning_for(DISPATCHED_AT, DUE_AFTER_HOLIDAY)
    [event] = moved_events(case)
    assert event.data["old_deadline_at"] == DUE.isoformat()
    assert event.data["new_deadline_at"] == DUE_AFTER_HOLIDAY.isoformat()
    assert event.data["stage"] == Stage.COMPLETE
    assert "2027-01-11 23:59 → 2027-01-12 23:59" in event.note
    assert event.actor is None and not event.public
    assert (event.from_status, event.to_status) == (Status.IN_PROGRESS, Status.IN_PROGRESS)
    assert f"{case.number}: 2027-01-11 23:59 → 2027-01-12 23:59" in out
    assert "Deadlines moved: 1." in out
    assert verify_case(case) == []
    # Counted again on the same calendar, nothing moves a second time.
    assert "Deadlines moved: 0." in run()
    assert len(moved_events(case)) == 1


def test_a_dry_run_lists_what_would_move_and_changes_nothing(at_prefecture):
    new_years_day()
    before = snapshot(at_prefecture)

    out = run("--dry-run")

    assert f"{at_prefecture.number}: 2027-01-11 23:59 → 2027-01-12 23:59" in out
    assert "Dry run: nothing was changed." in out
    assert snapshot(at_prefecture) == before


def test_a_case_whose_deadline_the_change_does_not_reach_is_untouched(at_prefecture, accepted_case):
    # Help is due in 5 working days: 28 December 2026, before the holiday.
    help_case = accepted_case(kind=Kind.HELP, phone="13997100001")
    assert help_case.deadline_at == shanghai(2026, 12, 28, 23, 59, 59)
    new_years_day()
    before = snapshot(help_case)

    report = services.recompute_deadlines(actor=None, dry_run=False)

    assert [moved.number for moved in report.moved] == [at_prefecture.number]
    assert report.checked == 2
    assert snapshot(help_case) == before


def test_closed_cases_are_untouched_even_with_a_clock_left_on_them(
    accepted_case, flow, staff, clock
):
    clock.set(DISPATCHED_AT)
    case = flow.resolved(accepted_case())
    case = services.follow_up(case, actor=staff.agent, rating=Rating.SATISFIED, solved=True)
    assert case.status == Status.CLOSED
    # A clock that should not be there: recomputing must still leave a closed case alone.
    Case.objects.filter(pk=case.pk).update(
        stage=Stage.COMPLETE, deadline_at=DUE, clock_started_at=DISPATCHED_AT, clock_days=15
    )
    new_years_day()
    before = snapshot(case)

    report = services.recompute_deadlines(actor=None, dry_run=False)

    assert (report.checked, report.moved) == (0, [])
    assert snapshot(case) == before


def test_an_approved_extension_survives_the_recomputation(at_prefecture, staff, clock):
    case = services.request_extension(
        at_prefecture, actor=staff.xining_handler, days=5, reason="企业负责人出差"
    )
    clock.set(shanghai(2026, 12, 22, 9, 0))
    case = services.decide_extension(case, actor=staff.agent, approve=True)
    # Five working days after 11 January.
    extended = shanghai(2027, 1, 18, 23, 59, 59)
    assert (case.deadline_at, case.completion_due_at) == (extended, extended)
    new_years_day()

    services.recompute_deadlines(actor=staff.province_supervisor, dry_run=False)

    case.refresh_from_db()
    # Still five working days after the completion deadline, itself one day later now.
    later = shanghai(2027, 1, 19, 23, 59, 59)
    assert (case.deadline_at, case.completion_due_at) == (later, later)
    assert case.extension_state == ExtensionState.APPROVED
    [event] = moved_events(case)
    assert event.actor == staff.province_supervisor
    assert event.organization == staff.province_supervisor.organization


def test_a_unit_yet_to_acknowledge_gets_its_completion_deadline_recomputed(
    accepted_case, staff, tree, clock
):
    clock.set(DISPATCHED_AT)
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    acknowledge_by = shanghai(2026, 12, 22, 23, 59, 59)
    assert (case.stage, case.deadline_at, case.completion_due_at) == (
        Stage.ACKNOWLEDGE,
        acknowledge_by,
        DUE,
    )
    new_years_day()

    out = run()

    case.refresh_from_db()
    assert (case.deadline_at, case.completion_due_at) == (acknowledge_by, DUE_AFTER_HOLIDAY)
    [event] = moved_events(case)
    assert event.data["old_completion_due_at"] == DUE.isoformat()
    assert event.data["new_completion_due_at"] == DUE_AFTER_HOLIDAY.isoformat()
    assert "2027-01-11 23:59 → 2027-01-12 23:59" in event.note
    assert "completion deadline 2027-01-11 23:59 → 2027-01-12 23:59" in out
    # Acknowledging later starts the completion clock on the recomputed deadline.
    clock.set(shanghai(2026, 12, 22, 9, 0))
    case = services.acknowledge(case, actor=staff.xining_handler)
    assert case.deadline_at == DUE_AFTER_HOLIDAY


def test_a_later_deadline_is_announced_again_an_earlier_one_keeps_the_notices_sent(
    at_prefecture, accepted_case, clock
):
    sent = shanghai(2027, 1, 8, 9, 0)
    Case.objects.filter(pk=at_prefecture.pk).update(warned_at=sent, overdue_notified_at=sent)
    new_years_day()
    services.recompute_deadlines(actor=None, dry_run=False)
    later = Case.objects.get(pk=at_prefecture.pk)
    assert (later.warned_at, later.overdue_notified_at) == (None, None)

    # Saturday 9 January 2027 made a working day: the deadline comes a day earlier.
    earlier = accepted_case(phone="13997100002")
    Case.objects.filter(pk=earlier.pk).update(warned_at=sent)
    calendar_services.save_day(
        CalendarDay(day=datetime.date(2027, 1, 9), is_workday=True, name="调休上班"), actor=None
    )
    services.recompute_deadlines(actor=None, dry_run=False)
    earlier.refresh_from_db()
    assert earlier.deadline_at == shanghai(2027, 1, 11, 23, 59, 59)  # 12 January before
    assert earlier.warned_at == sent


def test_nothing_moves_when_the_calendar_has_not_changed(accepted_case, flow, staff, tree, clock):
    clock.set(DISPATCHED_AT)
    flow.at_county(accepted_case(phone="13997100003"))
    returned = flow.at_county(accepted_case(phone="13997100004"))
    clock.advance(days=1)
    services.return_case(returned, actor=staff.chengdong_handler, reason="不属本辖区")
    replied = flow.replied_at_prefecture(accepted_case(phone="13997100005"))
    services.send_back(replied, actor=staff.agent, reason="请补充材料", days=3)
    flow.resolved(accepted_case(phone="13997100006"))
    services.dispatch(accepted_case(phone="13997100007"), actor=staff.agent, to=tree.golmud)

    report = services.recompute_deadlines(actor=None, dry_run=False)

    assert (report.checked, report.moved, report.without_basis) == (5, [], 0)
    assert not CaseEvent.objects.filter(action=Action.DEADLINE_MOVED).exists()


def test_a_clock_without_a_working_day_count_is_reported_and_left_alone(at_prefecture):
    Case.objects.filter(pk=at_prefecture.pk).update(clock_started_at=None, clock_days=None)
    new_years_day()
    before = snapshot(at_prefecture)

    report = services.recompute_deadlines(actor=None, dry_run=False)

    assert (report.checked, report.moved, report.without_basis) == (1, [], 1)
    assert snapshot(at_prefecture) == before


def test_since_skips_cases_whose_deadlines_all_lie_before_it(at_prefecture, accepted_case):
    accepted_case(kind=Kind.HELP, phone="13997100001")  # due 28 December 2026
    new_years_day()

    report = services.recompute_deadlines(actor=None, dry_run=True, since=datetime.date(2027, 1, 1))

    assert report.checked == 1
    assert [moved.number for moved in report.moved] == [at_prefecture.number]


def test_cases_are_read_in_batches_and_all_of_them_are_recomputed(
    accepted_case, flow, clock, monkeypatch
):
    monkeypatch.setattr(recompute, "BATCH", 2)
    clock.set(DISPATCHED_AT)
    cases = [flow.at_prefecture(accepted_case(phone=f"1399710001{n}")) for n in range(5)]
    new_years_day()

    report = services.recompute_deadlines(actor=None, dry_run=False)

    assert sorted(moved.number for moved in report.moved) == sorted(c.number for c in cases)
    assert Case.objects.filter(deadline_at=DUE_AFTER_HOLIDAY).count() == 5


def test_the_command_names_the_user_it_acts_for_and_refuses_an_unknown_one(at_prefecture, staff):
    new_years_day()
    run("--user", staff.province_supervisor.username)
    [event] = moved_events(at_prefecture)
    assert event.actor == staff.province_supervisor
    with pytest.raises(Exception, match="nobody"):
        run("--user", "nobody")


def test_the_migration_fills_in_the_basis_of_clocks_set_before_it(
    at_prefecture, accepted_case, staff, tree
):
    acknowledging = services.dispatch(
        accepted_case(phone="13997100009"), actor=staff.agent, to=tree.xining
    )
    expected = {
        case.pk: (case.clock_started_at, case.clock_days, case.completion_days)
        for case in Case.objects.filter(pk__in=[at_prefecture.pk, acknowledging.pk])
    }
    assert expected[acknowledging.pk][1:] == (1, 15)
    Case.objects.update(clock_started_at=None, clock_days=None, completion_days=None)

    migration = importlib.import_module("hotline.cases.migrations.0003_clock_basis")
    migration.fill_clock_basis(apps, None)

    for case in Case.objects.filter(pk__in=expected):
        started, days, completion_days = expected[case.pk]
        assert abs(case.clock_started_at - started) < datetime.timedelta(milliseconds=1)
        assert (case.clock_days, case.completion_days) == (days, completion_days)


def test_saving_a_calendar_day_in_the_admin_points_to_the_command(client, tree):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(f.user(tree.province, is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:workdays_calendarday_add"),
        {"day": "2027-01-01", "is_workday": "", "name": "元旦"},
        follow=True,
    )

    page = response.content.decode()
    assert "recompute_deadlines" in page
    assert "Deadlines already set do not move with the calendar by themselves." in page
