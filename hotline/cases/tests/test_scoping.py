"""Who sees which case, the filtered lists (a constant number of queries per page), the counts
on the work tabs, and the actions each user is offered."""

from __future__ import annotations

import pytest
from django.utils import translation

from hotline.accounts.models import Role
from hotline.cases import services
from hotline.cases.models import Case
from hotline.cases.selectors import (
    ROW_FIELDS,
    CaseFilters,
    allowed_actions,
    case_counts,
    case_list,
    get_public_case,
    get_visible_case,
    label_of,
    public_timeline,
    screen_pop,
    visible_cases,
)
from hotline.cases.states import Action, Kind, Rating, Status
from hotline.core.errors import NotFound
from hotline.testing import factories as f

from .conftest import intake, shanghai


@pytest.fixture
def at_chengdong(accepted_case, flow):
    return flow.at_county(accepted_case())


@pytest.fixture
def at_golmud(accepted_case, staff, tree):
    case = accepted_case(phone="13997100000", employer_name="格尔木盐湖化工", kind=Kind.HELP)
    return services.dispatch(case, actor=staff.agent, to=tree.golmud)


def test_county_handler_cannot_see_a_sibling_countys_case(at_chengdong, staff, tree):
    with pytest.raises(NotFound):
        get_visible_case(staff.chengzhong_handler, at_chengdong.number)
    assert at_chengdong not in visible_cases(staff.chengzhong_handler)


def test_county_handler_sees_its_own_case(at_chengdong, staff):
    assert get_visible_case(staff.chengdong_handler, at_chengdong.number) == at_chengdong


def test_prefecture_sees_its_counties_cases_but_not_another_prefectures(
    at_chengdong, at_golmud, staff
):
    assert set(visible_cases(staff.xining_dispatcher)) == {at_chengdong}
    assert set(visible_cases(staff.haixi_dispatcher)) == {at_golmud}


def test_province_sees_everything(at_chengdong, at_golmud, new_case, staff):
    received = new_case(phone="13997100001")
    assert set(visible_cases(staff.province_supervisor)) == {at_chengdong, at_golmud, received}


def test_a_case_registered_by_a_prefecture_is_seen_there_before_dispatch(staff):
    case, _ = services.register_case(**intake(actor=staff.xining_dispatcher, channel="walk_in"))
    assert case in visible_cases(staff.xining_handler)
    assert case not in visible_cases(staff.haixi_dispatcher)


def test_an_assisting_unit_opens_the_case_but_lists_it_apart(accepted_case, staff, tree):
    case = services.dispatch(
        accepted_case(), actor=staff.agent, to=tree.xining, assisting=[tree.golmud]
    )
    assert get_visible_case(staff.golmud_handler, case.number) == case
    # Its lists: the assisting tab (test_assisting.py), not the cases of its own subtree.
    assert case not in visible_cases(staff.golmud_handler)
    with pytest.raises(NotFound):
        get_visible_case(f.user(tree.delingha, Role.HANDLER), case.number)


def test_a_lawyer_sees_only_the_cases_assigned_to_them(accepted_case, staff):
    assigned = services.assign_lawyer(accepted_case(), actor=staff.agent, lawyer=staff.lawyer)
    accepted_case(phone="13997100002")
    assert list(visible_cases(staff.lawyer)) == [assigned]
    assert get_visible_case(staff.lawyer, assigned.number) == assigned


def test_inactive_users_see_nothing(at_chengdong, staff):
    staff.province_supervisor.is_active = False
    assert not visible_cases(staff.province_supervisor).exists()


def test_a_lawyer_with_another_role_sees_the_subtree(accepted_case, tree):
    lawyer_agent = f.user(tree.province, Role.LAWYER, Role.AGENT)
    case = accepted_case()
    assert case in visible_cases(lawyer_agent)


# --- lists -------------------------------------------------------------------------------------


def test_lists_filter_by_status_kind_and_category_with_its_children(at_chengdong, at_golmud, staff):
    user = staff.province_supervisor
    assert list(case_list(user, CaseFilters(status=Status.DISPATCHED))) == [at_golmud]
    assert list(case_list(user, CaseFilters(kind=Kind.HELP))) == [at_golmud]
    # Both are "0101 拖欠工资": the top-level "01 劳动报酬" includes it.
    assert set(case_list(user, CaseFilters(category="01"))) == {at_chengdong, at_golmud}
    assert set(case_list(user, CaseFilters(category="0101"))) == {at_chengdong, at_golmud}
    assert not case_list(user, CaseFilters(category="02")).exists()
    assert not case_list(user, CaseFilters(category="nope")).exists()


def test_lists_filter_by_handling_unit_subtree_within_scope(at_chengdong, at_golmud, staff, tree):
    user = staff.province_supervisor
    assert list(case_list(user, CaseFilters(unit=tree.xining.pk))) == [at_chengdong]
    assert list(case_list(user, CaseFilters(unit=tree.haixi.pk))) == [at_golmud]
    # A unit outside the user's scope matches nothing rather than leaking.
    assert not case_list(staff.xining_dispatcher, CaseFilters(unit=tree.haixi.pk)).exists()


