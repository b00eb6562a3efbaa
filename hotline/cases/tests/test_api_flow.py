"""The worked example of docs/api.md, all through HTTP: a worker's request goes from intake down
to a county and back up, is approved at each level, rated by the worker and closed."""

from __future__ import annotations

from hotline.cases.events import verify_case
from hotline.cases.models import Case
from hotline.notifications.models import OutboxMessage

from .test_api_support import API, Caller, ok


def public(client, path, body):
    return client.post(f"{API}/public{path}", body, content_type="application/json")


def bodyless(caller, path):
    """A POST with no body at all, as ``curl -X POST`` sends it."""
    return caller.client.generic(
        "POST", f"{API}{path}", b"", content_type="application/json", headers=caller.headers()
    )


def worker_files_and_case_reaches_the_county_and_comes_back(client, staff, tree):
    filed = ok(
        public(
            client,
            "/cases",
            {
                "worker_name": "马师傅",
                "phone": "13897112345",
                "kind": "complaint",
                "category": "0101",
                "description": "城东区某建筑工地拖欠我们三个月工资，共十二人。",
                "employer_name": "西宁某建筑劳务有限公司",
                "workplace_division": "630102",
                "people_involved": 12,
            },
        ),
        201,
    )
    number = filed["number"]
    agent = Caller(client, staff.agent)
    xining = Caller(client, staff.xining_dispatcher)
    chengdong = Caller(client, staff.chengdong_handler)

    assert ok(bodyless(agent, f"/cases/{number}/accept"))["status"] == "accepted"
    body = ok(agent.post(f"/cases/{number}/dispatch", {"to": tree.xining.pk, "note": "请核实"}))
    assert body["status"] == "dispatched"
    assert ok(bodyless(xining, f"/cases/{number}/acknowledge"))["status"] == "in_progress"
    body = ok(xining.post(f"/cases/{number}/dispatch", {"to": tree.chengdong.pk}))
    assert body["handling_unit"]["id"] == tree.chengdong.pk
    assert ok(bodyless(chengdong, f"/cases/{number}/acknowledge"))["status"] == "in_progress"
    body = ok(
        chengdong.post(
            f"/cases/{number}/reply",
            {"result": "经协调，企业已补发十二人工资共计八万六千元。", "solved": True},
        )
    )
    assert body["status"] == "replied"
    # The county's reply is reviewed by Xining, then by the centre.
    assert ok(xining.get(f"/cases/{number}"))["allowed_actions"][:2] == ["approve", "send-back"]
    body = ok(bodyless(xining, f"/cases/{number}/approve"))
    assert (body["status"], body["handling_unit"]["id"]) == ("replied", tree.xining.pk)
    body = ok(bodyless(agent, f"/cases/{number}/approve"))
    assert body["status"] == "resolved"
    return number, agent


def test_a_case_from_intake_to_the_workers_rating_through_http(client, staff, tree):
    number, agent = worker_files_and_case_reaches_the_county_and_comes_back(client, staff, tree)
    looked_up = ok(public(client, "/cases/lookup", {"number": number, "phone": "13897112345"}))
    assert looked_up["status"] == "resolved" and looked_up["can_rate"] is True
    assert looked_up["timeline"][-1]["text"] == "经协调，企业已补发十二人工资共计八万六千元。"
    rated = ok(
        public(
            client,
            f"/cases/{number}/rating",
            {"phone": "13897112345", "rating": "satisfied", "solved": True},
        )
    )
    assert rated["status"] == "closed"

    detail = ok(agent.get(f"/cases/{number}"))
    assert [event["action"] for event in detail["events"]] == [
        "create", "accept", "dispatch", "acknowledge", "dispatch", "acknowledge", "reply",
        "approve", "approve", "rate",
    ]  # fmt: skip
    assert detail["status"] == "closed" and detail["rated_by_worker"] is True
    case = Case.objects.get(number=number)
    assert verify_case(case) == []
    templates = set(
        OutboxMessage.objects.filter(case=case, channel="sms").values_list("template", flat=True)
    )
    assert {"accepted", "resolved"} <= templates


def test_the_same_case_closed_by_the_agents_follow_up_call(client, staff, tree):
    number, agent = worker_files_and_case_reaches_the_county_and_comes_back(client, staff, tree)
    body = ok(
        agent.post(
            f"/cases/{number}/follow-up",
            {"rating": "basically_satisfied", "solved": True, "note": "电话回访"},
        )
    )
    assert (body["status"], body["rating"]) == ("closed", "basically_satisfied")
    looked_up = ok(public(client, "/cases/lookup", {"number": number, "phone": "13897112345"}))
    assert looked_up["status"] == "closed" and looked_up["can_rate"] is False
