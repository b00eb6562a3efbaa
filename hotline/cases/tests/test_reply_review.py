"""The handling unit's reply and its review by the dispatching unit, up the chain to the owner;
and the whole life of one case from intake to close."""

from __future__ import annotations

from hotline.cases import services
from hotline.cases.events import verify_case
from hotline.cases.selectors import public_timeline
from hotline.cases.states import Action, Rating, Stage, Status
from hotline.notifications.models import OutboxMessage

from .conftest import shanghai


def test_reply_goes_to_the_dispatching_unit_for_review(accepted_case, flow, staff, clock):
    case = flow.at_prefecture(accepted_case())
    clock.set(shanghai(2026, 3, 12, 16, 0))
    case = services.reply(case, actor=staff.xining_handler, result="已督促企业补发。", solved=True)
    assert case.status == Status.REPLIED
    assert (case.reply_text, case.reply_solved) == ("已督促企业补发。", True)
    assert case.stage == Stage.REVIEW
    assert case.deadline_at == shanghai(2026, 3, 16, 23, 59, 59)
    assert OutboxMessage.objects.filter(
        case=case, organization=flow.tree.province, kind="reply_to_review"
    ).exists()


def test_reply_needs_a_result_and_a_solved_answer(accepted_case, flow, staff, refused):
    case = flow.at_prefecture(accepted_case())
    with refused(case, "case.field_required"):
        services.reply(case, actor=staff.xining_handler, result="", solved=True)
    with refused(case, "case.field_required"):
        services.reply(case, actor=staff.xining_handler, result="已办", solved=None)
    with refused(case, "case.text_too_long"):
        services.reply(case, actor=staff.xining_handler, result="办" * 5001, solved=True)


def test_reply_before_acknowledging_is_refused(accepted_case, staff, tree, refused):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    with refused(case, "case.wrong_status"):
        services.reply(case, actor=staff.xining_handler, result="已办", solved=True)


def test_approval_by_the_centre_resolves_and_asks_the_worker_to_rate(accepted_case, flow, staff):
    case = flow.replied_at_prefecture(accepted_case())
    case = services.approve(case, actor=staff.agent, note="答复规范")
    assert case.status == Status.RESOLVED
    assert case.stage == Stage.FOLLOW_UP
    # The last handling unit stays recorded, for a reopening.
    assert case.handling_org == flow.tree.xining
    assert OutboxMessage.objects.filter(case=case, template="resolved").exists()


def test_approval_by_an_intermediate_unit_passes_the_reply_up(accepted_case, flow, staff):
    case = flow.at_county(accepted_case())
    case = services.reply(case, actor=staff.chengdong_handler, result="已补发工资", solved=True)
    assert case.dispatching_org == flow.tree.xining
    case = services.approve(case, actor=staff.xining_dispatcher)
    assert case.status == Status.REPLIED
    assert case.handling_org == flow.tree.xining
    assert case.handling_path == flow.tree.xining.path
    assert case.dispatching_org == flow.tree.province
    assert [entry["org"] for entry in case.dispatch_chain] == [flow.tree.province.pk]
    assert case.reply_text == "已补发工资"
    assert OutboxMessage.objects.filter(
        case=case, organization=flow.tree.province, kind="reply_to_review"
    ).exists()
    assert not OutboxMessage.objects.filter(case=case, template="resolved").exists()


def test_approval_by_a_unit_that_did_not_dispatch_is_refused(accepted_case, flow, staff, refused):
    case = flow.at_county(accepted_case())
    case = services.reply(case, actor=staff.chengdong_handler, result="已办", solved=True)
    with refused(case, "case.not_your_unit"):
        services.approve(case, actor=staff.agent)
    with refused(case, "case.role_required"):
        services.approve(case, actor=staff.xining_handler)


def test_send_back_returns_the_case_to_the_handling_unit(accepted_case, flow, staff, clock):
    case = flow.replied_at_prefecture(accepted_case())
    deadline = case.completion_due_at
    case = services.send_back(case, actor=staff.agent, reason="未说明补发金额")
    assert case.status == Status.IN_PROGRESS
    assert case.handling_org == flow.tree.xining
    assert case.stage == Stage.COMPLETE
    assert case.deadline_at == deadline
    notice = OutboxMessage.objects.get(case=case, kind="returned")
    assert "未说明补发金额" in notice.body


def test_send_back_with_days_sets_a_new_deadline(accepted_case, flow, staff, clock):
    case = flow.replied_at_prefecture(accepted_case())
    clock.set(shanghai(2026, 3, 16, 9, 0))
    case = services.send_back(case, actor=staff.agent, reason="补充材料", days=2)
    assert case.completion_due_at == shanghai(2026, 3, 18, 23, 59, 59)
    assert case.deadline_at == case.completion_due_at


def test_send_back_needs_a_reason_and_a_reply(accepted_case, flow, staff, refused):
    case = flow.at_prefecture(accepted_case())
    with refused(case, "case.wrong_status"):
        services.send_back(case, actor=staff.agent, reason="重办")
    case = services.reply(case, actor=staff.xining_handler, result="已办", solved=False)
    with refused(case, "case.reason_required"):
        services.send_back(case, actor=staff.agent, reason="")


def test_the_whole_life_of_a_case_province_prefecture_county_and_back(staff, tree, clock):
    """Intake online → accept → province to Xining → Xining to Chengdong → reply → approved by
    Xining → approved by the centre → follow-up → closed; every step an event, chain intact."""
    from .conftest import intake

    clock.set(shanghai(2026, 3, 10, 9, 0))
    case, _ = services.register_case(**intake())
    case = services.accept(case, actor=staff.agent)
    case = services.dispatch(case, actor=staff.agent, to=tree.xining, note="请西宁市总核处")
    clock.advance(hours=2)
    case = services.acknowledge(case, actor=staff.xining_handler)
    case = services.dispatch(case, actor=staff.xining_dispatcher, to=tree.chengdong)
    clock.advance(hours=2)
    case = services.acknowledge(case, actor=staff.chengdong_handler)
    services.comment(case, actor=staff.chengdong_handler, text="已约谈企业负责人")
    clock.advance(days=3)
    case = services.reply(
        case, actor=staff.chengdong_handler, result="企业已补发全部工资共计46万元。", solved=True
    )
    case = services.approve(case, actor=staff.xining_dispatcher)
    assert (case.status, case.handling_org) == (Status.REPLIED, tree.xining)
    case = services.approve(case, actor=staff.agent)
    assert case.status == Status.RESOLVED
    case = services.follow_up(
        case, actor=staff.agent, rating=Rating.SATISFIED, solved=True, note="职工表示感谢"
    )
    assert case.status == Status.CLOSED
    assert case.deadline_at is None

    actions = list(case.events.order_by("sequence").values_list("action", flat=True))
    assert actions == [
        Action.CREATE,
        Action.ACCEPT,
        Action.DISPATCH,
        Action.ACKNOWLEDGE,
        Action.DISPATCH,
        Action.ACKNOWLEDGE,
        Action.COMMENT,
        Action.REPLY,
        Action.APPROVE,
        Action.APPROVE,
        Action.FOLLOW_UP,
    ]
    assert verify_case(case) == []
    timeline = public_timeline(case)
    assert timeline[-2].text == "企业已补发全部工资共计46万元。"
    assert all("承办人" not in entry.title + entry.text for entry in timeline)
    assert "已约谈企业负责人" not in [entry.text for entry in timeline]