def test_lists_filter_by_text(at_chengdong, at_golmud, staff):
    user = staff.province_supervisor
    assert list(case_list(user, CaseFilters(text=at_golmud.number))) == [at_golmud]
    assert list(case_list(user, CaseFilters(text="139 9710 0000"))) == [at_golmud]
    assert list(case_list(user, CaseFilters(text="盐湖"))) == [at_golmud]
    assert set(case_list(user, CaseFilters(text="拖欠"))) == {at_chengdong, at_golmud}


def test_lists_filter_by_deadline_state_and_date(accepted_case, staff, tree, clock):
    clock.set(shanghai(2026, 3, 2, 9, 0))
    old = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    clock.set(shanghai(2026, 3, 10, 9, 0))
    fresh = services.dispatch(accepted_case(phone="13997100003"), actor=staff.agent, to=tree.haixi)
    user = staff.province_supervisor
    # 10 March 09:00: the old one's acknowledgement ended 3 March; the fresh one's runs to the 11th.
    assert list(case_list(user, CaseFilters(overdue=True))) == [old]
    clock.set(shanghai(2026, 3, 11, 20, 0))
    assert list(case_list(user, CaseFilters(due_soon=True))) == [fresh]
    on_10th = CaseFilters(
        created_from=shanghai(2026, 3, 10).date(), created_to=shanghai(2026, 3, 10).date()
    )
    assert list(case_list(user, on_10th)) == [fresh]
    assert list(case_list(user, CaseFilters(created_to=shanghai(2026, 3, 9).date()))) == [old]


def test_lists_are_newest_first(new_case, staff, clock):
    clock.set(shanghai(2026, 3, 2, 9, 0))
    older = new_case()
    clock.advance(hours=1)
    newer = new_case(phone="13997100004")
    assert list(case_list(staff.agent)) == [newer, older]


def _rows(user) -> list[str]:
    """A page of the list as a page and the API print it: every field ``selectors.ROW_FIELDS``
    names, the category with its parent, and the handling unit."""
    return [
        f"{case.number} {case.category} {case.category.code} {case.handling_org}"
        + "".join(str(getattr(case, name)) for name in ROW_FIELDS if "__" not in name)
        for case in case_list(user)[:50]
    ]


@pytest.mark.parametrize("user_name", ["province_supervisor", "xining_dispatcher"])
def test_a_page_of_cases_costs_one_query_for_5_and_for_50_cases(
    accepted_case, staff, tree, user_name, django_assert_num_queries
):
    user = getattr(staff, user_name)
    user.roles  # noqa: B018 - read once per request, before any list
    for _ in range(5):
        services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    with django_assert_num_queries(1):
        assert len(_rows(user)) == 5
    for _ in range(45):
        services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    with django_assert_num_queries(1):
        assert len(_rows(user)) == 50


def test_counts_for_the_work_tabs(accepted_case, flow, new_case, staff, tree):
    new_case(phone="13997100005")
    flow.at_prefecture(accepted_case(phone="13997100006"))
    services.dispatch(accepted_case(phone="13997100007"), actor=staff.agent, to=tree.xining)
    replied = flow.replied_at_prefecture(accepted_case(phone="13997100008"))
    resolved = services.approve(flow.replied_at_prefecture(accepted_case()), actor=staff.agent)
    services.follow_up(resolved, actor=staff.agent, rating=Rating.DISSATISFIED, solved=False)
    services.approve(replied, actor=staff.agent)
    assert case_counts(staff.agent) == {
        "to_accept": 1,
        "to_dispatch": 0,
        "to_acknowledge": 0,
        "in_progress": 0,
        "to_review": 0,
        "to_follow_up": 1,
    }
    assert case_counts(staff.xining_handler) == {
        "to_accept": 0,
        "to_dispatch": 0,
        "to_acknowledge": 1,
        "in_progress": 1,
        "to_review": 0,
        "to_follow_up": 0,
    }


def test_the_work_tab_counts_are_one_query_and_only_the_tabs_asked_for(
    accepted_case, flow, staff, django_assert_num_queries
):
    flow.replied_at_prefecture(accepted_case())
    user = staff.agent
    user.roles  # noqa: B018 - read once per request, before any list
    with django_assert_num_queries(1):
        assert case_counts(user) == {
            "to_accept": 0,
            "to_dispatch": 0,
            "to_acknowledge": 0,
            "in_progress": 0,
            "to_review": 1,
            "to_follow_up": 0,
        }
    with django_assert_num_queries(1):
        assert case_counts(user, ["to_review", "in_progress"]) == {"to_review": 1, "in_progress": 0}
    with django_assert_num_queries(0):
        assert case_counts(user, ["no_such_tab"]) == {}


