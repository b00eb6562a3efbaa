"""After resolution: the follow-up call or the worker's own rating, a supervisor's review of a
dissatisfied rating, and reopening."""

from __future__ import annotations

import pytest

from hotline.cases import services
from hotline.cases.states import Rating, Stage, Status
from hotline.core.errors import NotFound
from hotline.notifications.models import OutboxMessage


def test_satisfied_follow_up_closes_the_case(accepted_case, flow, staff):
    case = flow.resolved(accepted_case())
    case = services.follow_up(case, actor=staff.agent, rating=Rating.SATISFIED, solved=True)
    assert case.status == Status.CLOSED
    assert (case.rating, case.solved) == (Rating.SATISFIED, True)
    assert case.followed_up_at is not None and case.closed_at is not None


def test_dissatisfied_follow_up_stays_resolved_for_a_supervisor(accepted_case, flow, staff, tree):
    case = flow.resolved(accepted_case())
    case = services.follow_up(
        case, actor=staff.agent, rating=Rating.DISSATISFIED, solved=False, note="工资仍未到账"
    )
    assert case.status == Status.RESOLVED
    assert case.rating == Rating.DISSATISFIED
    assert case.stage == "" and case.deadline_at is None
    assert OutboxMessage.objects.filter(
        case=case, organization=tree.province, kind="dissatisfied"
    ).exists()


def test_follow_up_refusals_change_nothing(accepted_case, flow, staff, refused):
    case = flow.replied_at_prefecture(accepted_case())
    with refused(case, "case.wrong_status"):
        services.follow_up(case, actor=staff.agent, rating=Rating.SATISFIED, solved=True)
    case = services.approve(case, actor=staff.agent)
    with refused(case, "case.invalid_rating"):
        services.follow_up(case, actor=staff.agent, rating="great", solved=True)
    with refused(case, "case.not_your_unit"):
        services.follow_up(
            case, actor=staff.xining_dispatcher, rating=Rating.SATISFIED, solved=True
        )
    services.follow_up(case, actor=staff.agent, rating=Rating.DISSATISFIED, solved=False)
    with refused(case, "case.already_rated"):
        services.follow_up(case, actor=staff.agent, rating=Rating.SATISFIED, solved=True)


def test_worker_rates_a_resolved_case_with_number_and_phone(accepted_case, flow):
    case = flow.resolved(accepted_case())
    rated = services.rate_by_worker(
        number=case.number,
        phone="138 9711 2345",
        rating=Rating.BASICALLY_SATISFIED,
        solved=True,
        note="基本满意",
    )
    assert rated.status == Status.CLOSED
    assert rated.rated_by_worker
    event = rated.events.order_by("sequence").last()
    assert (event.action, event.actor_id, event.public) == ("rate", None, True)


def test_worker_can_rate_only_once(accepted_case, flow, refused):
    case = flow.resolved(accepted_case())
    services.rate_by_worker(
        number=case.number, phone="13897112345", rating=Rating.SATISFIED, solved=True
    )
    with refused(case, "case.already_rated"):
        services.rate_by_worker(
            number=case.number, phone="13897112345", rating=Rating.DISSATISFIED, solved=False
        )


def test_worker_cannot_rate_before_resolution(accepted_case, refused):
    case = accepted_case()
    with refused(case, "case.wrong_status"):
        services.rate_by_worker(
            number=case.number, phone="13897112345", rating=Rating.SATISFIED, solved=True
        )


def test_wrong_phone_looks_exactly_like_an_unknown_number(accepted_case, flow):
    case = flow.resolved(accepted_case())
    with pytest.raises(NotFound) as wrong_phone:
        services.rate_by_worker(
            number=case.number, phone="13900000000", rating=Rating.SATISFIED, solved=True
        )
    with pytest.raises(NotFound) as unknown:
        services.rate_by_worker(
            number="2099010100001", phone="13897112345", rating=Rating.SATISFIED, solved=True
        )
    assert wrong_phone.value.as_dict() == unknown.value.as_dict()
    case.refresh_from_db()
    assert case.rating == "" and case.status == Status.RESOLVED


def test_supervisor_closes_a_dissatisfied_case_with_an_explanation(accepted_case, flow, staff):
    case = flow.resolved(accepted_case())
    case = services.follow_up(case, actor=staff.agent, rating=Rating.DISSATISFIED, solved=False)
    case = services.close_after_review(
        case, actor=staff.province_supervisor, explanation="诉求超出法定标准，已解释"
    )
    assert case.status == Status.CLOSED


def test_close_after_review_needs_a_dissatisfied_rating_and_a_supervisor(
    accepted_case, flow, staff, refused
):
    case = flow.resolved(accepted_case())
    with refused(case, "case.not_dissatisfied"):
        services.close_after_review(case, actor=staff.province_supervisor, explanation="已解释")
    case = services.follow_up(case, actor=staff.agent, rating=Rating.DISSATISFIED, solved=False)
    with refused(case, "case.role_required"):
        services.close_after_review(case, actor=staff.agent, explanation="已解释")
    with refused(case, "case.reason_required"):
        services.close_after_review(case, actor=staff.province_supervisor, explanation="")


def test_reopen_sends_the_case_back_to_the_last_handling_unit(accepted_case, flow, staff, tree):
    case = flow.resolved(accepted_case())
    case = services.follow_up(case, actor=staff.agent, rating=Rating.DISSATISFIED, solved=False)
    case = services.reopen(case, actor=staff.province_supervisor, reason="仍有两人未领到工资")
    assert case.status == Status.IN_PROGRESS
    assert case.handling_org == tree.xining
    assert case.dispatching_org == tree.province
    assert case.stage == Stage.COMPLETE and case.completion_due_at == case.deadline_at
    assert case.rating == "" and case.solved is None
    assert OutboxMessage.objects.filter(case=case, organization=tree.xining).count() == 2
    assert OutboxMessage.objects.filter(case=case, template="reopened").exists()
    # Its next reply is reviewed by the same unit, and it can be rated again.
    case = services.reply(case, actor=staff.xining_handler, result="已全部补发", solved=True)
    case = services.approve(case, actor=staff.agent)
    case = services.follow_up(case, actor=staff.agent, rating=Rating.SATISFIED, solved=True)
    assert case.status == Status.CLOSED


def test_reopening_a_case_resolved_on_first_contact_brings_it_back_to_the_centre(
    accepted_case, staff
):
    case = services.resolve_directly(accepted_case(), actor=staff.agent, answer="可申请仲裁")
    case = services.follow_up(case, actor=staff.agent, rating=Rating.SATISFIED, solved=True)
    case = services.reopen(case, actor=staff.province_supervisor, reason="职工再次来电")
    assert case.status == Status.ACCEPTED
    assert case.handling_org is None


def test_reopen_refusals_change_nothing(accepted_case, flow, staff, refused):
    case = flow.at_prefecture(accepted_case())
    with refused(case, "case.wrong_status"):
        services.reopen(case, actor=staff.province_supervisor, reason="重办")
    case = services.reply(case, actor=staff.xining_handler, result="已办", solved=True)
    case = services.approve(case, actor=staff.agent)
    with refused(case, "case.reason_required"):
        services.reopen(case, actor=staff.province_supervisor, reason=" ")
    with refused(case, "case.role_required"):
        services.reopen(case, actor=staff.agent, reason="重办")
