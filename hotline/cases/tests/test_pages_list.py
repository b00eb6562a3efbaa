"""The case list page: every case role sees its own subtree, filtered, on work tabs, with deadline
badges and masked phones, in a constant number of queries; the unit picker's search."""

from __future__ import annotations

import pytest

from hotline.accounts.models import Role
from hotline.cases import services
from hotline.cases.selectors import case_counts
from hotline.cases.states import Kind, Rating
from hotline.testing import factories as f

from .conftest import shanghai

LIST = "/cases/"


def rows(response) -> list[str]:
    """The case numbers a list page shows, in order."""
    return [case.number for case in response.context["rows"]]


@pytest.fixture
def at_chengdong(accepted_case, flow):
    return flow.at_county(accepted_case())


@pytest.fixture
def at_golmud(accepted_case, staff, tree):
    case = accepted_case(phone="13997100000", employer_name="格尔木盐湖化工", kind=Kind.HELP)
    return services.dispatch(case, actor=staff.agent, to=tree.golmud)


@pytest.mark.parametrize(
    "role", [Role.AGENT, Role.LAWYER, Role.DISPATCHER, Role.HANDLER, Role.SUPERVISOR, Role.LEADER]
)
def test_every_case_role_opens_the_case_list(client, tree, role):
    client.force_login(f.user(tree.xining, role))
    response = client.get(LIST)
    assert response.status_code == 200
    assert "工单" in response.content.decode()


def test_an_administrator_without_a_case_role_is_refused_the_case_list(client, tree):
    client.force_login(f.user(tree.province, Role.ADMIN))
    assert client.get(LIST).status_code == 403


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client, tree):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_county_handler_sees_only_its_own_subtree(client, at_chengdong, at_golmud, staff):
    client.force_login(staff.chengdong_handler)
    assert rows(client.get(LIST)) == [at_chengdong.number]
    client.force_login(staff.golmud_handler)
    assert rows(client.get(LIST)) == [at_golmud.number]
    client.force_login(staff.province_supervisor)
    assert set(rows(client.get(LIST))) == {at_chengdong.number, at_golmud.number}


def test_the_list_filters_by_status_kind_text_and_supervision(
    client, at_chengdong, at_golmud, staff
):
    client.force_login(staff.province_supervisor)
    assert rows(client.get(LIST, {"status": "dispatched"})) == [at_golmud.number]
    assert rows(client.get(LIST, {"kind": "help"})) == [at_golmud.number]
    assert rows(client.get(LIST, {"q": "盐湖"})) == [at_golmud.number]
    assert rows(client.get(LIST, {"q": at_chengdong.number})) == [at_chengdong.number]
    assert rows(client.get(LIST, {"category": "01"})) != []
    assert rows(client.get(LIST, {"supervised": "on"})) == []
    services.supervise(at_golmud, actor=staff.province_supervisor, note="重点关注")
    assert rows(client.get(LIST, {"supervised": "on"})) == [at_golmud.number]


def test_the_unit_filter_takes_the_units_subtree(client, at_chengdong, at_golmud, staff, tree):
    client.force_login(staff.province_supervisor)
    assert rows(client.get(LIST, {"unit": tree.haixi.pk})) == [at_golmud.number]
    assert rows(client.get(LIST, {"unit": tree.chengdong.pk})) == [at_chengdong.number]


def test_a_unit_outside_the_users_subtree_never_shows_its_cases(
    client, at_chengdong, at_golmud, staff, tree
):
    client.force_login(staff.xining_dispatcher)
    response = client.get(LIST, {"unit": tree.golmud.pk})
    assert at_golmud.number not in rows(response)
    assert "格尔木" not in response.content.decode()


def test_a_bad_filter_value_is_ignored_rather_than_failing(client, at_chengdong, staff):
    client.force_login(staff.xining_dispatcher)
    response = client.get(LIST, {"created_from": "yesterday", "status": "bogus", "page": "x"})
    assert response.status_code == 200
    assert rows(response) == [at_chengdong.number]


