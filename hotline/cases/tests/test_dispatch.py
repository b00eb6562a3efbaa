"""Dispatch down the tree, acknowledgement, return, reassignment and escalation; the chain of
who passed the case to whom is kept, and two people racing for one step cannot both win."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hotline.accounts.models import Role
from hotline.cases import services
from hotline.cases.models import Case, CaseAssist
from hotline.cases.states import Stage, Status
from hotline.core.errors import DomainError
from hotline.notifications.models import OutboxMessage
from hotline.organizations import services as org_services
from hotline.organizations.models import Level
from hotline.testing import factories as f

from .conftest import shanghai


def test_centre_dispatches_to_a_prefecture_with_deadlines(accepted_case, staff, tree, clock):
    clock.set(shanghai(2026, 3, 10, 10, 0))
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining, note="请核实处理")
    assert case.status == Status.DISPATCHED
    assert case.handling_org == tree.xining
    assert case.handling_path == tree.xining.path
    assert case.dispatching_org == tree.province
    assert [entry["org"] for entry in case.dispatch_chain] == [tree.province.pk]
    assert case.stage == Stage.ACKNOWLEDGE
    assert case.deadline_at == shanghai(2026, 3, 11, 23, 59, 59)
    # A complaint: 15 working days from the dispatch (Tuesday 10 March → Tuesday 31 March).
    assert case.completion_due_at == shanghai(2026, 3, 31, 23, 59, 59)
    notice = OutboxMessage.objects.get(case=case, organization=tree.xining)
    assert notice.kind == "dispatch"


def test_dispatch_with_assisting_units_keeps_their_paths(accepted_case, staff, tree):
    case = services.dispatch(
        accepted_case(), actor=staff.agent, to=tree.xining, assisting=[tree.haixi, tree.xining]
    )
    assists = CaseAssist.objects.filter(case=case)
    assert [(a.organization_id, a.path) for a in assists] == [(tree.haixi.pk, tree.haixi.path)]
    assert OutboxMessage.objects.filter(case=case, organization=tree.haixi).exists()


def test_dispatch_days_override_the_rule(accepted_case, staff, tree, clock):
    clock.set(shanghai(2026, 3, 10, 10, 0))
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining, days=3)
    assert case.completion_due_at == shanghai(2026, 3, 13, 23, 59, 59)


def test_prefecture_passes_the_case_down_to_a_county_keeping_the_chain(accepted_case, flow, staff):
    case = flow.at_prefecture(accepted_case())
    case = services.dispatch(case, actor=staff.xining_dispatcher, to=flow.tree.chengdong)
    assert case.status == Status.DISPATCHED
    assert case.handling_org == flow.tree.chengdong
    assert case.dispatching_org == flow.tree.xining
    assert [entry["org"] for entry in case.dispatch_chain] == [
        flow.tree.province.pk,
        flow.tree.xining.pk,
    ]


def test_a_sub_dispatch_never_gives_more_time_than_the_unit_has(accepted_case, flow, staff, clock):
    clock.set(shanghai(2026, 3, 10, 10, 0))
    case = services.dispatch(accepted_case(), actor=staff.agent, to=flow.tree.xining, days=5)
    case = services.acknowledge(case, actor=staff.xining_handler)
    own_deadline = case.completion_due_at
    clock.set(shanghai(2026, 3, 12, 10, 0))
    case = services.dispatch(case, actor=staff.xining_dispatcher, to=flow.tree.chengdong, days=20)
    assert case.completion_due_at == own_deadline


def test_dispatch_outside_the_subtree_is_refused(accepted_case, flow, staff, refused):
    case = flow.at_prefecture(accepted_case())
    with refused(case, "case.target_outside_subtree") as info:
        services.dispatch(case, actor=staff.xining_dispatcher, to=flow.tree.golmud)
    assert "to" in info.value.fields


def test_assisting_unit_outside_the_subtree_is_refused(accepted_case, flow, staff, refused):
    case = flow.at_prefecture(accepted_case())
    with refused(case, "case.target_outside_subtree"):
        services.dispatch(
            case, actor=staff.xining_dispatcher, to=flow.tree.chengdong, assisting=[flow.tree.haixi]
        )


def test_dispatch_to_ones_own_unit_is_refused(accepted_case, staff, tree, refused):
    case = accepted_case()
    with refused(case, "case.target_is_own_unit"):
        services.dispatch(case, actor=staff.agent, to=tree.province)


def test_dispatch_to_an_inactive_unit_is_refused(accepted_case, staff, tree, refused):
    closed = org_services.create_organization(
        parent=tree.xining, name="已撤销的工会", level=Level.COUNTY, division=tree.xining_division
    )
    closed.is_active = False
    closed.save()
    case = accepted_case()
    with refused(case, "case.target_outside_subtree"):
        services.dispatch(case, actor=staff.agent, to=closed)


def test_dispatch_by_a_unit_that_does_not_hold_the_case_is_refused(accepted_case, staff, refused):
    case = accepted_case()
    with refused(case, "case.not_your_unit"):
        services.dispatch(
            case, actor=staff.xining_dispatcher, to=staff.chengdong_handler.organization
        )


def test_dispatch_of_a_received_case_is_refused(new_case, staff, tree, refused):
    case = new_case()
    with refused(case, "case.wrong_status"):
        services.dispatch(case, actor=staff.agent, to=tree.xining)


def test_dispatch_with_bad_days_or_long_note_is_refused(accepted_case, staff, tree, refused):
    case = accepted_case()
    with refused(case, "case.invalid_days"):
        services.dispatch(case, actor=staff.agent, to=tree.xining, days=0)
    with refused(case, "case.text_too_long"):
        services.dispatch(case, actor=staff.agent, to=tree.xining, note="长" * 2001)


def test_handler_acknowledges_and_the_completion_clock_runs(accepted_case, staff, tree, clock):
    clock.set(shanghai(2026, 3, 10, 10, 0))
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    clock.set(shanghai(2026, 3, 11, 9, 0))
    case = services.acknowledge(case, actor=staff.xining_handler)
    assert case.status == Status.IN_PROGRESS
    assert case.stage == Stage.COMPLETE
    assert case.deadline_at == case.completion_due_at
    assert case.events.last().data["on_time"] is True


def test_another_unit_cannot_acknowledge(accepted_case, staff, tree, refused):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    with refused(case, "case.not_your_unit"):
        services.acknowledge(case, actor=staff.golmud_handler)


def test_county_returns_to_the_prefecture_which_handles_it_again(accepted_case, flow, staff):
    case = flow.at_county(accepted_case())
    prefecture_deadline = case.dispatch_chain[-1]["due"]
    case = services.return_case(case, actor=staff.chengdong_handler, reason="不属于本区管辖")
    assert case.status == Status.IN_PROGRESS
    assert case.handling_org == flow.tree.xining
    assert case.handling_path == flow.tree.xining.path
    assert case.dispatching_org == flow.tree.province
    assert case.completion_due_at.isoformat() == prefecture_deadline
    assert case.return_count == 1
    assert OutboxMessage.objects.filter(
        case=case, organization=flow.tree.xining, kind="returned"
    ).exists()


def test_prefecture_returns_to_the_centre_which_has_it_accepted_again(accepted_case, flow, staff):
    case = flow.at_prefecture(accepted_case())
    case = services.return_case(case, actor=staff.xining_handler, reason="涉及海西企业")
    assert case.status == Status.ACCEPTED
    assert case.handling_org is None and case.handling_path == ""
    assert case.dispatching_org is None and case.dispatch_chain == []
    # The centre can dispatch it again, elsewhere.
    case = services.dispatch(case, actor=staff.agent, to=flow.tree.haixi)
    assert case.handling_org == flow.tree.haixi


def test_return_needs_a_reason(accepted_case, flow, staff, refused):
    case = flow.at_prefecture(accepted_case())
    with refused(case, "case.reason_required") as info:
        services.return_case(case, actor=staff.xining_handler, reason="")
    assert "reason" in info.value.fields


def test_return_by_a_unit_that_does_not_hold_the_case_is_refused(
    accepted_case, flow, staff, refused
):
    case = flow.at_county(accepted_case())
    with refused(case, "case.not_your_unit"):
        services.return_case(case, actor=staff.xining_handler, reason="不是我们")


def test_dispatching_unit_reassigns_to_another_unit(accepted_case, flow, staff):
    case = flow.at_county(accepted_case())
    case = services.reassign(
        case, actor=staff.xining_dispatcher, to=flow.tree.chengzhong, reason="属城中区"
    )
    assert case.status == Status.DISPATCHED
    assert case.handling_org == flow.tree.chengzhong
    assert case.dispatching_org == flow.tree.xining
    assert len(case.dispatch_chain) == 2


def test_reassign_refusals_change_nothing(accepted_case, flow, staff, refused):
    case = flow.at_county(accepted_case())
    with refused(case, "case.target_outside_subtree"):
        services.reassign(case, actor=staff.xining_dispatcher, to=flow.tree.golmud, reason="x")
    with refused(case, "case.same_unit"):
        services.reassign(case, actor=staff.xining_dispatcher, to=flow.tree.chengdong, reason="x")
    with refused(case, "case.reason_required"):
        services.reassign(case, actor=staff.xining_dispatcher, to=flow.tree.chengzhong, reason="")
    with refused(case, "case.not_your_unit"):
        services.reassign(case, actor=staff.agent, to=flow.tree.chengzhong, reason="x")


def test_escalating_to_the_dispatching_unit_hands_the_case_back(accepted_case, flow, staff):
    case = flow.at_county(accepted_case())
    case = services.escalate(case, actor=staff.chengdong_handler, note="涉及多个区，需市总协调")
    assert case.status == Status.IN_PROGRESS
    assert case.handling_org == flow.tree.xining
    assert case.dispatching_org == flow.tree.province


def test_escalating_past_a_skipped_level_asks_the_parent_to_acknowledge(accepted_case, staff, tree):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.chengdong)
    case = services.acknowledge(case, actor=staff.chengdong_handler)
    case = services.escalate(case, actor=staff.chengdong_handler, note="需要市总工会协调")
    assert case.status == Status.DISPATCHED
    assert case.handling_org == tree.xining
    assert case.dispatching_org == tree.province
    assert OutboxMessage.objects.filter(case=case, organization=tree.xining).exists()


def test_escalate_needs_a_note(accepted_case, flow, staff, refused):
    case = flow.at_county(accepted_case())
    with refused(case, "case.reason_required"):
        services.escalate(case, actor=staff.chengdong_handler, note="")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks to race on")
@pytest.mark.parametrize("action", ["acknowledge", "return", "dispatch"])
def test_two_people_acting_on_one_case_at_once_cannot_both_win(
    wage_categories, staff, tree, new_case, action
):
    case = services.accept(new_case(), actor=staff.agent)
    if action == "dispatch":
        # Two agents of the centre send the same case to two different prefectures.
        actors = [staff.agent, f.user(tree.province, Role.AGENT)]
    else:
        case = services.dispatch(case, actor=staff.agent, to=tree.xining)
        actors = [staff.xining_handler, f.user(tree.xining, Role.HANDLER)]
    targets = [tree.xining, tree.haixi]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(index: int) -> None:
        try:
            barrier.wait()
            target = Case(pk=case.pk)
            if action == "acknowledge":
                services.acknowledge(target, actor=actors[index])
            elif action == "return":
                services.return_case(target, actor=actors[index], reason="不属于本单位")
            else:
                services.dispatch(target, actor=actors[index], to=targets[index])
            outcomes.append("won")
        except DomainError as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["case.wrong_status", "won"]
    case.refresh_from_db()
    assert case.event_count == (3 if action == "dispatch" else 4)
    assert case.events.count() == case.event_count
