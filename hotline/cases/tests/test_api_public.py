"""The worker's API (no login): filing a request, looking it up by number and phone, rating the
result; and the rate limits per client address and per phone."""

from __future__ import annotations

import datetime

import pytest

from hotline.cases import services
from hotline.cases.models import Case
from hotline.cases.states import Channel, Status
from hotline.cases.throttling import DEFAULT_RATES, Rate

from .conftest import snapshot
from .test_api_support import API, error_of, ok


def post(client, path, body, ip="10.0.0.1", headers=None):
    return client.post(
        f"{API}/public{path}",
        body,
        content_type="application/json",
        headers=headers or {},
        REMOTE_ADDR=ip,
    )


def request_body(**overrides):
    body = {
        "worker_name": "张师傅",
        "phone": "13897112345",
        "kind": "complaint",
        "category": "0101",
        "description": "青海某建筑工程有限公司拖欠我们三个月工资，一共二十多人，多次讨要未果。",
        "employer_name": "青海某建筑工程有限公司",
        "workplace_division": "630102",
        "people_involved": 23,
    }
    body.update(overrides)
    return body


# --- filing a request --------------------------------------------------------------------------


def test_a_worker_files_a_request_and_is_told_the_number_and_the_next_step(client, tree):
    body = ok(post(client, "/cases", request_body()), 201)
    case = Case.objects.get()
    assert body["number"] == case.number and body["status"] == "received"
    assert case.number in body["message"]
    assert (case.channel, case.owner_org, case.created_by) == (Channel.WEB, tree.province, None)
    assert case.title == request_body()["description"][:30] + "…"


def test_a_worker_may_give_a_title(client, tree):
    ok(post(client, "/cases", request_body(title="欠薪")), 201)
    assert Case.objects.get().title == "欠薪"


def test_a_repeated_submission_with_the_same_key_returns_the_same_case(client, tree):
    headers = {"Idempotency-Key": "form-7f3a"}
    first = post(client, "/cases", request_body(), headers=headers)
    again = post(client, "/cases", request_body(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Case.objects.get().intake_key == "public:13897112345:form-7f3a"


def test_the_same_key_from_another_phone_makes_another_case(client, tree):
    headers = {"Idempotency-Key": "form-7f3a"}
    post(client, "/cases", request_body(), headers=headers)
    post(client, "/cases", request_body(phone="13997100001"), headers=headers)
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"phone": ""}, 400, "case.invalid_phone", "phone"),
        ({"phone": "0971"}, 400, "case.invalid_phone", "phone"),
        ({"category": "nope"}, 400, "case.unknown_category", "category"),
        ({"workplace_division": "123456"}, 400, "case.unknown_division", "workplace_division"),
        ({"description": "   "}, 400, "case.field_required", "description"),
        ({"description": "长" * 5001}, 422, "invalid", "description"),
        ({"worker_name": "长" * 51}, 422, "invalid", "worker_name"),
        ({"kind": "rumour"}, 422, "invalid", "kind"),
        ({"people_involved": -3}, 422, "invalid", "people_involved"),
    ],
)
def test_a_bad_request_is_refused_naming_the_field_and_stores_nothing(
    client, tree, overrides, status, code, field
):
    error = error_of(post(client, "/cases", request_body(**overrides)), status)
    assert error["code"] == code and field in error["fields"]
    assert not Case.objects.exists()


def test_a_request_without_a_phone_is_refused(client, tree):
    body = request_body()
    del body["phone"]
    error = error_of(post(client, "/cases", body), 422)
    assert list(error["fields"]) == ["phone"]
    assert not Case.objects.exists()


def test_an_overlong_idempotency_key_is_refused(client, tree):
    response = post(client, "/cases", request_body(), headers={"Idempotency-Key": "x" * 101})
    assert list(error_of(response, 422)["fields"]) == ["Idempotency-Key"]
    assert not Case.objects.exists()


def test_the_categories_are_public(client, db):
    body = ok(client.get(f"{API}/public/categories"))
    assert body[0]["code"] == "01" and body[0]["children"]


# --- looking a case up -------------------------------------------------------------------------


