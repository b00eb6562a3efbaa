"""Capped counts of case lists: exact up to the cap, "more than the cap" past it, in one query,
within the user's scope and the list's filters."""

from __future__ import annotations

from hotline.cases.selectors import CaseFilters, case_list, count_cases
from hotline.cases.states import Kind


def test_a_list_count_is_exact_up_to_the_cap_in_one_query(
    new_case, staff, django_assert_num_queries
):
    for _ in range(3):
        new_case()
    cases = case_list(staff.province_supervisor)
    with django_assert_num_queries(1):
        assert count_cases(cases, cap=3) == (3, True)


def test_a_list_count_past_the_cap_gives_the_cap_and_says_it_is_not_exact(new_case, staff):
    for _ in range(4):
        new_case()
    assert count_cases(case_list(staff.province_supervisor), cap=3) == (3, False)
    assert count_cases(case_list(staff.province_supervisor)) == (4, True)


def test_a_capped_count_counts_only_the_users_scope_and_the_filters(new_case, staff):
    new_case(kind=Kind.COMPLAINT)
    new_case(kind=Kind.HELP)
    supervisor = staff.province_supervisor
    assert count_cases(case_list(supervisor, CaseFilters(kind=Kind.HELP))) == (1, True)
    # Registered at the provincial centre and not dispatched: not in a county's scope.
    assert count_cases(case_list(staff.chengdong_handler)) == (0, True)
