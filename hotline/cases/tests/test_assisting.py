"""Cases an assisting unit (协办单位) helps with: listed apart from the cases of its own subtree
(the case list's "assisting" tab, the API's ``scope=assisting``), and open to it as before: the
detail, its comments and attachments."""

from __future__ import annotations

import pytest

from hotline.accounts.models import Role
from hotline.cases import services
from hotline.cases.models import CaseEvent
from hotline.cases.selectors import (
    CaseFilters,
    allowed_actions,
    assisted_cases,
    case_list,
    get_visible_case,
    reachable_cases,
    visible_cases,
)
from hotline.cases.states import Action, Kind
from hotline.core.errors import NotFound
from hotline.testing import factories as f

from .test_api_support import Caller, error_of, ok

LIST = "/cases/"
# The main list's queries, and one per related table of a row: categories, their parents, and
# the handling units (the assisting list does not join them; a row shows no other unit).
RELATED_TABLES = 3


@pytest.fixture
def assisted(accepted_case, staff, tree):
    """Dispatched by the province to Xining, with Golmud (in Haixi) assisting."""
    return services.dispatch(
        accepted_case(), actor=staff.agent, to=tree.xining, assisting=[tree.golmud]
    )


@pytest.fixture
def caller(client):
    return lambda user: Caller(client, user)


def rows(response) -> list[str]:
    return [case.number for case in response.context["rows"]]


# --- the selectors -----------------------------------------------------------------------------


def test_an_assisting_unit_finds_the_case_in_its_assisting_list_not_in_its_own(assisted, staff):
    golmud = staff.golmud_handler
    assert assisted not in visible_cases(golmud)
    assert not case_list(golmud).exists()
    assert list(assisted_cases(golmud)) == [assisted]
    assert list(case_list(golmud, CaseFilters(assisting=True))) == [assisted]


def test_the_units_above_an_assisting_unit_find_the_case_among_the_assisted_ones(assisted, staff):
    haixi = staff.haixi_dispatcher
    assert assisted not in visible_cases(haixi)
    assert list(assisted_cases(haixi)) == [assisted]


def test_the_handling_subtree_lists_the_case_as_its_own_not_as_assisted(assisted, staff):
    xining = staff.xining_handler
    assert list(case_list(xining)) == [assisted]
    assert not assisted_cases(xining).exists()


def test_a_unit_that_neither_handles_nor_assists_cannot_open_the_case(assisted, staff, tree):
    delingha = f.user(tree.delingha, Role.HANDLER)
    assert not assisted_cases(delingha).exists()
    assert assisted not in reachable_cases(delingha)
    with pytest.raises(NotFound):
        get_visible_case(delingha, assisted.number)


def test_an_assisting_unit_opens_the_case_and_may_comment_and_attach(assisted, staff):
    golmud = staff.golmud_handler
    assert get_visible_case(golmud, assisted.number) == assisted
    assert set(allowed_actions(golmud, assisted)) == {Action.COMMENT, Action.ATTACH}
    services.comment(assisted, actor=golmud, text="已协助核实用工情况")
    assert CaseEvent.objects.filter(case=assisted, action=Action.COMMENT).count() == 1


def test_the_assisting_list_takes_the_same_filters(assisted, accepted_case, staff, tree):
    help_case = services.dispatch(
        accepted_case(phone="13997100021", kind=Kind.HELP),
        actor=staff.agent,
        to=tree.haixi,
        assisting=[tree.golmud],
    )
    golmud = staff.golmud_handler
    assert list(case_list(golmud, CaseFilters(assisting=True))) == [help_case, assisted]
    helped = CaseFilters(assisting=True, kind=Kind.HELP)
    assert list(case_list(golmud, helped)) == [help_case]
    by_unit = CaseFilters(assisting=True, unit=tree.golmud.pk)
    assert not case_list(golmud, by_unit).exists()


def test_the_root_assists_nothing_of_its_own_and_a_lawyer_nothing_at_all(
    assisted, accepted_case, staff
):
    accepted_case(phone="13997100022")  # no assisting unit
    assert list(assisted_cases(staff.province_supervisor)) == [assisted]
    assert not assisted_cases(staff.lawyer).exists()


def test_an_inactive_user_has_no_assisted_case(assisted, staff):
    staff.golmud_handler.is_active = False
    assert not assisted_cases(staff.golmud_handler).exists()
    assert not reachable_cases(staff.golmud_handler).exists()


# --- the case list page ------------------------------------------------------------------------