def test_the_date_range_filters_by_the_day_received(client, accepted_case, staff, tree, clock):
    clock.set(shanghai(2026, 3, 2, 9, 0))
    early = accepted_case()
    clock.set(shanghai(2026, 3, 10, 9, 0))
    late = accepted_case(phone="13997100003")
    client.force_login(staff.agent)
    assert rows(client.get(LIST, {"created_from": "2026-03-05"})) == [late.number]
    assert rows(client.get(LIST, {"created_to": "2026-03-02"})) == [early.number]


@pytest.mark.parametrize(
    ("user_name", "tab"),
    [
        ("agent", "to_accept"),
        ("xining_handler", "to_acknowledge"),
        ("xining_handler", "in_progress"),
        ("agent", "to_review"),
        ("agent", "to_follow_up"),
    ],
)
def test_each_work_tab_lists_exactly_what_its_count_counts(
    client, accepted_case, new_case, flow, staff, tree, user_name, tab
):
    new_case(phone="13997100005")
    flow.at_prefecture(accepted_case(phone="13997100006"))
    services.dispatch(accepted_case(phone="13997100007"), actor=staff.agent, to=tree.xining)
    flow.replied_at_prefecture(accepted_case(phone="13997100008"))
    flow.resolved(accepted_case(phone="13997100009"))
    user = getattr(staff, user_name)
    client.force_login(user)
    response = client.get(LIST, {"tab": tab})
    assert len(rows(response)) == case_counts(user)[tab] == 1
    counts = {item.key: item.count for item in response.context["tabs"]}
    assert counts[tab] == 1


def test_to_accept_is_a_tab_only_for_the_roles_that_accept(client, staff):
    client.force_login(staff.agent)
    assert "to_accept" in [tab.key for tab in client.get(LIST).context["tabs"]]
    client.force_login(staff.chengdong_handler)
    assert "to_accept" not in [tab.key for tab in client.get(LIST).context["tabs"]]


