"""Intake: a request becomes a case once, with a number, a clock and an event; bad input is
refused field by field and nothing is stored; then accept, decline, resolve on first contact."""

from __future__ import annotations

import re

import pytest

from hotline.cases import crypto, services
from hotline.cases.models import Case, CaseEvent, DailySequence
from hotline.cases.states import Action, Channel, Stage, Status
from hotline.notifications.models import OutboxMessage
from hotline.organizations.tests.conftest import credit_code

from .conftest import id_number, intake, shanghai


def test_public_request_is_received_by_the_provincial_centre_with_the_accept_clock(tree, clock):
    clock.set(shanghai(2026, 3, 10, 9, 30))
    case, created = services.register_case(**intake())
    assert created
    assert case.status == Status.RECEIVED
    assert case.owner_org == tree.province
    assert case.owner_path == tree.province.path
    assert case.handling_org is None and case.handling_path == ""
    assert case.stage == Stage.ACCEPT
    assert case.deadline_at == shanghai(2026, 3, 11, 23, 59, 59)
    assert case.created_by is None


def test_case_number_is_the_local_date_and_a_daily_sequence(tree, clock):
    # 20:00 UTC on 9 March is already 10 March in Xining.
    clock.set(shanghai(2026, 3, 10, 4, 0))
    first, _ = services.register_case(**intake())
    second, _ = services.register_case(**intake(phone="13897154321"))
    assert first.number == "2026031000001"
    assert second.number == "2026031000002"
    clock.set(shanghai(2026, 3, 11, 0, 1))
    third, _ = services.register_case(**intake())
    assert third.number == "2026031100001"
    assert DailySequence.objects.get(day="2026-03-10").last == 2


def test_registration_writes_the_first_public_event(tree):
    case, _ = services.register_case(**intake())
    event = CaseEvent.objects.get(case=case)
    assert (event.sequence, event.action, event.to_status, event.public) == (
        1,
        Action.CREATE,
        Status.RECEIVED,
        True,
    )
    assert case.event_count == 1 and case.last_event_hash == event.hash


def test_phone_and_id_number_are_normalized_and_the_id_number_encrypted(tree):
    number = id_number()
    case, _ = services.register_case(**intake(phone="+86 138-9711-2345", id_number=number.lower()))
    case.refresh_from_db()
    assert case.phone == "13897112345"
    assert number not in case.id_number_encrypted
    assert crypto.decrypt(case.id_number_encrypted) == number
    assert case.id_number_tail == number[-4:]


def test_employer_key_folds_widths_and_spaces(tree):
    case, _ = services.register_case(**intake(employer_name="青海 某建筑（集团）Co"))
    assert case.employer_key == "青海某建筑(集团)co"


def test_same_intake_key_returns_the_same_case(tree):
    first, created = services.register_case(**intake(intake_key="form-7f3a"))
    again, created_again = services.register_case(**intake(intake_key="form-7f3a"))
    assert created and not created_again
    assert again.pk == first.pk
    assert Case.objects.count() == 1


def test_intake_keys_of_different_workers_do_not_collide(tree):
    first, _ = services.register_case(**intake(intake_key="k1"))
    other, created = services.register_case(**intake(intake_key="k1", phone="13997100000"))
    assert created and other.pk != first.pk


def test_agent_registers_for_the_centre_and_may_leave_an_anonymous_caller_without_phone(staff):
    case, _ = services.register_case(
        **intake(actor=staff.agent, channel=Channel.PHONE, phone="", is_anonymous=True)
    )
    assert case.created_by == staff.agent
    assert case.owner_org == staff.agent.organization
    assert case.phone == ""


def test_prefecture_dispatcher_registers_for_its_own_unit(staff, tree):
    case, _ = services.register_case(**intake(actor=staff.xining_dispatcher, channel="walk_in"))
    assert case.owner_org == tree.xining
    assert case.owner_path == tree.xining.path


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"phone": "12345"}, "case.invalid_phone", "phone"),
        ({"phone": ""}, "case.invalid_phone", "phone"),
        ({"id_number": "630102199003071230"}, "case.invalid_id_number", "id_number"),
        ({"category": "no-such"}, "case.unknown_category", "category"),
        ({"kind": "gossip"}, "case.invalid_choice", "kind"),
        ({"channel": "national"}, "case.invalid_choice", "channel"),
        ({"title": ""}, "case.field_required", "title"),
        ({"title": "欠" * 101}, "case.text_too_long", "title"),
        ({"description": "欠" * 5001}, "case.text_too_long", "description"),
        ({"employer_credit_code": "91630100MA00000000"}, "case.invalid_credit_code", None),
        ({"workplace_division": "999999"}, "case.unknown_division", "workplace_division"),
        ({"people_involved": 0}, "case.invalid_people_involved", "people_involved"),
        ({"intake_key": "k" * 101}, "case.invalid_intake_key", "intake_key"),
    ],
)
def test_bad_intake_is_refused_and_nothing_is_stored(tree, overrides, code, field):
    with pytest.raises(Exception) as refused:
        services.register_case(**intake(**overrides))
    assert refused.value.code == code
    if field:
        assert field in refused.value.fields
    assert not Case.objects.exists()
    assert not DailySequence.objects.exists()


