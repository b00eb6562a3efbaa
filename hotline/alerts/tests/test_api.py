"""The risk alert API: the list scoped to the caller's subtree in a constant number of queries,
the detail with the cases the caller may see, acknowledgement and its refusals."""

from __future__ import annotations

import pytest

from hotline.alerts.models import AlertStatus, Rule
from hotline.cases import services as case_services

from .conftest import shanghai

# Token with the caller's roles, its last-used stamp, count, page (the organization and
# acknowledger joined in).
LIST_QUERIES = 4


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()


def error_of(response, status):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()["error"]


def test_a_county_supervisor_lists_only_the_alerts_of_its_subtree(
    caller, people, many_people_alert
):
    chengdong = many_people_alert(workplace_division="630102")
    chengzhong = many_people_alert(workplace_division="630103")
    golmud = many_people_alert(workplace_division="632801")
    ids = lambda body: {item["id"] for item in body["items"]}  # noqa: E731
    assert ids(ok(caller(people.chengdong_supervisor).get("/alerts"))) == {chengdong.pk}
    assert ids(ok(caller(people.xining_supervisor).get("/alerts"))) == {chengdong.pk, chengzhong.pk}
    assert ids(ok(caller(people.golmud_leader).get("/alerts"))) == {golmud.pk}
    everything = ok(caller(people.province_leader).get("/alerts"))
    assert ids(everything) == {chengdong.pk, chengzhong.pk, golmud.pk}
    assert everything["count"] == 3


def test_an_item_names_its_rule_summary_organization_and_counts(caller, people, many_people_alert):
    many_people_alert(people_involved=25)
    (item,) = ok(caller(people.province_supervisor).get("/alerts"))["items"]
    assert item["rule"] == Rule.MANY_PEOPLE and item["status"] == AlertStatus.OPEN
    assert item["organization"]["name"] == "城东区总工会"
    assert (item["case_count"], item["people_involved"]) == (1, 25)
    assert "25" in item["summary"]
    assert item["acknowledged_by"] == "" and item["acknowledged_at"] is None
    assert item["last_seen_at"].endswith("+08:00")


def test_the_list_filters_by_status_and_rule(
    caller, people, many_people_alert, make_case, evaluate
):
    opened = many_people_alert()
    acknowledged = many_people_alert(employer_name="另一家公司")
    supervisor = caller(people.province_supervisor)
    ok(supervisor.post(f"/alerts/{acknowledged.pk}/acknowledge", {"note": "已处理"}))
    for day in (1, 2, 3):
        case = make_case(employer_name="第三家公司", at=shanghai(2026, 3, day))
    (employer,) = evaluate(case)
    ids = lambda body: [item["id"] for item in body["items"]]  # noqa: E731
    assert ids(ok(supervisor.get("/alerts", status="acknowledged"))) == [acknowledged.pk]
    assert set(ids(ok(supervisor.get("/alerts", status="open")))) == {opened.pk, employer.pk}
    assert ids(ok(supervisor.get("/alerts", rule="employer_repeat"))) == [employer.pk]
    assert error_of(supervisor.get("/alerts", status="closed"), 422)["fields"].keys() == {"status"}


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_costs_the_same_queries_whatever_its_length(
    caller, people, many_people_alert, django_assert_num_queries, count
):
    for index in range(count):
        many_people_alert(employer_name=f"企业{index}")
    supervisor = caller(people.province_supervisor)
    with django_assert_num_queries(LIST_QUERIES):
        body = ok(supervisor.get("/alerts", limit=100))
    assert len(body["items"]) == body["count"] == count


def test_the_detail_lists_the_cases_the_caller_may_see_and_counts_the_others(
    caller, people, make_case, evaluate, tree
):
    chengdong = make_case(workplace_division="630102", at=shanghai(2026, 3, 1))
    make_case(workplace_division="630103", at=shanghai(2026, 3, 2))
    (alert,) = evaluate(make_case(workplace_division="630102", at=shanghai(2026, 3, 3)))
    assert alert.organization == tree.xining
    body = ok(caller(people.province_supervisor).get(f"/alerts/{alert.pk}"))
    assert len(body["cases"]) == 3 and body["hidden_cases"] == 0
    assert body["facts"]["cases_in_window"] == 3
    assert [event["action"] for event in body["events"]] == ["fired"]
    case = next(item for item in body["cases"] if item["number"] == chengdong.number)
    assert case["employer_name"] == "青海某建筑工程有限公司" and case["category"]
    assert "phone" not in case and "worker_name" not in case
    # Xining sees the one case dispatched to it; the two still at the provincial centre are
    # only counted.
    case_services.dispatch(
        case_services.accept(chengdong, actor=people.agent), actor=people.agent, to=tree.xining
    )
    xining = ok(caller(people.xining_supervisor).get(f"/alerts/{alert.pk}"))
    assert [item["number"] for item in xining["cases"]] == [chengdong.number]
    assert xining["hidden_cases"] == 2
    # The alert is Xining's: Chengdong's supervisor does not see it at all.
    error = error_of(caller(people.chengdong_supervisor).get(f"/alerts/{alert.pk}"), 404)
    assert error["code"] == "alert.not_found"


