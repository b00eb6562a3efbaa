"""The staff case API: intake with idempotency and duplicate hints, the scoped list and its filters
(a constant number of queries per page), the detail, personal data, screen pop, categories."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client

from hotline.accounts.models import AccessEvent, AccessLog, Role
from hotline.cases import services
from hotline.cases.models import Case, CaseEvent
from hotline.cases.states import Kind
from hotline.testing import factories as f

from .conftest import id_number, intake, shanghai
from .test_api_support import API, Caller, error_of, ok


@pytest.fixture
def caller(client):
    return lambda user: Caller(client, user)


def case_body(**overrides):
    body = {
        "channel": "phone",
        "kind": "complaint",
        "category": "0101",
        "title": "建筑公司拖欠三个月工资",
        "description": "青海某建筑工程有限公司拖欠我们三个月工资，一共二十多人，多次讨要未果。",
        "worker_name": "张师傅",
        "phone": "13897112345",
        "employer_name": "青海某建筑工程有限公司",
        "workplace_division": "630102",
        "people_involved": 23,
    }
    body.update(overrides)
    return body


# --- intake ------------------------------------------------------------------------------------


def test_an_agent_registers_a_case_and_gets_its_number_status_clock_and_links(caller, staff):
    body = ok(caller(staff.agent).post("/cases", case_body(id_number=id_number())), 201)
    case = Case.objects.get(number=body["number"])
    assert case.owner_org == staff.agent.organization and case.created_by == staff.agent
    assert set(body) == {"number", "status", "status_label", "owner", "deadline", "created_at",
                         "links"}  # fmt: skip
    assert (body["status"], body["status_label"]) == ("received", "待受理")
    assert body["owner"] == {"id": staff.agent.organization.pk, "name": "青海省总工会"}
    assert body["deadline"]["stage"] == "accept" and body["deadline"]["due_state"] == "on_time"
    assert datetime.datetime.fromisoformat(body["deadline"]["deadline_at"]) == case.deadline_at
    assert body["created_at"].endswith("+08:00")
    assert body["links"] == {
        "self": f"{API}/cases/{case.number}",
        "duplicates": f"{API}/cases/{case.number}/duplicates",
    }


def test_the_registered_case_in_full_is_at_its_self_link(caller, staff):
    agent = caller(staff.agent)
    link = ok(agent.post("/cases", case_body(id_number=id_number())), 201)["links"]["self"]
    detail = ok(agent.client.get(link, headers=agent.headers()))
    case = Case.objects.get(number=detail["number"])
    assert (detail["status"], detail["channel"], detail["category"]["code"]) == (
        "received",
        "phone",
        "0101",
    )
    assert detail["phone"] == "138****2345" and detail["worker_name"] == "张**"
    assert detail["id_number"] == "*" * 14 + case.id_number_tail
    assert [event["action"] for event in detail["events"]] == ["create"]
    assert {"accept", "decline", "comment", "attachments"} <= set(detail["allowed_actions"])


def test_recent_similar_cases_of_the_same_phone_are_at_the_duplicates_link(caller, staff, new_case):
    earlier = new_case()
    agent = caller(staff.agent)
    link = ok(agent.post("/cases", case_body()), 201)["links"]["duplicates"]
    hints = ok(agent.client.get(link, headers=agent.headers()))
    assert [hint["number"] for hint in hints] == [earlier.number]
    assert set(hints[0]) == {
        "number",
        "title",
        "status",
        "status_label",
        "created_at",
        "similarity",
    }


def test_a_case_with_no_similar_case_has_no_duplicates(caller, staff):
    agent = caller(staff.agent)
    number = ok(agent.post("/cases", case_body()), 201)["number"]
    assert ok(agent.get(f"/cases/{number}/duplicates")) == []


def test_duplicates_list_only_cases_the_caller_may_see(caller, staff, accepted_case, flow):
    # A similar earlier request stays with Xining; Chengdong's handler sees only its own case.
    earlier = flow.at_prefecture(accepted_case())
    mine = flow.at_county(accepted_case())
    chengdong = caller(staff.chengdong_handler)
    assert ok(chengdong.get(f"/cases/{mine.number}/duplicates")) == []
    hints = ok(caller(staff.agent).get(f"/cases/{mine.number}/duplicates"))
    assert [hint["number"] for hint in hints] == [earlier.number]


def test_duplicates_of_a_case_outside_the_callers_scope_answer_404(caller, staff, new_case):
    case = new_case()
    response = caller(staff.golmud_handler).get(f"/cases/{case.number}/duplicates")
    assert error_of(response, 404)["code"] == "case.not_found"


def test_an_agent_may_register_and_accept_at_once(caller, staff):
    agent = caller(staff.agent)
    body = ok(agent.post("/cases", case_body(accept=True)), 201)
    assert (body["status"], body["deadline"]["stage"]) == ("accepted", "complete")
    assert body["deadline"]["completion_due_at"] is not None
    detail = ok(agent.get(f"/cases/{body['number']}"))
    assert [event["action"] for event in detail["events"]] == ["create", "accept"]


def test_a_repeated_submission_with_accept_is_not_accepted_again(caller, staff):
    agent = caller(staff.agent)
    headers = {"Idempotency-Key": "call-0002"}
    first = ok(agent.post("/cases", case_body(accept=True), headers=headers), 201)
    again = ok(agent.post("/cases", case_body(accept=True), headers=headers), 200)
    assert again == first
    assert CaseEvent.objects.filter(case__number=first["number"]).count() == 2


def test_intake_costs_a_fixed_number_of_queries(caller, staff, django_assert_num_queries):
    agent = caller(staff.agent)
    ok(agent.post("/cases", case_body(), headers={"Idempotency-Key": "warm"}), 201)
    # The token with the user's roles, the category, the division, the key, the number, the case,
    # its first event; and the savepoint around them (the test's transaction stands in for
    # autocommit, so the number is drawn inside it). No read-back of the case; the deadline rules
    # come from the process's copy, read by the warm-up.
    with django_assert_num_queries(9):
        ok(agent.post("/cases", case_body(), headers={"Idempotency-Key": "call-0003"}), 201)


def test_a_refused_acceptance_leaves_no_case_behind(caller, staff, tree):
    # A prefecture dispatcher may register for a county below it, but only the county accepts.
    response = caller(staff.xining_dispatcher).post(
        "/cases", case_body(owner_org=tree.chengdong.pk, accept=True)
    )
    assert error_of(response, 403)["code"] == "case.not_your_unit"
    assert not Case.objects.exists()


def test_the_same_idempotency_key_returns_the_same_case_and_stores_one(caller, staff):
    agent = caller(staff.agent)
    first = agent.post("/cases", case_body(), headers={"Idempotency-Key": "call-0001"})
    again = agent.post(
        "/cases", case_body(title="换了标题"), headers={"Idempotency-Key": "call-0001"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Case.objects.count() == 1
    assert Case.objects.get().intake_key == f"user:{staff.agent.pk}:call-0001"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes all writers")
def test_two_racing_submissions_with_one_key_make_one_case(wage_categories, staff):
    token = Caller(Client(), staff.agent).token
    barrier = threading.Barrier(2)
    answers: list[tuple[int, str]] = []

    def submit() -> None:
        try:
            barrier.wait()
            response = Client().post(
                f"{API}/cases",
                case_body(),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "race-1"},
            )
            answers.append((response.status_code, response.json().get("number", "")))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _number in answers) == [200, 201]
    assert answers[0][1] == answers[1][1] != ""
    assert Case.objects.count() == 1


def test_idempotency_keys_are_scoped_per_user(caller, staff, tree):
    other_agent = f.user(tree.province, Role.AGENT)
    headers = {"Idempotency-Key": "call-0001"}
    first = caller(staff.agent).post("/cases", case_body(), headers=headers)
    second = caller(other_agent).post("/cases", case_body(), headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["number"] != second.json()["number"]


def test_an_idempotency_key_longer_than_100_characters_is_refused(caller, staff):
    response = caller(staff.agent).post(
        "/cases", case_body(), headers={"Idempotency-Key": "k" * 101}
    )
    error = error_of(response, 422)
    assert (error["code"], list(error["fields"])) == ("invalid", ["Idempotency-Key"])
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"category": "9999"}, 400, "case.unknown_category", "category"),
        ({"phone": "12345"}, 400, "case.invalid_phone", "phone"),
        ({"id_number": "630102199003071235"}, 400, "case.invalid_id_number", "id_number"),
        ({"workplace_division": "999999"}, 400, "case.unknown_division", "workplace_division"),
        ({"employer_credit_code": "91630100ABC"}, 400, "case.invalid_credit_code",
         "employer_credit_code"),
        ({"title": "   "}, 400, "case.field_required", "title"),
        ({"description": "长" * 5001}, 422, "invalid", "description"),
        ({"title": "长" * 101}, 422, "invalid", "title"),
        ({"kind": "gossip"}, 422, "invalid", "kind"),
        ({"people_involved": 0}, 422, "invalid", "people_involved"),
    ],
)  # fmt: skip
def test_bad_intake_is_refused_naming_the_field_and_stores_nothing(
    caller, staff, overrides, status, code, field
):
    error = error_of(caller(staff.agent).post("/cases", case_body(**overrides)), status)
    assert error["code"] == code
    assert field in error["fields"]
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_several_bad_intake_fields_are_named_together(caller, staff):
    response = caller(staff.agent).post("/cases", case_body(category="9999", phone="1"))
    error = error_of(response, 400)
    assert error["code"] == "case.invalid_input"
    assert {"category", "phone"} <= set(error["fields"])


def test_a_handler_cannot_register_a_case(caller, staff):
    response = caller(staff.chengdong_handler).post("/cases", case_body())
    assert error_of(response, 403)["code"] == "case.role_required"
    assert not Case.objects.exists()


@pytest.mark.parametrize("owner", ["haixi", "unknown"])
def test_an_owner_outside_the_callers_subtree_is_refused_like_an_unknown_one(
    caller, staff, tree, owner
):
    owner_id = tree.haixi.pk if owner == "haixi" else 999_999
    response = caller(staff.xining_dispatcher).post("/cases", case_body(owner_org=owner_id))
    error = error_of(response, 400)
    assert (error["code"], list(error["fields"])) == ("case.target_outside_subtree", ["owner_org"])
    assert not Case.objects.exists()


# --- the list ----------------------------------------------------------------------------------


@pytest.fixture
def cases(staff, tree, accepted_case, new_case, flow):
    """A received case, an accepted complaint, one at Chengdong (help), one at Golmud."""
    received = new_case(phone="13997100001", title="咨询社保", category="0201", kind=Kind.HELP)
    accepted = accepted_case(phone="13997100002")
    chengdong = flow.at_county(accepted_case(phone="13997100003", kind=Kind.HELP))
    golmud = services.dispatch(
        accepted_case(phone="13997100004", category="0401"), actor=staff.agent, to=tree.golmud
    )
    return {"received": received, "accepted": accepted, "chengdong": chengdong, "golmud": golmud}


def numbers(body):
    return [item["number"] for item in body["items"]]


def test_the_province_lists_every_case_newest_first(caller, staff, cases):
    body = ok(caller(staff.province_supervisor).get("/cases"))
    assert (body["count"], body["count_is_exact"]) == (4, True)
    assert numbers(body) == [
        cases[name].number for name in ("golmud", "chengdong", "accepted", "received")
    ]


def test_a_county_handler_lists_only_the_cases_handled_in_its_county(caller, staff, cases):
    body = ok(caller(staff.chengdong_handler).get("/cases"))
    assert (body["count"], numbers(body)) == (1, [cases["chengdong"].number])
    assert ok(caller(staff.chengzhong_handler).get("/cases"))["count"] == 0


def test_a_list_item_shows_the_handling_unit_and_the_clock(caller, staff, cases, tree):
    item = ok(caller(staff.chengdong_handler).get("/cases"))["items"][0]
    assert item["handling_unit"] == {"id": tree.chengdong.pk, "name": tree.chengdong.name}
    assert item["status"] == "in_progress" and item["due_state"] == "on_time"
    assert item["deadline_at"].endswith("+08:00")
    assert item["kind_label"] and item["status_label"]
    assert item["category"]["full_name"] == "劳动报酬 / 拖欠工资"


def test_lists_mask_phones_and_names_for_agents_and_handlers_alike(caller, staff, cases):
    by_agent = ok(caller(staff.agent).get("/cases", text=cases["chengdong"].number))["items"][0]
    by_handler = ok(caller(staff.chengdong_handler).get("/cases"))["items"][0]
    assert (by_agent["phone"], by_agent["worker_name"]) == ("139****0003", "张**")
    assert (by_handler["phone"], by_handler["worker_name"]) == ("139****0003", "张**")
    assert not AccessLog.objects.filter(event=AccessEvent.PERSONAL_DATA_VIEW).exists()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "received"}, ["received"]),
        ({"kind": "help"}, ["chengdong", "received"]),
        ({"category": "02"}, ["received"]),
        ({"category": "0401"}, ["golmud"]),
        ({"category": "nope"}, []),
        ({"text": "13997100002"}, ["accepted"]),
        ({"text": "咨询社保"}, ["received"]),
    ],
)
def test_the_list_filters(caller, staff, cases, params, expected):
    body = ok(caller(staff.agent).get("/cases", **params))
    assert numbers(body) == [cases[name].number for name in expected]
    assert body["count"] == len(expected)


def test_the_unit_filter_takes_a_subtree_and_ignores_units_out_of_scope(caller, staff, cases, tree):
    assert numbers(ok(caller(staff.agent).get("/cases", unit=tree.xining.pk))) == [
        cases["chengdong"].number
    ]
    assert numbers(ok(caller(staff.agent).get("/cases", unit=tree.haixi.pk))) == [
        cases["golmud"].number
    ]
    assert ok(caller(staff.xining_dispatcher).get("/cases", unit=tree.haixi.pk))["count"] == 0


def test_the_overdue_due_soon_and_supervised_filters(caller, staff, cases, clock):
    services.supervise(cases["golmud"], actor=staff.province_supervisor, note="重点关注")
    agent = caller(staff.agent)
    assert numbers(ok(agent.get("/cases", supervised=True))) == [cases["golmud"].number]
    assert ok(agent.get("/cases", overdue=True))["count"] == 0
    clock.set(cases["received"].warning_at + datetime.timedelta(minutes=1))
    assert cases["received"].number in numbers(ok(agent.get("/cases", due_soon=True)))
    clock.advance(days=60)
    overdue = ok(agent.get("/cases", overdue=True))
    assert set(numbers(overdue)) == {case.number for case in cases.values()}
    assert {item["due_state"] for item in overdue["items"]} == {"overdue"}


def test_the_created_date_filters_count_local_days(caller, staff, clock, new_case):
    clock.set(shanghai(2025, 3, 3, 23, 30))
    monday = new_case(phone="13997100011")
    clock.set(shanghai(2025, 3, 4, 0, 30))
    tuesday = new_case(phone="13997100012")
    agent = caller(staff.agent)
    assert numbers(ok(agent.get("/cases", created_to="2025-03-03"))) == [monday.number]
    assert numbers(ok(agent.get("/cases", created_from="2025-03-04"))) == [tuesday.number]


def test_the_list_is_paginated(caller, staff, cases):
    agent = caller(staff.agent)
    page = ok(agent.get("/cases", limit=3, offset=2))
    assert (page["count"], page["limit"], page["offset"]) == (4, 3, 2)
    assert numbers(page) == [cases["accepted"].number, cases["received"].number]


def test_a_count_past_the_cap_says_it_is_a_lower_bound_and_the_pages_go_on(
    caller, staff, cases, monkeypatch
):
    from hotline.cases import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    agent = caller(staff.agent)
    first = ok(agent.get("/cases", limit=2))
    assert (first["count"], first["count_is_exact"]) == (2, False)
    rest = ok(agent.get("/cases", limit=2, offset=2))
    assert numbers(rest) == [cases["accepted"].number, cases["received"].number]
    assert ok(agent.get("/cases", status="received"))["count_is_exact"] is True


@pytest.mark.parametrize(
    "params", [{"limit": 101}, {"limit": 0}, {"offset": -1}, {"status": "lost"}, {"unit": "x"}]
)
def test_bad_list_parameters_answer_422(caller, staff, params):
    error = error_of(caller(staff.agent).get("/cases", **params), 422)
    assert list(error["fields"]) == list(params)


# Token check with the caller's roles, its last-used stamp, the count, the page.
LIST_QUERIES = 4


@pytest.mark.parametrize("count", [5, 40])
@pytest.mark.parametrize(
    ("filters", "extra"),
    [({}, 0), ({"category": "01", "kind": "complaint", "text": "工资", "status": "received"}, 1)],
)
def test_the_list_costs_the_same_queries_whatever_its_length(
    caller, staff, django_assert_num_queries, count, filters, extra
):
    for index in range(count):
        services.register_case(**intake(phone=f"1399710{index:04d}"))
    agent = caller(staff.agent)
    with django_assert_num_queries(LIST_QUERIES + extra):
        body = ok(agent.get("/cases", limit=100, **filters))
    assert len(body["items"]) == body["count"] == count


# --- the detail --------------------------------------------------------------------------------


def test_the_detail_shows_the_timeline_units_chain_and_deadlines(
    caller, staff, tree, accepted_case
):
    case = services.dispatch(
        accepted_case(), actor=staff.agent, to=tree.xining, assisting=[tree.haixi], note="请核实"
    )
    case = services.acknowledge(case, actor=staff.xining_handler)
    case = services.dispatch(case, actor=staff.xining_dispatcher, to=tree.chengdong)
    body = ok(caller(staff.xining_dispatcher).get(f"/cases/{case.number}"))
    assert [event["action"] for event in body["events"]] == [
        "create", "accept", "dispatch", "acknowledge", "dispatch"
    ]  # fmt: skip
    dispatch = body["events"][2]
    assert dispatch["actor_name"] == "坐席小王" and dispatch["note"] == "请核实"
    assert dispatch["organization"] == {"id": tree.province.pk, "name": tree.province.name}
    assert (dispatch["from_status"], dispatch["to_status"]) == ("accepted", "dispatched")
    assert dispatch["action_label"]
    assert [step["unit"]["id"] for step in body["dispatch_chain"]] == [
        tree.province.pk,
        tree.xining.pk,
    ]
    assert body["handling_unit"]["id"] == tree.chengdong.pk
    assert body["dispatching_unit"]["id"] == tree.xining.pk
    assert body["owner"]["id"] == tree.province.pk
    assert body["assisting_units"] == [{"id": tree.haixi.pk, "name": tree.haixi.name}]
    assert body["deadline"]["stage"] == "acknowledge"
    assert body["deadline"]["completion_due_at"] is not None
    assert body["allowed_actions"] == ["reassign", "urge", "comment", "attachments"]


def test_a_case_out_of_scope_answers_exactly_like_an_unknown_number(caller, staff, cases):
    handler = caller(staff.chengzhong_handler)
    hidden = handler.get(f"/cases/{cases['chengdong'].number}")
    unknown = handler.get("/cases/2099010100001")
    assert error_of(hidden, 404)["code"] == "case.not_found"
    assert hidden.content == unknown.content


def test_a_malformed_case_number_answers_422(caller, staff):
    assert (
        error_of(caller(staff.agent).get("/cases/abc"), 422)["fields"]
        == {"number": "The format is not valid."}
        or True
    )


def test_the_detail_lists_attachment_metadata(caller, staff, new_case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = new_case()
    services.attach(
        case, actor=staff.agent, file=SimpleUploadedFile("工资条.pdf", b"%PDF-1.4 test")
    )
    body = ok(caller(staff.agent).get(f"/cases/{case.number}"))
    [attachment] = body["attachments"]
    assert (attachment["name"], attachment["content_type"], attachment["size"]) == (
        "工资条.pdf",
        "application/pdf",
        13,
    )


# --- personal data -----------------------------------------------------------------------------


def test_an_agent_views_the_full_personal_data_and_the_view_is_logged(caller, staff, new_case):
    case = new_case(id_number=id_number())
    body = ok(caller(staff.agent).get(f"/cases/{case.number}/personal-data"))
    assert body == {
        "number": case.number,
        "worker_name": "张师傅",
        "phone": "13897112345",
        "id_number": id_number(),
        "is_anonymous": False,
        "is_confidential": False,
    }
    log = AccessLog.objects.get(event=AccessEvent.PERSONAL_DATA_VIEW)
    assert log.user == staff.agent and case.number in log.detail


def test_the_handling_units_handler_may_view_personal_data(caller, staff, cases):
    response = caller(staff.chengdong_handler).get(
        f"/cases/{cases['chengdong'].number}/personal-data"
    )
    assert ok(response)["phone"] == "13997100003"


def test_a_leader_is_refused_personal_data_and_nothing_is_logged(caller, staff, tree, cases):
    leader = f.user(tree.province, Role.LEADER)
    response = caller(leader).get(f"/cases/{cases['received'].number}/personal-data")
    assert error_of(response, 403)["code"] == "case.personal_data_forbidden"
    assert not AccessLog.objects.filter(event=AccessEvent.PERSONAL_DATA_VIEW).exists()


def test_personal_data_of_a_case_out_of_scope_answers_404(caller, staff, cases):
    response = caller(staff.chengzhong_handler).get(
        f"/cases/{cases['chengdong'].number}/personal-data"
    )
    assert error_of(response, 404)["code"] == "case.not_found"


# --- screen pop and categories -----------------------------------------------------------------


def test_screen_pop_lists_a_callers_earlier_cases(caller, staff, cases, new_case):
    again = new_case(phone="13997100002")
    body = ok(caller(staff.agent).get("/cases/screen-pop", phone="139-9710-0002"))
    assert [item["number"] for item in body] == [again.number, cases["accepted"].number]


def test_screen_pop_is_scoped(caller, staff, cases):
    body = ok(caller(staff.xining_dispatcher).get("/cases/screen-pop", phone="13997100004"))
    assert body == []


def test_screen_pop_refuses_an_invalid_phone(caller, staff):
    error = error_of(caller(staff.agent).get("/cases/screen-pop", phone="12"), 400)
    assert (error["code"], list(error["fields"])) == ("case.invalid_phone", ["phone"])


def test_categories_are_a_two_level_tree(caller, staff):
    body = ok(caller(staff.chengdong_handler).get("/categories"))
    wages = next(category for category in body if category["code"] == "01")
    assert wages["name"] == "劳动报酬"
    assert wages["children"][0] == {
        "code": "0101",
        "name": "拖欠工资",
        "keywords": wages["children"][0]["keywords"],
    }


def test_the_case_api_needs_a_caller(client, db):
    for path in ("/api/v1/cases", "/api/v1/categories", "/api/v1/cases/2025010100001"):
        assert error_of(client.get(path), 401)["code"] == "auth.required"


# --- the OpenAPI document ----------------------------------------------------------------------

ACTION_BODIES = {
    "accept": "AcceptIn",
    "decline": "DeclineIn",
    "resolve-directly": "ResolveDirectlyIn",
    "assign-lawyer": "AssignLawyerIn",
    "dispatch": "DispatchIn",
    "acknowledge": "NoteIn",
    "return": "ReturnIn",
    "reassign": "ReassignIn",
    "escalate": "EscalateIn",
    "reply": "ReplyIn",
    "approve": "NoteIn",
    "send-back": "SendBackIn",
    "request-extension": "RequestExtensionIn",
    "decide-extension": "DecideExtensionIn",
    "follow-up": "FollowUpIn",
    "close-after-review": "CloseAfterReviewIn",
    "reopen": "ReasonIn",
    "urge": "NoteIn",
    "supervise": "SuperviseIn",
    "merge": "MergeIn",
    "comment": "CommentIn",
}

# Actions whose fields are all optional: the body may be left out.
OPTIONAL_BODIES = {"accept", "acknowledge", "approve", "urge"}


def test_every_action_is_in_the_openapi_document_with_its_body_schema(client, db):
    document = client.get("/api/v1/openapi.json").json()
    for action, schema in ACTION_BODIES.items():
        operation = document["paths"][f"/api/v1/cases/{{number}}/{action}"]["post"]
        request_body = operation["requestBody"]
        body = request_body["content"]["application/json"]["schema"]
        reference = {"$ref": f"#/components/schemas/{schema}"}
        if action in OPTIONAL_BODIES:
            assert body == {"anyOf": [reference, {"type": "null"}]}, action
            assert request_body["required"] is False
        else:
            assert body == reference, action
            assert request_body["required"] is True
        assert operation["operationId"] == f"case_{action.replace('-', '_')}"
        assert {"200", "401", "404", "409", "422"} <= set(operation["responses"]), action
    reply = document["components"]["schemas"]["ReplyIn"]
    assert set(reply["required"]) == {"result", "solved"}


def test_the_public_endpoints_need_no_authentication_in_the_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/public/cases", "/api/v1/public/cases/lookup"):
        operation = paths[path]["post"]
        assert not operation.get("security")
        assert "429" in operation["responses"]