def test_a_worker_sees_the_public_timeline_without_internal_notes_or_staff_names(
    client, staff, accepted_case, flow
):
    case = flow.at_prefecture(accepted_case())
    services.comment(case, actor=staff.agent, text="内部：疑似重复来电")
    body = ok(post(client, "/cases/lookup", {"number": case.number, "phone": "138 9711 2345"}))
    assert body["number"] == case.number and body["status"] == "in_progress"
    assert [entry["status"] for entry in body["timeline"]] == [
        "received",
        "accepted",
        "dispatched",
        "in_progress",
    ]
    assert "西宁市总工会" in body["timeline"][2]["title"]
    text = post(client, "/cases/lookup", {"number": case.number, "phone": "13897112345"}).content
    text = text.decode()
    for secret in ("请核实", "疑似重复", "坐席小王", "西宁承办人"):
        assert secret not in text
    assert body["can_rate"] is False


def test_a_wrong_phone_and_an_unknown_number_get_the_same_404(client, new_case):
    case = new_case()
    wrong_phone = post(client, "/cases/lookup", {"number": case.number, "phone": "13997100001"})
    unknown = post(client, "/cases/lookup", {"number": "2099010100001", "phone": "13897112345"})
    assert error_of(wrong_phone, 404)["code"] == "case.not_found"
    assert wrong_phone.content == unknown.content


def test_a_lookup_changes_nothing(client, new_case):
    case = new_case()
    before = snapshot(case)
    post(client, "/cases/lookup", {"number": case.number, "phone": "13897112345"})
    assert snapshot(case) == before


# --- rating ------------------------------------------------------------------------------------


def test_a_worker_rates_a_resolved_case_once(client, accepted_case, flow):
    case = flow.resolved(accepted_case())
    assert ok(post(client, "/cases/lookup", {"number": case.number, "phone": case.phone}))[
        "can_rate"
    ]
    body = ok(
        post(
            client,
            f"/cases/{case.number}/rating",
            {"phone": "13897112345", "rating": "satisfied", "solved": True, "note": "谢谢"},
        )
    )
    assert (body["status"], body["rating"]) == ("closed", "satisfied")
    case.refresh_from_db()
    assert case.rated_by_worker and case.status == Status.CLOSED
    before = snapshot(case)
    twice = post(
        client,
        f"/cases/{case.number}/rating",
        {"phone": "13897112345", "rating": "dissatisfied", "solved": False},
    )
    assert error_of(twice, 409)["code"] == "case.already_rated"
    assert snapshot(case) == before


def test_a_case_not_yet_resolved_cannot_be_rated(client, accepted_case):
    case = accepted_case()
    before = snapshot(case)
    response = post(
        client,
        f"/cases/{case.number}/rating",
        {"phone": "13897112345", "rating": "satisfied", "solved": True},
    )
    assert error_of(response, 409)["code"] == "case.wrong_status"
    assert snapshot(case) == before


def test_rating_with_a_wrong_phone_answers_like_an_unknown_number(client, accepted_case, flow):
    case = flow.resolved(accepted_case())
    before = snapshot(case)
    body = {"phone": "13997100001", "rating": "satisfied", "solved": True}
    wrong = post(client, f"/cases/{case.number}/rating", body)
    unknown = post(client, "/cases/2099010100001/rating", {**body, "phone": "13897112345"})
    assert error_of(wrong, 404)["code"] == "case.not_found"
    assert wrong.content == unknown.content
    assert snapshot(case) == before


def test_a_rating_must_be_one_of_the_three(client, accepted_case, flow):
    case = flow.resolved(accepted_case())
    response = post(
        client,
        f"/cases/{case.number}/rating",
        {"phone": "13897112345", "rating": "5 stars", "solved": True},
    )
    assert list(error_of(response, 422)["fields"]) == ["rating"]


# --- rate limits -------------------------------------------------------------------------------


def lookup(client, phone="13897112345", ip="10.0.0.1"):
    return post(client, "/cases/lookup", {"number": "2099010100001", "phone": phone}, ip=ip)