def test_cases_the_caller_may_not_see_are_only_counted(caller, people, many_people_alert):
    # Filed online, the case belongs to the provincial centre until dispatched; the alert is
    # Chengdong's, where the workplace is.
    alert = many_people_alert()
    county = ok(caller(people.chengdong_supervisor).get(f"/alerts/{alert.pk}"))
    assert (county["cases"], county["hidden_cases"]) == ([], 1)
    province = ok(caller(people.province_supervisor).get(f"/alerts/{alert.pk}"))
    assert (len(province["cases"]), province["hidden_cases"]) == (1, 0)


def test_acknowledge_answers_the_alert_as_it_now_stands(caller, people, many_people_alert):
    alert = many_people_alert()
    body = ok(
        caller(people.chengdong_supervisor).post(
            f"/alerts/{alert.pk}/acknowledge", {"note": "已联系企业负责人"}
        )
    )
    assert body["status"] == "acknowledged"
    assert body["acknowledged_by"] == "城东督办"
    assert body["acknowledgement_note"] == "已联系企业负责人"
    assert [event["action"] for event in body["events"]] == ["fired", "acknowledged"]


def test_acknowledging_twice_answers_409(caller, people, many_people_alert):
    alert = many_people_alert()
    supervisor = caller(people.province_supervisor)
    ok(supervisor.post(f"/alerts/{alert.pk}/acknowledge", {"note": "已处理"}))
    error = error_of(supervisor.post(f"/alerts/{alert.pk}/acknowledge", {"note": "再次"}), 409)
    assert error["code"] == "alert.already_acknowledged"
    alert.refresh_from_db()
    assert alert.acknowledgement_note == "已处理"


def test_acknowledge_refuses_a_blank_note_and_a_missing_one(caller, people, many_people_alert):
    alert = many_people_alert()
    supervisor = caller(people.province_supervisor)
    blank = error_of(supervisor.post(f"/alerts/{alert.pk}/acknowledge", {"note": "  "}), 400)
    assert blank["code"] == "alert.note_required" and "note" in blank["fields"]
    missing = error_of(supervisor.post(f"/alerts/{alert.pk}/acknowledge", {}), 422)
    assert missing["fields"].keys() == {"note"}
    too_long = error_of(
        supervisor.post(f"/alerts/{alert.pk}/acknowledge", {"note": "长" * 501}), 422
    )
    assert "note" in too_long["fields"]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_other_roles_are_refused_with_403(caller, people, many_people_alert):
    alert = many_people_alert()
    handler = caller(people.chengdong_handler)
    assert error_of(handler.get("/alerts"), 403)["code"] == "alert.role_required"
    assert error_of(handler.get(f"/alerts/{alert.pk}"), 403)["code"] == "alert.role_required"
    refused = error_of(handler.post(f"/alerts/{alert.pk}/acknowledge", {"note": "收到"}), 403)
    assert refused["code"] == "alert.role_required"


def test_unknown_and_out_of_scope_alerts_answer_the_same_404(caller, people, many_people_alert):
    golmud = many_people_alert(workplace_division="632801")
    supervisor = caller(people.chengdong_supervisor)
    unknown = error_of(supervisor.get("/alerts/999999"), 404)
    hidden = error_of(supervisor.get(f"/alerts/{golmud.pk}"), 404)
    assert unknown == hidden
    posted = error_of(supervisor.post(f"/alerts/{golmud.pk}/acknowledge", {"note": "收到"}), 404)
    assert posted["code"] == "alert.not_found"


def test_the_api_needs_a_caller(client):
    response = client.get("/api/v1/alerts")
    assert response.status_code == 401