def test_a_work_tab_counts_only_the_users_own_unit(accepted_case, flow, staff):
    flow.at_county(accepted_case())
    # In progress at Chengdong, below Xining: Xining sees it, but it is not Xining's work.
    assert case_counts(staff.xining_handler)["in_progress"] == 0
    assert case_counts(staff.chengdong_handler)["in_progress"] == 1


def test_screen_pop_lists_the_callers_earlier_cases(new_case, staff):
    first = new_case()
    second = new_case()
    new_case(phone="13997100009")
    assert screen_pop("138-9711-2345", user=staff.agent) == [second, first]
    assert screen_pop("13897112345", user=staff.chengdong_handler) == []
    assert screen_pop("not a phone") == []


# --- allowed actions ------------------------------------------------------------------------------


def test_allowed_actions_follow_the_step_and_the_unit(accepted_case, staff, tree):
    case = accepted_case()
    assert set(allowed_actions(staff.agent, case)) == {
        Action.RESOLVE_DIRECTLY,
        Action.ASSIGN_LAWYER,
        Action.DISPATCH,
        Action.MERGE,
        Action.COMMENT,
        Action.ATTACH,
    }
    case = services.dispatch(case, actor=staff.agent, to=tree.xining)
    assert set(allowed_actions(staff.xining_handler, case)) == {
        Action.ACKNOWLEDGE,
        Action.RETURN,
        Action.ESCALATE,
        Action.COMMENT,
        Action.ATTACH,
    }
    assert set(allowed_actions(staff.province_supervisor, case)) == {
        Action.URGE,
        Action.SUPERVISE,
        Action.COMMENT,
        Action.ATTACH,
    }
    assert allowed_actions(staff.golmud_handler, case) == []


def test_every_allowed_action_is_one_the_service_accepts(accepted_case, staff, tree):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    assert Action.ACKNOWLEDGE in allowed_actions(staff.xining_handler, case)
    case = services.acknowledge(case, actor=staff.xining_handler)
    assert Action.ACKNOWLEDGE not in allowed_actions(staff.xining_handler, case)
    assert Action.REPLY in allowed_actions(staff.xining_handler, case)
    assert Action.REQUEST_EXTENSION in allowed_actions(staff.xining_handler, case)
    case = services.request_extension(case, actor=staff.xining_handler, days=3, reason="取证")
    assert Action.REQUEST_EXTENSION not in allowed_actions(staff.xining_handler, case)
    assert Action.DECIDE_EXTENSION in allowed_actions(staff.agent, case)


def test_the_transition_table_and_the_guards_name_the_same_actions():
    from hotline.cases.rules import GUARDS, TRANSITIONS

    assert set(GUARDS) == set(TRANSITIONS)
    assert set(TRANSITIONS) <= set(Action.values)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_label_of_gives_what_get_display_gives_in_the_active_language(language):
    with translation.override(language):
        for status in Status:
            assert label_of(Status, status.value) == Case(status=status).get_status_display()
        for kind in Kind:
            assert label_of(Kind, kind.value) == Case(kind=kind).get_kind_display()
        assert label_of(Status, "no_such_status") == "no_such_status"
    with translation.override("zh-hans"):
        assert label_of(Status, Status.RECEIVED) != "Received"


# --- the worker's view ------------------------------------------------------------------------


def test_public_lookup_needs_the_phone_that_filed_the_case(new_case):
    case = new_case()
    assert get_public_case(case.number, "138 9711 2345") == case
    with pytest.raises(NotFound) as wrong_phone:
        get_public_case(case.number, "13900000000")
    with pytest.raises(NotFound) as unknown:
        get_public_case("2099010100001", "13897112345")
    assert wrong_phone.value.as_dict() == unknown.value.as_dict()


def test_the_public_lookup_reads_the_case_once_with_its_category(
    new_case, django_assert_num_queries
):
    number = new_case().number
    with django_assert_num_queries(1):
        found = get_public_case(number, "13897112345")
        assert str(found.category) == f"{found.category.parent.name} / {found.category.name}"


def test_an_anonymous_case_without_phone_cannot_be_looked_up(staff):
    case, _ = services.register_case(
        **intake(actor=staff.agent, channel="phone", phone="", is_anonymous=True)
    )
    with pytest.raises(NotFound):
        get_public_case(case.number, "")


def test_public_timeline_shows_plain_steps_without_staff_or_internal_notes(new_case, staff, tree):
    case = services.accept(new_case(), actor=staff.agent)
    services.comment(case, actor=staff.agent, text="内部：该职工多次来电", internal=True)
    case = services.dispatch(case, actor=staff.agent, to=tree.xining, note="内部派单意见")
    case = services.return_case(case, actor=staff.xining_handler, reason="内部退单理由")
    timeline = public_timeline(case)
    assert [entry.status for entry in timeline] == [
        Status.RECEIVED,
        Status.ACCEPTED,
        Status.DISPATCHED,
    ]
    assert tree.xining.name in timeline[-1].title
    shown = " ".join(entry.title + entry.text for entry in timeline)
    for secret in ("内部", staff.agent.name, staff.xining_handler.name):
        assert secret not in shown