def test_the_assisting_tab_is_offered_below_the_root_only(client, staff):
    client.force_login(staff.golmud_handler)
    assert "assisting" in [tab.key for tab in client.get(LIST).context["tabs"]]
    client.force_login(staff.agent)
    assert "assisting" not in [tab.key for tab in client.get(LIST).context["tabs"]]


def test_the_assisting_tab_lists_the_assisted_case_and_the_main_list_does_not(
    client, assisted, staff
):
    client.force_login(staff.golmud_handler)
    assert rows(client.get(LIST)) == []
    response = client.get(LIST, {"tab": "assisting"})
    assert rows(response) == [assisted.number]
    assert 'data-testid="assisting-note"' in response.content.decode()


def test_an_htmx_request_for_the_assisting_tab_gets_its_results(client, assisted, staff):
    client.force_login(staff.haixi_dispatcher)
    response = client.get(LIST, {"tab": "assisting"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert assisted.number in page and "<html" not in page


def test_an_assisting_unit_opens_the_case_page_with_the_comment_action(client, assisted, staff):
    client.force_login(staff.golmud_handler)
    response = client.get(f"/cases/{assisted.number}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="form-comment"' in page and 'data-testid="form-attach"' in page
    assert 'data-testid="action-acknowledge"' not in page


def test_the_assisting_tab_costs_the_same_queries_for_2_and_for_30_cases(
    client, accepted_case, staff, tree, django_assert_max_num_queries
):
    def assist(count: int) -> None:
        for _ in range(count):
            services.dispatch(
                accepted_case(), actor=staff.agent, to=tree.xining, assisting=[tree.golmud]
            )

    client.force_login(staff.golmud_handler)
    assist(2)
    client.get(LIST, {"tab": "assisting"})  # the calendar's years are loaded once per process
    with django_assert_max_num_queries(12 + RELATED_TABLES) as few:
        assert len(rows(client.get(LIST, {"tab": "assisting"}))) == 2
    assist(28)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST, {"tab": "assisting"})
    assert len(rows(response)) == 25
    assert response.context["page"].paginator.count == 30


# --- the API -----------------------------------------------------------------------------------


def test_the_api_lists_assisted_cases_with_scope_assisting(caller, assisted, staff):
    golmud = caller(staff.golmud_handler)
    assert ok(golmud.get("/cases"))["count"] == 0
    body = ok(golmud.get("/cases", scope="assisting"))
    assert [item["number"] for item in body["items"]] == [assisted.number]
    assert (body["count"], body["count_is_exact"]) == (1, True)
    assert ok(golmud.get("/cases", scope="own"))["count"] == 0


def test_an_assisting_unit_reads_and_comments_on_the_case_through_the_api(caller, assisted, staff):
    golmud = caller(staff.golmud_handler)
    detail = ok(golmud.get(f"/cases/{assisted.number}"))
    assert detail["allowed_actions"] == ["comment", "attachments"]
    ok(golmud.post(f"/cases/{assisted.number}/comment", {"text": "已协助核实"}))
    assert CaseEvent.objects.filter(case=assisted, action=Action.COMMENT).exists()


def test_an_unknown_scope_answers_422(caller, staff):
    error = error_of(caller(staff.golmud_handler).get("/cases", scope="everything"), 422)
    assert list(error["fields"]) == ["scope"]


@pytest.mark.parametrize("count", [1, 30])
def test_the_assisting_list_costs_a_fixed_number_of_queries_whatever_its_length(
    caller, accepted_case, staff, tree, django_assert_num_queries, count
):
    from .test_api_staff import LIST_QUERIES

    for _ in range(count):
        services.dispatch(
            accepted_case(), actor=staff.agent, to=tree.xining, assisting=[tree.golmud]
        )
    golmud = caller(staff.golmud_handler)
    with django_assert_num_queries(LIST_QUERIES + RELATED_TABLES):
        body = ok(golmud.get("/cases", scope="assisting", limit=100))
    assert len(body["items"]) == body["count"] == count


def test_the_ledger_of_the_assisting_tab_holds_the_assisted_cases(client, assisted, staff):
    from .test_pages_export import EXPORT, workbook_rows

    client.force_login(staff.golmud_handler)
    rows = workbook_rows(client.get(EXPORT, {"tab": "assisting"}))
    assert [row[0] for row in rows[1:]] == [assisted.number]
    assert len(workbook_rows(client.get(EXPORT))) == 1  # the header alone
