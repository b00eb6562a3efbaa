"""Duplicate hints at intake: same phone or same employer in the last 30 days, similar text."""

from __future__ import annotations

import datetime

from hotline.cases.matching import similarity, words
from hotline.cases.selectors import duplicate_hints

from .conftest import shanghai

SAME_MATTER = "某建筑公司拖欠工资三个月了，二十多个工人没拿到钱"
OTHER_MATTER = "公司不给交社保，也不签劳动合同，想咨询怎么办"


def test_similar_descriptions_share_most_words():
    first = words("青海某建筑公司拖欠我们三个月工资，一共二十多人")
    assert similarity(first, words(SAME_MATTER)) > 0.3
    assert similarity(first, words(OTHER_MATTER)) < 0.3
    assert similarity(frozenset(), first) == 0


def test_same_phone_with_similar_text_is_hinted(new_case):
    earlier = new_case()
    hints = duplicate_hints("138 9711 2345", "", SAME_MATTER)
    assert hints == [earlier]
    assert hints[0].similarity >= 0.3


def test_same_employer_from_another_phone_is_hinted(new_case):
    earlier = new_case(employer_name="青海某建筑工程有限公司")
    assert duplicate_hints("13997100000", "青海某建筑工程 有限公司", SAME_MATTER) == [earlier]


def test_different_text_is_not_hinted(new_case):
    new_case()
    assert duplicate_hints("13897112345", "青海某建筑工程有限公司", OTHER_MATTER) == []


def test_other_callers_and_employers_are_not_hinted(new_case):
    new_case()
    assert duplicate_hints("13997100000", "另一家公司", SAME_MATTER) == []


def test_cases_older_than_thirty_days_are_not_hinted(new_case, clock):
    clock.set(shanghai(2026, 3, 1, 9, 0))
    new_case()
    clock.set(shanghai(2026, 3, 1, 9, 0) + datetime.timedelta(days=31))
    assert duplicate_hints("13897112345", "", SAME_MATTER) == []


def test_the_case_itself_and_merged_cases_are_excluded(new_case, staff):
    from hotline.cases import services

    earlier = new_case()
    current = new_case()
    assert duplicate_hints("13897112345", "", SAME_MATTER, exclude=current) == [earlier]
    services.merge(earlier, actor=staff.agent, into=current)
    assert duplicate_hints("13897112345", "", SAME_MATTER, exclude=current) == []


def test_hints_are_scoped_to_the_user_when_given(new_case, staff):
    new_case()
    assert duplicate_hints("13897112345", "", SAME_MATTER, user=staff.agent)
    assert duplicate_hints("13897112345", "", SAME_MATTER, user=staff.golmud_handler) == []


def test_hints_read_a_bounded_number_of_candidates(new_case, django_assert_num_queries):
    for _ in range(3):
        new_case()
    with django_assert_num_queries(1):
        assert len(duplicate_hints("13897112345", "", SAME_MATTER)) == 3
