"""The event chain: every action appends one hashed event; editing or deleting one is detected
by ``verify_case`` and by ``manage.py verify_case_history``."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.management import CommandError, call_command

from hotline.cases import services
from hotline.cases.events import record, verify_case
from hotline.cases.models import Case, CaseEvent
from hotline.cases.states import Action


@pytest.fixture
def history(accepted_case, flow, staff) -> Case:
    """A case with six events, and another intact case beside it."""
    case = flow.at_prefecture(accepted_case())
    services.comment(case, actor=staff.xining_handler, text="已联系企业")
    accepted_case(phone="13997100000")
    case.refresh_from_db()
    return case


def run_verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_case_history", *args, stdout=out)
    return out.getvalue()


def test_events_are_numbered_and_chained(history):
    events = list(history.events.order_by("sequence"))
    assert [event.sequence for event in events] == [1, 2, 3, 4, 5]
    assert events[0].previous_hash == ""
    for earlier, later in itertools.pairwise(events):
        assert later.previous_hash == earlier.hash
    assert history.event_count == 5 and history.last_event_hash == events[-1].hash


def test_events_keep_actor_organization_and_statuses(history, staff, tree):
    dispatch = history.events.get(action=Action.DISPATCH)
    assert dispatch.actor == staff.agent
    assert dispatch.actor_name == "坐席小王"
    assert dispatch.organization == tree.province
    assert (dispatch.from_status, dispatch.to_status) == ("accepted", "dispatched")
    assert dispatch.data["to"] == tree.xining.pk


def test_a_clean_history_verifies(history):
    assert verify_case(history) == []
    assert "intact" in run_verify()


def test_an_edited_event_is_detected(history):
    CaseEvent.objects.filter(case=history, sequence=3).update(note="改过的备注")
    problems = verify_case(history)
    assert any("#3 was altered" in problem for problem in problems)
    with pytest.raises(CommandError):
        run_verify()


def test_an_edited_event_data_or_time_is_detected(history):
    event = history.events.get(sequence=2)
    CaseEvent.objects.filter(pk=event.pk).update(created_at=event.created_at.replace(year=2020))
    assert verify_case(history)


def test_a_deleted_event_in_the_middle_is_detected(history):
    CaseEvent.objects.filter(case=history, sequence=2).delete()
    problems = verify_case(history)
    assert any("an event is missing" in problem for problem in problems)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_case_history", stdout=out)
    assert history.number in out.getvalue()


def test_a_deleted_last_event_is_detected(history):
    CaseEvent.objects.filter(case=history, sequence=5).delete()
    problems = verify_case(history)
    assert any("4 events stored, the case counts 5" in problem for problem in problems)


def test_a_rewritten_chain_head_is_detected(history):
    Case.objects.filter(pk=history.pk).update(last_event_hash="0" * 64)
    history.refresh_from_db()
    assert verify_case(history)


def test_the_command_checks_one_case_by_number(history, accepted_case):
    other = accepted_case(phone="13997100009")
    CaseEvent.objects.filter(case=other, sequence=1).update(note="x")
    assert "intact" in run_verify("--number", history.number)
    with pytest.raises(CommandError):
        run_verify("--number", other.number)
    with pytest.raises(CommandError):
        run_verify("--number", "1999010100001")


def test_the_command_reads_cases_in_batches(history, accepted_case):
    for index in range(4):
        accepted_case(phone=f"1399710001{index}")
    assert "intact" in run_verify("--batch-size", "2")
    CaseEvent.objects.filter(case=history, sequence=1).update(note="x")
    with pytest.raises(CommandError):
        run_verify("--batch-size", "2")


def test_record_continues_the_chain_of_the_locked_case(history, staff):
    event = record(
        history,
        actor=staff.agent,
        action=Action.COMMENT,
        from_status=history.status,
        to_status=history.status,
        note="补记",
    )
    assert event.sequence == 6
    history.refresh_from_db()
    assert history.event_count == 6 and history.last_event_hash == event.hash
    assert verify_case(history) == []