def test_an_htmx_request_gets_the_results_alone(client, at_chengdong, staff):
    client.force_login(staff.xining_dispatcher)
    response = client.get(LIST, {"q": "拖欠"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert at_chengdong.number in page
    assert 'data-testid="case-table"' in page
    assert "<html" not in page
    assert 'id="case-filters"' not in page


def test_badges_are_red_when_overdue_yellow_when_due_soon_green_otherwise(
    client, accepted_case, staff, tree, clock
):
    # Monday 2 March 2026, 09:00: three dispatches, acknowledgement due the next working day.
    clock.set(shanghai(2026, 3, 2, 9, 0))
    overdue = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    clock.set(shanghai(2026, 3, 5, 9, 0))
    due_soon = services.dispatch(accepted_case(), actor=staff.agent, to=tree.haixi)
    on_time = services.acknowledge(due_soon, actor=f.user(tree.haixi, Role.HANDLER))
    soon = services.dispatch(accepted_case(), actor=staff.agent, to=tree.haixi)
    # Friday 6 March 20:00: the first ran out on 3 March, the third runs out tonight.
    clock.set(shanghai(2026, 3, 6, 20, 0))
    client.force_login(staff.province_supervisor)
    response = client.get(LIST)
    badges = {case.number: case.badge for case in response.context["rows"]}
    assert badges[overdue.number].state == "overdue"
    assert badges[overdue.number].text == "超期 3 个工作日"
    assert badges[soon.number].state == "due_soon"
    assert badges[soon.number].text == "今日到期"
    assert badges[on_time.number].state == "on_time"
    assert badges[on_time.number].text.startswith("剩余 ")
    page = response.content.decode()
    assert "app-deadline-overdue" in page
    assert "app-deadline-due_soon" in page
    assert "app-deadline-on_time" in page


def test_the_list_masks_phones_and_names(client, accepted_case, staff):
    case = accepted_case(phone="13897112345", worker_name="张建国")
    client.force_login(staff.agent)
    page = client.get(LIST).content.decode()
    assert case.number in page
    assert "138****2345" in page
    assert "13897112345" not in page
    assert "张**" in page
    assert "张建国" not in page


def test_the_list_marks_supervised_urged_and_returned_cases(client, accepted_case, staff, tree):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    services.supervise(case, actor=staff.province_supervisor, note="重点督办")
    services.urge(case, actor=staff.agent, note="请尽快签收")
    returned = services.dispatch(accepted_case(), actor=staff.agent, to=tree.haixi)
    services.return_case(returned, actor=staff.haixi_dispatcher, reason="不属于本地")
    client.force_login(staff.agent)
    page = client.get(LIST).content.decode()
    assert 'data-testid="supervised-marker"' in page
    assert "催办 1 次" in page
    assert "退单 1 次" in page


@pytest.mark.parametrize("user_name", ["province_supervisor", "xining_dispatcher"])
def test_the_list_costs_the_same_queries_for_5_and_for_40_cases(
    client, accepted_case, staff, tree, user_name, django_assert_max_num_queries
):
    client.force_login(getattr(staff, user_name))
    for _ in range(5):
        services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    filters = {"unit": tree.xining.pk, "kind": "complaint", "q": "工资"}
    client.get(LIST, filters)  # the calendar's years are loaded once per process
    with django_assert_max_num_queries(12) as few:
        assert len(client.get(LIST, filters).context["rows"]) == 5
    for _ in range(35):
        services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST, filters)
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.count == 40


def test_the_pages_of_a_long_list_follow_on(client, accepted_case, staff):
    numbers = {accepted_case().number for _ in range(27)}
    client.force_login(staff.agent)
    first = rows(client.get(LIST))
    second = rows(client.get(LIST, {"page": 2}))
    assert len(first) == 25 and len(second) == 2
    assert set(first) | set(second) == numbers


def test_a_follow_up_tab_case_with_a_rating_leaves_the_tab(client, flow, accepted_case, staff):
    case = flow.resolved(accepted_case())
    client.force_login(staff.agent)
    assert rows(client.get(LIST, {"tab": "to_follow_up"})) == [case.number]
    services.follow_up(case, actor=staff.agent, rating=Rating.SATISFIED, solved=True)
    assert rows(client.get(LIST, {"tab": "to_follow_up"})) == []


# --- the unit picker's search ------------------------------------------------------------------


def test_the_unit_search_finds_units_of_the_users_subtree_only(client, staff):
    client.force_login(staff.xining_dispatcher)
    page = client.get("/cases/units/options/", {"unit_q": "总工会", "blank": "choose"}).content
    page = page.decode()
    assert "城东区总工会" in page and "城中区总工会" in page
    assert "格尔木" not in page
    assert "请选择单位" in page


def test_the_unit_search_keeps_the_units_already_chosen(client, staff, tree):
    client.force_login(staff.agent)
    response = client.get(
        "/cases/units/options/",
        {
            "unit_q": "格尔木",
            "field": "dispatch-assisting",
            "dispatch-assisting": tree.chengdong.pk,
        },
    )
    page = response.content.decode()
    assert f'value="{tree.chengdong.pk}" selected' in page
    assert "格尔木市总工会" in page


def test_the_unit_search_says_when_nothing_matches(client, staff):
    client.force_login(staff.chengdong_handler)
    page = client.get("/cases/units/options/", {"unit_q": "不存在的单位"}).content.decode()
    assert "没有匹配的单位" in page


def test_a_list_longer_than_the_count_cap_says_so_and_lists_the_first_ones(
    client, accepted_case, staff, monkeypatch
):
    from hotline.cases.pages.casework_common import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    for _ in range(3):
        accepted_case()
    client.force_login(staff.agent)
    response = client.get(LIST)
    assert response.context["page"].paginator.capped
    assert len(rows(response)) == 2
    assert 'data-testid="result-count"' in response.content.decode()


def test_a_results_only_request_does_not_count_the_tabs(
    client, accepted_case, staff, django_assert_max_num_queries
):
    accepted_case()
    client.force_login(staff.agent)
    with django_assert_max_num_queries(20) as full:
        client.get(LIST)
    assert any('"to_acknowledge"' in query["sql"] for query in full.captured_queries)
    with django_assert_max_num_queries(20) as partial:
        client.get(LIST, headers={"HX-Request": "true"})
    assert not any('"to_acknowledge"' in query["sql"] for query in partial.captured_queries)
