"""More time: the handling unit asks once, its dispatching unit grants or refuses."""

from __future__ import annotations

from hotline.cases import services
from hotline.cases.states import ExtensionState, Stage
from hotline.notifications.models import OutboxMessage

from .conftest import shanghai


def test_handling_unit_requests_an_extension_from_its_dispatcher(accepted_case, flow, staff):
    case = flow.at_prefecture(accepted_case())
    case = services.request_extension(
        case, actor=staff.xining_handler, days=5, reason="企业负责人出差，需延期约谈"
    )
    assert case.extension_state == ExtensionState.REQUESTED
    assert (case.extension_days, case.extension_reason) == (5, "企业负责人出差，需延期约谈")
    assert OutboxMessage.objects.filter(
        case=case, organization=flow.tree.province, kind="extension_request"
    ).exists()


def test_approved_extension_moves_the_completion_deadline(accepted_case, flow, staff, clock):
    clock.set(shanghai(2026, 3, 10, 10, 0))
    case = flow.at_prefecture(accepted_case())
    assert case.completion_due_at == shanghai(2026, 3, 31, 23, 59, 59)
    case = services.request_extension(case, actor=staff.xining_handler, days=5, reason="取证")
    clock.set(shanghai(2026, 3, 20, 10, 0))
    case = services.decide_extension(case, actor=staff.agent, approve=True)
    assert case.extension_state == ExtensionState.APPROVED
    # Five working days after Tuesday 31 March.
    assert case.completion_due_at == shanghai(2026, 4, 8, 23, 59, 59)
    assert case.stage == Stage.COMPLETE and case.deadline_at == case.completion_due_at
    assert OutboxMessage.objects.filter(
        case=case, organization=flow.tree.xining, kind="extension_request"
    ).exists()


def test_refused_extension_keeps_the_deadline_and_needs_a_reason(
    accepted_case, flow, staff, refused
):
    case = flow.at_prefecture(accepted_case())
    deadline = case.completion_due_at
    case = services.request_extension(case, actor=staff.xining_handler, days=5, reason="取证")
    with refused(case, "case.reason_required"):
        services.decide_extension(case, actor=staff.agent, approve=False, note="")
    case = services.decide_extension(case, actor=staff.agent, approve=False, note="时限内可办结")
    assert case.extension_state == ExtensionState.REFUSED
    assert case.completion_due_at == deadline


def test_only_one_extension_per_case(accepted_case, flow, staff, refused):
    case = flow.at_prefecture(accepted_case())
    case = services.request_extension(case, actor=staff.xining_handler, days=5, reason="取证")
    case = services.decide_extension(case, actor=staff.agent, approve=False, note="不予延期")
    with refused(case, "case.extension_already_used") as info:
        services.request_extension(case, actor=staff.xining_handler, days=3, reason="再次申请")
    assert info.value.status == 409


def test_extension_request_refusals_change_nothing(accepted_case, flow, staff, tree, refused):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    with refused(case, "case.wrong_status"):
        services.request_extension(case, actor=staff.xining_handler, days=5, reason="取证")
    case = services.acknowledge(case, actor=staff.xining_handler)
    with refused(case, "case.invalid_days"):
        services.request_extension(case, actor=staff.xining_handler, days=31, reason="取证")
    with refused(case, "case.invalid_days"):
        services.request_extension(case, actor=staff.xining_handler, days=None, reason="取证")
    with refused(case, "case.reason_required"):
        services.request_extension(case, actor=staff.xining_handler, days=5, reason="")
    with refused(case, "case.not_your_unit"):
        services.request_extension(case, actor=staff.golmud_handler, days=5, reason="取证")


def test_deciding_without_a_request_or_as_another_unit_is_refused(
    accepted_case, flow, staff, refused
):
    case = flow.at_prefecture(accepted_case())
    with refused(case, "case.no_extension_requested"):
        services.decide_extension(case, actor=staff.agent, approve=True)
    case = services.request_extension(case, actor=staff.xining_handler, days=5, reason="取证")
    with refused(case, "case.not_your_unit"):
        services.decide_extension(case, actor=staff.haixi_dispatcher, approve=True)


def test_returning_the_case_withdraws_a_pending_request(accepted_case, flow, staff):
    case = flow.at_county(accepted_case())
    case = services.request_extension(case, actor=staff.chengdong_handler, days=5, reason="取证")
    case = services.return_case(case, actor=staff.chengdong_handler, reason="非本区")
    assert case.extension_state == ExtensionState.NONE
