"""Every lifecycle action through ``POST /api/v1/cases/{number}/<action>``: the good paths, and
each refusal (wrong state 409, out of scope 404, wrong role or unit 403, bad input 400/422)
changing nothing."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from hotline.accounts.models import Role
from hotline.cases import services
from hotline.cases.models import Attachment, CaseEvent
from hotline.cases.states import Rating
from hotline.testing import factories as f

from .conftest import intake, snapshot
from .test_api_support import API, Caller, error_of, ok

PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def caller(client):
    return lambda user: Caller(client, user)


@contextmanager
def unchanged(*cases):
    """Nothing about ``cases`` changes inside the block."""
    before = [snapshot(case) for case in cases]
    yield
    assert [snapshot(case) for case in cases] == before


def last_event(case):
    return CaseEvent.objects.filter(case=case).order_by("-sequence").first()


# --- a valid body for every action ---------------------------------------------------------------


def bodies(tree, staff, other_number):
    return {
        "accept": {},
        "decline": {"referral": "社保待遇核定请咨询12333。"},
        "resolve-directly": {"answer": "依据劳动合同法第三十条，用人单位应当按时足额支付报酬。"},
        "assign-lawyer": {"lawyer": staff.lawyer.username},
        "dispatch": {"to": tree.xining.pk},
        "acknowledge": {},
        "return": {"reason": "不属于本单位辖区"},
        "reassign": {"to": tree.haixi.pk, "reason": "用人单位在海西"},
        "escalate": {"note": "需要上级协调"},
        "reply": {"result": "已协调补发工资", "solved": True},
        "approve": {},
        "send-back": {"reason": "请补充证据"},
        "request-extension": {"days": 5, "reason": "需要等待仲裁结果"},
        "decide-extension": {"approve": True},
        "follow-up": {"rating": "satisfied", "solved": True},
        "close-after-review": {"explanation": "已依法处理完毕"},
        "reopen": {"reason": "职工反映未解决"},
        "urge": {"note": "请尽快办理"},
        "supervise": {"note": "重点督办"},
        "merge": {"into": other_number},
        "comment": {"text": "已电话联系职工"},
    }


# Actions a received case allows; every other one is in the wrong state there.
ALLOWED_ON_RECEIVED = {"accept", "decline", "supervise", "merge", "comment"}
ALL_ACTIONS = [
    "accept", "decline", "resolve-directly", "assign-lawyer", "dispatch", "acknowledge", "return",
    "reassign", "escalate", "reply", "approve", "send-back", "request-extension",
    "decide-extension", "follow-up", "close-after-review", "reopen", "urge", "supervise", "merge",
    "comment",
]  # fmt: skip


@pytest.mark.parametrize("action", sorted(set(ALL_ACTIONS) - ALLOWED_ON_RECEIVED))
def test_an_action_in_the_wrong_state_answers_409_and_changes_nothing(
    caller, staff, tree, new_case, action
):
    case = new_case()
    other = new_case(phone="13997100001")
    with unchanged(case, other):
        response = caller(staff.province_supervisor).post(
            f"/cases/{case.number}/{action}", bodies(tree, staff, other.number)[action]
        )
        assert error_of(response, 409)["code"] == "case.wrong_status"


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_an_action_on_a_case_out_of_scope_answers_404_and_changes_nothing(
    caller, staff, tree, accepted_case, flow, action
):
    case = flow.at_county(accepted_case())
    with unchanged(case):
        response = caller(staff.chengzhong_handler).post(
            f"/cases/{case.number}/{action}", bodies(tree, staff, case.number)[action]
        )
        assert error_of(response, 404)["code"] == "case.not_found"


def test_an_action_on_an_unknown_number_answers_404(caller, staff):
    response = caller(staff.agent).post("/cases/2099010100001/accept")
    assert error_of(response, 404)["code"] == "case.not_found"


@pytest.mark.parametrize("content_type", ["application/json", ""])
def test_an_action_without_required_fields_needs_no_body_at_all(
    client, staff, new_case, content_type
):
    case = new_case()
    token = Caller(client, staff.agent).token
    # An empty body, as ``curl -X POST`` sends it (the test client would send "{}").
    response = client.generic(
        "POST",
        f"{API}/cases/{case.number}/accept",
        b"",
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert ok(response)["status"] == "accepted"


def test_an_action_with_required_fields_refuses_an_empty_body(client, staff, new_case):
    case = new_case()
    token = Caller(client, staff.agent).token
    with unchanged(case):
        response = client.generic(
            "POST",
            f"{API}/cases/{case.number}/decline",
            b"",
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert error_of(response, 422)["code"] == "invalid"


def test_a_handler_cannot_accept_and_nothing_changes(caller, staff, new_case):
    case = new_case()
    with unchanged(case):
        response = caller(staff.chengdong_handler).post(f"/cases/{case.number}/decline", {
            "referral": "请咨询12333"
        })  # fmt: skip
        # The centre's case is outside a county handler's scope altogether.
        assert error_of(response, 404)["code"] == "case.not_found"
    with unchanged(case):
        response = caller(staff.lawyer).post(f"/cases/{case.number}/accept")
        assert error_of(response, 404)["code"] == "case.not_found"
    province_handler = f.user(staff.agent.organization, Role.HANDLER)
    with unchanged(case):
        response = caller(province_handler).post(f"/cases/{case.number}/accept")
        assert error_of(response, 403)["code"] == "case.role_required"


# --- intake steps ------------------------------------------------------------------------------


def test_decline_tells_the_worker_where_to_go(caller, staff, new_case):
    case = new_case()
    body = ok(
        caller(staff.agent).post(f"/cases/{case.number}/decline", {"referral": "请咨询12333"})
    )
    assert (body["status"], body["referral"]) == ("declined", "请咨询12333")
    assert body["allowed_actions"] == ["comment", "attachments"]


def test_decline_without_a_referral_is_refused(caller, staff, new_case):
    case = new_case()
    with unchanged(case):
        error = error_of(
            caller(staff.agent).post(f"/cases/{case.number}/decline", {"referral": "  "}), 400
        )
    assert (error["code"], list(error["fields"])) == ("case.reason_required", ["referral"])


def test_a_missing_body_field_answers_422_naming_it(caller, staff, new_case):
    case = new_case()
    with unchanged(case):
        error = error_of(caller(staff.agent).post(f"/cases/{case.number}/decline", {}), 422)
    assert (error["code"], list(error["fields"])) == ("invalid", ["referral"])


def test_resolve_directly_answers_on_first_contact(caller, staff, accepted_case):
    case = accepted_case()
    body = ok(
        caller(staff.agent).post(
            f"/cases/{case.number}/resolve-directly", {"answer": "可申请劳动仲裁。"}
        )
    )
    assert (body["status"], body["answer"]) == ("resolved", "可申请劳动仲裁。")
    assert body["deadline"]["stage"] == "follow_up"


def test_an_assigned_lawyer_sees_the_case_and_resolves_it(caller, staff, accepted_case):
    case = accepted_case()
    body = ok(
        caller(staff.agent).post(
            f"/cases/{case.number}/assign-lawyer", {"lawyer": staff.lawyer.username}
        )
    )
    assert body["lawyer"] == "值班律师"
    lawyer = caller(staff.lawyer)
    assert "resolve-directly" in ok(lawyer.get(f"/cases/{case.number}"))["allowed_actions"]
    answered = lawyer.post(f"/cases/{case.number}/resolve-directly", {"answer": "建议申请仲裁。"})
    assert ok(answered)["status"] == "resolved"


@pytest.mark.parametrize("lawyer", ["nobody", "agent"])
def test_assigning_someone_who_is_not_a_lawyer_is_refused(caller, staff, accepted_case, lawyer):
    case = accepted_case()
    username = staff.agent.username if lawyer == "agent" else "nobody"
    with unchanged(case):
        response = caller(staff.agent).post(
            f"/cases/{case.number}/assign-lawyer", {"lawyer": username}
        )
        error = error_of(response, 400)
    assert (error["code"], list(error["fields"])) == ("case.not_a_lawyer", ["lawyer"])


# --- dispatch down the tree --------------------------------------------------------------------


def test_dispatch_with_assisting_units(caller, staff, tree, accepted_case):
    case = accepted_case()
    body = ok(
        caller(staff.agent).post(
            f"/cases/{case.number}/dispatch",
            {"to": tree.xining.pk, "assisting": [tree.golmud.pk], "note": "请核实", "days": 10},
        )
    )
    assert body["status"] == "dispatched"
    assert body["handling_unit"]["id"] == tree.xining.pk
    assert body["assisting_units"] == [{"id": tree.golmud.pk, "name": tree.golmud.name}]
    assert last_event(case).data["days"] == 10
    # The assisting unit now sees the case.
    assert ok(caller(staff.golmud_handler).get(f"/cases/{case.number}"))["number"] == case.number


@pytest.mark.parametrize("target", ["sibling", "above", "unknown", "own"])
def test_dispatch_to_a_unit_outside_the_callers_subtree_is_refused(
    caller, staff, tree, accepted_case, flow, target
):
    case = flow.at_prefecture(accepted_case())
    to = {
        "sibling": tree.golmud.pk,
        "above": tree.province.pk,
        "unknown": 999_999,
        "own": tree.xining.pk,
    }[target]
    with unchanged(case):
        response = caller(staff.xining_dispatcher).post(
            f"/cases/{case.number}/dispatch", {"to": to}
        )
        error = error_of(response, 400)
    expected = "case.target_is_own_unit" if target == "own" else "case.target_outside_subtree"
    assert (error["code"], list(error["fields"])) == (expected, ["to"])


def test_an_unknown_and_a_hidden_unit_get_the_same_answer(caller, staff, accepted_case, flow, tree):
    case = flow.at_prefecture(accepted_case())
    dispatcher = caller(staff.xining_dispatcher)
    hidden = dispatcher.post(f"/cases/{case.number}/dispatch", {"to": tree.golmud.pk})
    unknown = dispatcher.post(f"/cases/{case.number}/dispatch", {"to": 999_999})
    assert hidden.content == unknown.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": 1, "days": 0}, "days"),
        ({"to": 1, "days": 61}, "days"),
        ({"to": 1, "note": "长" * 2001}, "note"),
        ({"to": "xining"}, "to"),
        ({"to": 1, "assisting": list(range(11))}, "assisting"),
    ],
)
def test_bad_dispatch_input_answers_422(caller, staff, accepted_case, body, field):
    case = accepted_case()
    with unchanged(case):
        error = error_of(caller(staff.agent).post(f"/cases/{case.number}/dispatch", body), 422)
    assert error["code"] == "invalid" and field in error["fields"]


def test_a_county_returns_a_misrouted_case_and_is_still_told_how_it_stands(
    caller, staff, tree, accepted_case, flow
):
    case = flow.at_county(accepted_case())
    handler = caller(staff.chengdong_handler)
    body = ok(handler.post(f"/cases/{case.number}/return", {"reason": "不属于本辖区"}))
    assert (body["status"], body["handling_unit"]["id"]) == ("in_progress", tree.xining.pk)
    assert body["allowed_actions"] == []
    # From now on the county no longer sees it.
    assert error_of(handler.get(f"/cases/{case.number}"), 404)["code"] == "case.not_found"


def test_return_needs_a_reason(caller, staff, accepted_case, flow):
    case = flow.at_county(accepted_case())
    with unchanged(case):
        response = caller(staff.chengdong_handler).post(
            f"/cases/{case.number}/return", {"reason": ""}
        )
        assert error_of(response, 400)["code"] == "case.reason_required"


def test_reassign_and_escalate(caller, staff, tree, accepted_case, flow):
    case = flow.at_county(accepted_case())
    body = ok(
        caller(staff.xining_dispatcher).post(
            f"/cases/{case.number}/reassign", {"to": tree.chengzhong.pk, "reason": "辖区有误"}
        )
    )
    assert (body["status"], body["handling_unit"]["id"]) == ("dispatched", tree.chengzhong.pk)
    body = ok(
        caller(staff.chengzhong_handler).post(
            f"/cases/{case.number}/escalate", {"note": "需市总协调"}
        )
    )
    assert body["handling_unit"]["id"] == tree.xining.pk


# --- reply, review, extension ------------------------------------------------------------------


def test_send_back_and_the_extension_round(caller, staff, accepted_case, flow):
    case = flow.replied_at_prefecture(accepted_case())
    agent = caller(staff.agent)
    body = ok(agent.post(f"/cases/{case.number}/send-back", {"reason": "请补充证据", "days": 3}))
    assert body["status"] == "in_progress"
    handler = caller(staff.xining_handler)
    body = ok(
        handler.post(f"/cases/{case.number}/request-extension", {"days": 5, "reason": "等待仲裁"})
    )
    assert body["extension"] == {"state": "requested", "days": 5, "reason": "等待仲裁"}
    with unchanged(case):
        again = handler.post(
            f"/cases/{case.number}/request-extension", {"days": 5, "reason": "再等等"}
        )
        assert error_of(again, 409)["code"] == "case.extension_already_used"
    with unchanged(case):
        refusal = agent.post(f"/cases/{case.number}/decide-extension", {"approve": False})
        assert error_of(refusal, 400)["code"] == "case.reason_required"
    body = ok(agent.post(f"/cases/{case.number}/decide-extension", {"approve": True}))
    assert body["extension"]["state"] == "approved"


def test_request_extension_refuses_too_many_days(caller, staff, accepted_case, flow):
    case = flow.at_prefecture(accepted_case())
    with unchanged(case):
        response = caller(staff.xining_handler).post(
            f"/cases/{case.number}/request-extension", {"days": 31, "reason": "太久"}
        )
        assert list(error_of(response, 422)["fields"]) == ["days"]


def test_a_reply_needs_to_say_whether_it_is_solved(caller, staff, accepted_case, flow):
    case = flow.at_prefecture(accepted_case())
    with unchanged(case):
        response = caller(staff.xining_handler).post(
            f"/cases/{case.number}/reply", {"result": "已处理"}
        )
        assert list(error_of(response, 422)["fields"]) == ["solved"]


def test_only_the_dispatching_unit_approves(caller, staff, accepted_case, flow):
    case = flow.replied_at_prefecture(accepted_case())
    with unchanged(case):
        response = caller(staff.xining_dispatcher).post(f"/cases/{case.number}/approve")
        assert error_of(response, 403)["code"] == "case.not_your_unit"


# --- after resolution --------------------------------------------------------------------------


def test_dissatisfied_follow_up_then_close_after_review(caller, staff, accepted_case, flow):
    case = flow.resolved(accepted_case())
    body = ok(
        caller(staff.agent).post(
            f"/cases/{case.number}/follow-up", {"rating": "dissatisfied", "solved": False}
        )
    )
    assert (body["status"], body["rating"]) == ("resolved", "dissatisfied")
    with unchanged(case):
        twice = caller(staff.agent).post(
            f"/cases/{case.number}/follow-up", {"rating": "satisfied", "solved": True}
        )
        assert error_of(twice, 409)["code"] == "case.already_rated"
    supervisor = caller(staff.province_supervisor)
    assert {"close-after-review", "reopen"} <= set(
        ok(supervisor.get(f"/cases/{case.number}"))["allowed_actions"]
    )
    body = ok(
        supervisor.post(f"/cases/{case.number}/close-after-review", {"explanation": "已依法处理"})
    )
    assert body["status"] == "closed"


def test_a_follow_up_with_an_unknown_rating_answers_422(caller, staff, accepted_case, flow):
    case = flow.resolved(accepted_case())
    with unchanged(case):
        response = caller(staff.agent).post(
            f"/cases/{case.number}/follow-up", {"rating": "great", "solved": True}
        )
        assert list(error_of(response, 422)["fields"]) == ["rating"]


def test_a_supervisor_reopens_a_closed_case(caller, staff, accepted_case, flow):
    case = flow.resolved(accepted_case())
    services.follow_up(case, actor=staff.agent, rating=Rating.SATISFIED, solved=True)
    body = ok(
        caller(staff.province_supervisor).post(
            f"/cases/{case.number}/reopen", {"reason": "职工再次来电"}
        )
    )
    assert (body["status"], body["rating"]) == ("in_progress", "")


# --- supervision, merge, notes -----------------------------------------------------------------


def test_urge_and_supervise(caller, staff, accepted_case, flow):
    case = flow.at_prefecture(accepted_case())
    supervisor = caller(staff.province_supervisor)
    assert ok(supervisor.post(f"/cases/{case.number}/urge", {"note": "请尽快"}))["urge_count"] == 1
    body = ok(supervisor.post(f"/cases/{case.number}/supervise", {"note": "重点督办"}))
    assert body["supervised"] is True
    with unchanged(case):
        again = supervisor.post(f"/cases/{case.number}/supervise", {"note": "再次督办"})
        assert error_of(again, 409)["code"] == "case.already_supervised"


def test_merge_a_duplicate_into_the_original(caller, staff, new_case):
    original = new_case()
    duplicate = new_case(phone="13997100001")
    body = ok(
        caller(staff.agent).post(f"/cases/{duplicate.number}/merge", {"into": original.number})
    )
    assert (body["status"], body["merged_into"]) == ("merged", original.number)


@pytest.mark.parametrize("into", ["2099010100001", "self", "hidden"])
def test_merge_into_an_unknown_or_hidden_case_is_refused(
    caller, staff, tree, new_case, accepted_case, into
):
    duplicate, _ = services.register_case(
        **intake(actor=staff.xining_dispatcher, channel="walk_in")
    )
    hidden = new_case(phone="13997100009")
    target = {"self": duplicate.number, "hidden": hidden.number}.get(into, into)
    with unchanged(duplicate, hidden):
        response = caller(staff.xining_dispatcher).post(
            f"/cases/{duplicate.number}/merge", {"into": target}
        )
        error = error_of(response, 400)
    expected = "case.merge_into_self" if into == "self" else "case.merge_target_not_found"
    assert (error["code"], list(error["fields"])) == (expected, ["into"])


def test_comments_are_internal_unless_public(caller, staff, accepted_case):
    case = accepted_case()
    agent = caller(staff.agent)
    ok(agent.post(f"/cases/{case.number}/comment", {"text": "内部备注"}))
    assert last_event(case).public is False
    ok(agent.post(f"/cases/{case.number}/comment", {"text": "已收到材料", "public": True}))
    assert last_event(case).public is True


def test_an_empty_or_oversized_comment_is_refused(caller, staff, accepted_case):
    case = accepted_case()
    agent = caller(staff.agent)
    with unchanged(case):
        error = error_of(agent.post(f"/cases/{case.number}/comment", {"text": " "}), 400)
        assert error["code"] == "case.field_required"
        error = error_of(agent.post(f"/cases/{case.number}/comment", {"text": "长" * 2001}), 422)
        assert list(error["fields"]) == ["text"]


# --- attachments -------------------------------------------------------------------------------


def upload(client, caller_, number, name, content, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"{API}/cases/{number}/attachments",
        {"file": SimpleUploadedFile(name, content), **extra},
        headers=caller_.headers(),
    )


def test_a_file_is_attached_with_an_event(client, caller, staff, accepted_case):
    case = accepted_case()
    response = upload(client, caller(staff.agent), case.number, "工资条.pdf", PDF, note="工资条")
    body = ok(response, 201)
    assert (body["name"], body["content_type"], body["size"]) == (
        "工资条.pdf",
        "application/pdf",
        len(PDF),
    )
    attachment = Attachment.objects.get()
    assert attachment.event == last_event(case) and attachment.event.note == "工资条"


def test_a_file_whose_content_does_not_match_its_type_is_refused(
    client, caller, staff, accepted_case
):
    case = accepted_case()
    with unchanged(case):
        response = upload(client, caller(staff.agent), case.number, "病毒.pdf", b"MZ\x90\x00")
        error = error_of(response, 400)
    assert (error["code"], list(error["fields"])) == ("case.file_type_not_allowed", ["file"])
    assert not Attachment.objects.exists()


def test_an_upload_without_a_file_answers_422(client, caller, staff, accepted_case):
    case = accepted_case()
    response = client.post(
        f"{API}/cases/{case.number}/attachments",
        {"note": "x"},
        headers=caller(staff.agent).headers(),
    )
    assert list(error_of(response, 422)["fields"]) == ["file"]