def test_lookups_are_limited_per_address(client, db):
    for index in range(10):
        assert lookup(client, phone=f"1399710{index:04d}").status_code == 404
    refused = lookup(client, phone="13997109999")
    assert error_of(refused, 429)["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another address is not affected.
    assert lookup(client, phone="13997109999", ip="10.0.0.2").status_code == 404


def test_behind_a_proxy_the_address_it_saw_is_counted_not_what_the_client_claims(
    client, db, settings
):
    settings.NINJA_NUM_PROXIES = 1
    settings.PUBLIC_API_RATES = {"lookup_ip": "2/min", "lookup_phone": "100/min"}

    def via_proxy(forwarded):
        return client.post(
            f"{API}/public/cases/lookup",
            {"number": "2099010100001", "phone": "13897112345"},
            content_type="application/json",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    # A client rotating a forged first entry is still the address nginx appended.
    assert via_proxy("1.1.1.1, 203.0.113.7").status_code == 404
    assert via_proxy("2.2.2.2, 203.0.113.7").status_code == 404
    assert via_proxy("3.3.3.3, 203.0.113.7").status_code == 429
    # Another client behind the same proxy has its own count.
    assert via_proxy("203.0.113.8").status_code == 404


def test_lookups_are_limited_per_phone_across_addresses(client, db):
    for index in range(5):
        assert lookup(client, ip=f"10.0.1.{index}").status_code == 404
    assert error_of(lookup(client, ip="10.0.1.99"), 429)["code"] == "throttled"
    # The same phone written differently is the same phone.
    assert lookup(client, phone="+86 138-9711-2345", ip="10.0.1.98").status_code == 429
    assert lookup(client, phone="13997100001", ip="10.0.1.97").status_code == 404


def test_a_throttled_lookup_does_not_reveal_anything_even_for_the_right_phone(client, new_case):
    case = new_case()
    for _ in range(5):
        lookup(client, ip="10.0.2.1")
    response = post(
        client, "/cases/lookup", {"number": case.number, "phone": case.phone}, ip="10.0.2.2"
    )
    assert error_of(response, 429)["code"] == "throttled"
    assert case.number.encode() not in response.content


def test_the_limit_lifts_when_the_window_ends(client, db, clock):
    clock.set(datetime.datetime(2025, 3, 3, 10, 0, 5, tzinfo=datetime.UTC))
    for index in range(5):
        lookup(client, ip=f"10.0.3.{index}")
    refused = lookup(client, ip="10.0.3.9")
    assert refused.status_code == 429 and refused["Retry-After"] == "55"
    clock.advance(seconds=55)
    assert lookup(client, ip="10.0.3.9").status_code == 404


def test_public_intake_is_limited_to_five_requests_an_hour_per_phone(client, tree):
    for index in range(5):
        body = request_body(description=f"第{index}次反映：公司拖欠工资三个月。")
        assert post(client, "/cases", body, ip=f"10.0.4.{index}").status_code == 201
    refused = post(client, "/cases", request_body(), ip="10.0.4.99")
    assert error_of(refused, 429)["code"] == "throttled"
    assert int(refused["Retry-After"]) <= 3600
    assert Case.objects.count() == 5


def test_public_intake_is_limited_per_address(client, tree, settings):
    settings.PUBLIC_API_RATES = {"intake_ip": "2/hour"}
    for index in range(2):
        response = post(client, "/cases", request_body(phone=f"1399710{index:04d}"))
        assert response.status_code == 201
    refused = post(client, "/cases", request_body(phone="13997109999"))
    assert error_of(refused, 429)["code"] == "throttled"
    assert Case.objects.count() == 2


def test_ratings_are_limited_per_phone(client, accepted_case, flow):
    case = flow.resolved(accepted_case())
    body = {"phone": "13997100001", "rating": "satisfied", "solved": True}
    for index in range(5):
        response = post(client, f"/cases/{case.number}/rating", body, ip=f"10.0.5.{index}")
        assert response.status_code == 404
    assert post(client, f"/cases/{case.number}/rating", body, ip="10.0.5.9").status_code == 429


def test_the_staff_api_is_not_throttled_by_public_limits(client, staff, settings):
    from .test_api_support import Caller

    settings.PUBLIC_API_RATES = {"lookup_ip": "1/min"}
    agent = Caller(client, staff.agent)
    for _ in range(3):
        assert agent.get("/cases").status_code == 200


@pytest.mark.parametrize(
    ("text", "rate"), [("10/min", Rate(10, 60)), ("5/hour", Rate(5, 3600)), ("2/s", Rate(2, 1))]
)
def test_rates_are_read_from_text(text, rate):
    assert Rate.parse(text) == rate


def test_every_default_rate_is_readable():
    assert all(Rate.parse(text).count > 0 for text in DEFAULT_RATES.values())