def test_several_bad_fields_are_reported_together(tree):
    with pytest.raises(Exception) as refused:
        services.register_case(**intake(phone="1", title="", category="x"))
    assert refused.value.code == "case.invalid_input"
    assert set(refused.value.fields) == {"phone", "title", "category"}


def test_valid_credit_code_is_kept(tree):
    code = credit_code(7)
    case, _ = services.register_case(**intake(employer_credit_code=code.lower()))
    assert case.employer_credit_code == code


def test_user_without_an_intake_role_cannot_register(staff):
    with pytest.raises(Exception) as refused:
        services.register_case(**intake(actor=staff.chengdong_handler, channel="phone"))
    assert refused.value.code == "case.role_required"
    assert not Case.objects.exists()


def test_owner_outside_the_registering_users_subtree_is_refused(staff, tree):
    with pytest.raises(Exception) as refused:
        services.register_case(
            **intake(actor=staff.xining_dispatcher, channel="phone", owner_org=tree.haixi)
        )
    assert refused.value.code == "case.target_outside_subtree"
    assert not Case.objects.exists()


# --- accept, decline, resolve on first contact -------------------------------------------------


def test_agent_accepts_a_request_and_the_worker_gets_the_number_by_sms(new_case, staff, clock):
    clock.set(shanghai(2026, 3, 10, 9, 0))
    case = services.accept(new_case(kind="consultation"), actor=staff.agent)
    assert case.status == Status.ACCEPTED
    assert case.accepted_at == shanghai(2026, 3, 10, 9, 0)
    # A consultation must be completed within one working day of acceptance.
    assert case.completion_due_at == shanghai(2026, 3, 11, 23, 59, 59)
    sms = OutboxMessage.objects.get(case=case)
    assert (sms.template, sms.recipient_phone) == ("accepted", "13897112345")
    assert case.number in sms.body


def test_accepting_twice_is_a_conflict(new_case, staff, refused):
    case = services.accept(new_case(), actor=staff.agent)
    with refused(case, "case.wrong_status") as info:
        services.accept(case, actor=staff.agent)
    assert info.value.status == 409


def test_a_county_handler_cannot_accept_a_centre_case(new_case, staff, refused):
    case = new_case()
    with refused(case, "case.role_required"):
        services.accept(case, actor=staff.chengdong_handler)


def test_a_prefecture_dispatcher_cannot_accept_a_centre_case(new_case, staff, refused):
    case = new_case()
    with refused(case, "case.not_your_unit") as info:
        services.accept(case, actor=staff.xining_dispatcher)
    assert info.value.status == 403


def test_decline_tells_the_worker_where_to_go(new_case, staff):
    case = services.decline(new_case(), actor=staff.agent, referral="请拨打12333咨询社保政策")
    assert case.status == Status.DECLINED
    assert case.deadline_at is None
    sms = OutboxMessage.objects.get(case=case, template="declined")
    assert "12333" in sms.body


def test_decline_without_referral_is_refused(new_case, staff, refused):
    case = new_case()
    with refused(case, "case.reason_required"):
        services.decline(case, actor=staff.agent, referral="  ")


def test_resolve_directly_answers_and_starts_the_follow_up_clock(accepted_case, staff, clock):
    clock.set(shanghai(2026, 3, 10, 9, 0))
    case = services.resolve_directly(
        accepted_case(), actor=staff.agent, answer="依法可申请劳动仲裁。", article="KB-12"
    )
    assert case.status == Status.RESOLVED
    assert case.answer == "依法可申请劳动仲裁。"
    assert case.stage == Stage.FOLLOW_UP
    assert case.deadline_at == shanghai(2026, 3, 13, 23, 59, 59)
    assert OutboxMessage.objects.filter(case=case, template="resolved").exists()


def test_resolve_directly_needs_an_answer_and_an_accepted_case(new_case, staff, refused):
    case = new_case()
    with refused(case, "case.wrong_status"):
        services.resolve_directly(case, actor=staff.agent, answer="答复")
    case = services.accept(case, actor=staff.agent)
    with refused(case, "case.field_required"):
        services.resolve_directly(case, actor=staff.agent, answer="")


def test_an_assigned_lawyer_sees_and_answers_the_case(accepted_case, staff):
    case = services.assign_lawyer(accepted_case(), actor=staff.agent, lawyer=staff.lawyer)
    assert case.lawyer == staff.lawyer
    case = services.resolve_directly(case, actor=staff.lawyer, answer="建议先固定证据再申请仲裁。")
    assert case.status == Status.RESOLVED


def test_a_lawyer_not_assigned_cannot_answer(accepted_case, staff, refused):
    case = accepted_case()
    with refused(case, "case.not_your_unit"):
        services.resolve_directly(case, actor=staff.lawyer, answer="答复")


def test_only_a_lawyer_of_the_owner_can_be_assigned(accepted_case, staff, refused):
    case = accepted_case()
    with refused(case, "case.not_a_lawyer"):
        services.assign_lawyer(case, actor=staff.agent, lawyer=staff.xining_handler)


def test_case_numbers_look_like_dates(new_case):
    assert re.fullmatch(r"\d{8}\d{5}", new_case().number)
