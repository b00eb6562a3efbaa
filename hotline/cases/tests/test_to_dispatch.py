"""The "to dispatch" work tab (待派单): a case the unit accepted and has not handed on, or one
that came back up to it, waits there until the unit dispatches or answers it, so a returned case
never falls out of every queue."""

from __future__ import annotations

import pytest

from hotline.cases import services
from hotline.cases.selectors import case_counts
from hotline.cases.states import Rating, Status

LIST = "/cases/"
TAB = {"tab": "to_dispatch"}


def listed(client, user, **query) -> list[str]:
    client.force_login(user)
    return [case.number for case in client.get(LIST, {**TAB, **query}).context["rows"]]


def to_dispatch(user) -> int:
    return case_counts(user)["to_dispatch"]


def test_an_accepted_case_waits_under_to_dispatch_at_its_owner_until_dispatched(
    client, accepted_case, new_case, staff, tree
):
    new_case(phone="13997100001")  # received, not accepted: "to accept", not here
    case = accepted_case()
    assert listed(client, staff.province_dispatcher) == [case.number]
    assert to_dispatch(staff.agent) == to_dispatch(staff.province_dispatcher) == 1
    services.dispatch(case, actor=staff.agent, to=tree.xining)
    assert listed(client, staff.province_dispatcher) == []
    assert to_dispatch(staff.agent) == 0


def test_a_case_returned_to_the_province_waits_under_its_to_dispatch(
    client, accepted_case, staff, tree
):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.chengdong)
    case = services.return_case(case, actor=staff.chengdong_handler, reason="不属本区，请改派")
    assert (case.status, case.handling_org_id) == (Status.ACCEPTED, None)
    assert listed(client, staff.province_dispatcher) == [case.number]
    assert to_dispatch(staff.province_dispatcher) == 1
    # The county that returned it has nothing of it left to do.
    assert case_counts(staff.chengdong_handler) == dict.fromkeys(
        ["to_accept", "to_dispatch", "to_acknowledge", "in_progress", "to_review", "to_follow_up"],
        0,
    )


def test_a_case_a_county_returns_to_its_prefecture_waits_under_the_prefectures_to_dispatch(
    client, accepted_case, flow, staff, tree
):
    case = services.return_case(
        flow.at_county(accepted_case()), actor=staff.chengdong_handler, reason="请改派城中区"
    )
    assert (case.status, case.handling_org_id) == (Status.IN_PROGRESS, tree.xining.pk)
    assert listed(client, staff.xining_dispatcher) == [case.number]
    assert to_dispatch(staff.xining_dispatcher) == 1
    # It is the prefecture's, not the province's, to pass on again.
    assert to_dispatch(staff.province_dispatcher) == 0
    services.dispatch(case, actor=staff.xining_dispatcher, to=tree.chengzhong)
    assert listed(client, staff.xining_dispatcher) == []
    assert to_dispatch(staff.xining_dispatcher) == 0


def test_a_case_escalated_back_to_the_unit_that_dispatched_it_waits_there_too(
    client, accepted_case, flow, staff
):
    case = services.escalate(
        flow.at_county(accepted_case()), actor=staff.chengdong_handler, note="需市总协调"
    )
    assert listed(client, staff.xining_dispatcher) == [case.number]


def test_a_case_the_prefecture_took_on_itself_is_in_progress_not_to_dispatch(
    client, accepted_case, flow, staff
):
    case = flow.at_prefecture(accepted_case())
    assert listed(client, staff.xining_dispatcher) == []
    assert to_dispatch(staff.xining_dispatcher) == 0
    assert listed(client, staff.xining_dispatcher, tab="in_progress") == [case.number]


def test_a_reopened_first_contact_case_comes_back_to_its_owner_to_dispatch(
    client, accepted_case, staff
):
    case = services.resolve_directly(accepted_case(), actor=staff.agent, answer="可申请劳动仲裁。")
    case = services.follow_up(
        case, actor=staff.agent, rating=Rating.DISSATISFIED, solved=False, note="仍未解决"
    )
    case = services.reopen(case, actor=staff.province_supervisor, reason="请派单办理")
    assert listed(client, staff.agent) == [case.number]


@pytest.mark.parametrize(
    ("user_name", "offered"),
    [
        ("agent", True),
        ("province_dispatcher", True),
        ("xining_dispatcher", True),
        ("xining_handler", False),
        ("province_supervisor", False),
    ],
)
def test_to_dispatch_is_a_tab_only_for_the_roles_that_dispatch(client, staff, user_name, offered):
    client.force_login(getattr(staff, user_name))
    tabs = {tab.key: tab.count for tab in client.get(LIST).context["tabs"]}
    assert ("to_dispatch" in tabs) is offered


def test_the_to_dispatch_tab_costs_the_same_queries_for_3_and_for_30_cases(
    client, accepted_case, flow, staff, django_assert_max_num_queries
):
    def returned_to_xining() -> None:
        services.return_case(
            flow.at_county(accepted_case()), actor=staff.chengdong_handler, reason="请改派"
        )

    for _ in range(3):
        returned_to_xining()
    client.force_login(staff.xining_dispatcher)
    client.get(LIST, TAB)  # the calendar's years are loaded once per process
    with django_assert_max_num_queries(12) as few:
        response = client.get(LIST, TAB)
    assert len(response.context["rows"]) == 3
    assert {tab.key: tab.count for tab in response.context["tabs"]}["to_dispatch"] == 3
    for _ in range(27):
        returned_to_xining()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST, TAB)
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.count == 30
