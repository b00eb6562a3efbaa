"""Every KPI against figures counted by hand from the story (tests/conftest.py), on the
aggregates built by a rebuild.

The story, as each counter sees it (3 to 14 March 2025, everything the province sees):

- received: A, B, C, D, E, F, H, I = 8 (G was merged into E); people 1+3+1+30+1+1+1+1 = 39
- accepted: A, B, C, D, E, H, I = 7; resolved directly: A = 1
- hand-overs: B→城东, C→西宁, C→城中, D→西宁, D→城东, E→格尔木, H→城东, H→城中, I→格尔木 = 9;
  acknowledged on time: B, C→城中, D→西宁, H→城中, I = 5 (C→西宁 and D→城东 late, E and H→城东
  never); returned: C→城中 = 1
- replies: B, C (11th, late), C (13th), D by 城东, D passed up by 西宁, I (after an extension)
  = 6, of which on time 5
- resolutions: A, B, C (11th), C (13th), D = 5; followed up A, B, C, C = 4; ratings: satisfied A
  and C (13th), basically satisfied B, dissatisfied C (11th); solved A and C (13th) = 2
- handling days: A 0, B 3 (3rd→6th), C 6 (3rd→11th), C 1 (reopened 12th→13th), D 4 = 14
"""

from __future__ import annotations

import datetime

import pytest

from hotline.analytics.kpis import (
    KpiFilters,
    case_volume,
    kpi_breakdown,
    kpis,
    periods,
    totals,
    unit_ranking,
)
from hotline.analytics.refresh import rebuild
from hotline.core.errors import DomainError, NotFound

from .conftest import MARCH

pytestmark = pytest.mark.django_db


def _fractions(found: list) -> dict[str, tuple[float, int]]:
    return {kpi.key: (kpi.numerator, kpi.denominator) for kpi in found}


@pytest.fixture
def built(story, clock):
    rebuild()
    return story


def test_every_kpi_of_the_province_matches_the_hand_count(built, people):
    found = kpis(people.province_leader, KpiFilters(*MARCH))
    assert _fractions(found) == {
        "ack_on_time": (5, 9),
        "completion_on_time": (5, 6),
        "first_contact": (1, 7),
        "return_rate": (1, 9),
        "satisfaction": (3, 4),
        "resolution": (2, 4),
        "follow_up": (4, 5),
        "handling_days": (14, 5),
    }
    values = {kpi.key: kpi.value for kpi in found}
    assert values["ack_on_time"] == pytest.approx(5 / 9)
    assert values["handling_days"] == pytest.approx(2.8)
    assert [kpi.display for kpi in found][:2] == ["55.6%", "83.3%"]


def test_the_volume_counts_requests_once_and_not_the_merged_duplicate(built, people):
    counted = totals(people.province_leader, KpiFilters(*MARCH))
    assert counted["received"] == 8
    assert counted["people"] == 39
    assert counted["acknowledged"] == 7


def test_a_prefecture_sees_the_figures_of_its_subtree_only(built, people):
    found = kpis(people.xining_leader, KpiFilters(*MARCH))
    # 西宁: hand-overs B, C→西宁, C→城中, D→西宁, D→城东, H→城东, H→城中 = 7, on time B, C→城中,
    # D→西宁, H→城中 = 4; replies B, C, C, D, D = 5 (on time all but C on the 11th); results B,
    # C, C, D: followed up B, C, C; satisfied C, basically B; solved C; days 3+6+1+4.
    assert _fractions(found) == {
        "ack_on_time": (4, 7),
        "completion_on_time": (4, 5),
        "first_contact": (0, 0),
        "return_rate": (1, 7),
        "satisfaction": (2, 3),
        "resolution": (1, 3),
        "follow_up": (3, 4),
        "handling_days": (14, 4),
    }
    assert totals(people.xining_leader, KpiFilters(*MARCH))["received"] == 4


def test_a_county_sees_its_own_figures_and_never_another_countys(built, people, tree):
    chengdong = kpis(people.chengdong_leader, KpiFilters(*MARCH))
    # 城东: hand-overs B, D→城东, H→城东; on time B only; replies B and D; results B and D.
    assert _fractions(chengdong) == {
        "ack_on_time": (1, 3),
        "completion_on_time": (2, 2),
        "first_contact": (0, 0),
        "return_rate": (0, 3),
        "satisfaction": (1, 1),
        "resolution": (0, 1),
        "follow_up": (1, 2),
        "handling_days": (7, 2),
    }
    golmud = kpis(people.golmud_leader, KpiFilters(*MARCH))
    assert _fractions(golmud)["ack_on_time"] == (1, 2)
    assert _fractions(golmud)["completion_on_time"] == (1, 1)
    with pytest.raises(NotFound):
        kpis(people.chengdong_leader, KpiFilters(*MARCH, unit=tree.golmud.pk))
    with pytest.raises(NotFound):
        kpis(people.chengdong_leader, KpiFilters(*MARCH, unit=tree.xining.pk))
    with pytest.raises(NotFound):
        kpis(people.chengdong_leader, KpiFilters(*MARCH, division="632801"))


def test_the_unit_filter_reads_that_units_subtree(built, people, tree):
    found = kpis(people.province_leader, KpiFilters(*MARCH, unit=tree.chengzhong.pk))
    # 城中: C→城中 (on time, returned), H→城中 (on time); no reply, no result.
    assert _fractions(found)["ack_on_time"] == (2, 2)
    assert _fractions(found)["return_rate"] == (1, 2)
    assert _fractions(found)["completion_on_time"] == (0, 0)


def test_dimension_filters_narrow_every_figure(built, people):
    leader = people.province_leader
    wages = totals(leader, KpiFilters(*MARCH, category="01"))  # A, D, E
    assert (wages["received"], wages["accepted"], wages["dispatched"]) == (3, 3, 3)
    arrears = totals(leader, KpiFilters(*MARCH, category="0101"))
    assert arrears == wages
    consultations = totals(leader, KpiFilters(*MARCH, kind="consultation"))  # A, F, I
    assert (consultations["received"], consultations["replied_on_time"]) == (3, 1)
    phone = totals(leader, KpiFilters(*MARCH, channel="phone"))  # D, H
    assert (phone["received"], phone["dispatched"], phone["resolved"]) == (2, 4, 1)
    haixi = totals(leader, KpiFilters(*MARCH, division="632800"))  # E, I
    assert (haixi["received"], haixi["dispatched"], haixi["replied"]) == (2, 2, 1)
    both = totals(leader, KpiFilters(*MARCH, category="02", kind="complaint"))  # B
    assert (both["received"], both["people"], both["rated"]) == (1, 3, 1)


def test_a_figure_belongs_to_the_day_of_the_step_that_counts_it(built, people):
    leader = people.province_leader
    monday = totals(leader, KpiFilters(datetime.date(2025, 3, 3), datetime.date(2025, 3, 3)))
    # Received A, B, C; hand-overs B→城东 and C→西宁 (acknowledged on the 4th and 5th, counted
    # here); A resolved and followed up (on the 4th) counted on its resolution day.
    assert monday["received"] == 3
    assert (monday["dispatched"], monday["acknowledged"], monday["acknowledged_on_time"]) == (
        2,
        2,
        1,
    )
    assert (monday["resolved"], monday["followed_up"]) == (1, 1)
    thursday = totals(leader, KpiFilters(datetime.date(2025, 3, 13), datetime.date(2025, 3, 13)))
    assert (thursday["replied"], thursday["resolved"], thursday["satisfied"]) == (2, 1, 1)


def test_breakdown_by_unit_lists_the_children_and_the_unit_itself(built, people, tree):
    rows = kpi_breakdown(people.province_leader, KpiFilters(*MARCH), "unit")
    by_label = {row.label: row for row in rows}
    assert rows[0].is_own
    assert rows[0].received == 2  # A and F stay with the province
    assert by_label["西宁市总工会"].received == 4
    assert by_label["海西州总工会"].received == 2
    label, found = rows[1]
    assert label == "西宁市总工会"
    assert _fractions(found)["ack_on_time"] == (4, 7)
    counties = kpi_breakdown(people.xining_leader, KpiFilters(*MARCH), "unit")
    assert [row.is_own for row in counties] == [True, False, False]
    assert [row.label for row in counties[1:]] == ["城东区总工会", "城中区总工会"]
    assert [row.received for row in counties] == [1, 2, 1]


def test_breakdowns_by_dimension_and_time(built, people):
    leader = people.province_leader
    categories = kpi_breakdown(leader, KpiFilters(*MARCH), "category")
    assert [(row.key, row.received) for row in categories] == [("01", 3), ("02", 3), ("03", 2)]
    within = kpi_breakdown(leader, KpiFilters(*MARCH, category="02"), "category")
    assert [(row.key, row.received) for row in within] == [("0201", 3)]
    kinds = {row.key: row.received for row in kpi_breakdown(leader, KpiFilters(*MARCH), "kind")}
    assert kinds == {"consultation": 3, "complaint": 4, "help": 1}
    channels = kpi_breakdown(leader, KpiFilters(*MARCH), "channel")
    assert {row.key: row.received for row in channels} == {"phone": 2, "web": 4, "wechat": 2}
    divisions = kpi_breakdown(leader, KpiFilters(*MARCH), "division")
    assert [(row.key, row.received) for row in divisions] == [
        ("630100", 5),
        ("632800", 2),
        ("", 1),
    ]
    days = kpi_breakdown(leader, KpiFilters(*MARCH), "day")
    assert len(days) == 12
    assert [row.received for row in days][:5] == [3, 1, 2, 0, 1]
    weeks = kpi_breakdown(leader, KpiFilters(*MARCH), "week")
    assert [row.received for row in weeks] == [7, 1]
    months = kpi_breakdown(leader, KpiFilters(datetime.date(2025, 1, 1), MARCH[1]), "month")
    assert [(row.key, row.received) for row in months] == [
        ("2025-01-01", 0),
        ("2025-02-01", 0),
        ("2025-03-01", 8),
    ]


def test_volumes_by_time_place_category_and_employer(built, people):
    leader = people.province_leader
    march = KpiFilters(*periods("month", datetime.date(2025, 3, 20)))
    assert [row.cases for row in case_volume(leader, march, "month")] == [8]
    prefectures = case_volume(leader, march, "prefecture")
    assert len([row for row in prefectures if row.key]) == 8  # every prefecture, for the map
    assert {row.key: row.cases for row in prefectures if row.cases} == {
        "630100": 5,
        "632800": 2,
        "": 1,
    }
    counties = {row.label: row.cases for row in case_volume(leader, march, "county")}
    assert counties["城东区"] == 3 and counties["城中区"] == 2 and counties["格尔木市"] == 2
    assert counties["德令哈市"] == 0
    employers = case_volume(leader, march, "employer", limit=2)
    assert [(row.label, row.cases, row.people) for row in employers] == [
        ("城中某商贸公司", 2, 2),
        ("格尔木某盐化公司", 2, 2),
    ]
    categories = case_volume(leader, march, "category")
    assert [(row.label, row.cases) for row in categories] == [
        ("劳动报酬", 3),
        ("社会保险", 3),
        ("劳动合同", 2),
    ]


def test_ranking_orders_units_by_score_and_by_one_kpi(built, people):
    rows = unit_ranking(people.province_leader, KpiFilters(*MARCH))
    assert [row.unit.name for row in rows] == ["海西州总工会", "西宁市总工会"]
    assert [row.rank for row in rows] == [1, 2]
    counties = unit_ranking(people.province_leader, KpiFilters(*MARCH), level="county")
    names = [row.unit.name for row in counties]
    assert names[-1] == "德令哈市总工会" and counties[-1].rank is None
    by_return = unit_ranking(
        people.province_leader, KpiFilters(*MARCH), level="county", order="return_rate"
    )
    # The lower the return rate the better: 城中 returned one of two.
    ranked = [row.unit.name for row in by_return if row.rank is not None]
    assert ranked[-1] == "城中区总工会"


def test_periods_are_local_calendar_periods():
    today = datetime.date(2025, 3, 12)  # a Wednesday
    assert periods("day", today) == (today, today)
    assert periods("week", today) == (datetime.date(2025, 3, 10), datetime.date(2025, 3, 16))
    assert periods("month", today) == (datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))
    assert periods("year", today) == (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    with pytest.raises(DomainError):
        periods("decade", today)


def test_bad_filters_are_refused(built, people):
    leader = people.province_leader
    for filters, field in [
        (KpiFilters(MARCH[1], MARCH[0]), "end"),
        (KpiFilters(*MARCH, kind="gossip"), "kind"),
        (KpiFilters(*MARCH, channel="pigeon"), "channel"),
        (KpiFilters(*MARCH, category="9999"), "category"),
    ]:
        with pytest.raises(DomainError) as refused:
            kpis(leader, filters)
        assert field in refused.value.fields
    with pytest.raises(DomainError):
        kpi_breakdown(leader, KpiFilters(*MARCH), "weather")
    with pytest.raises(NotFound):
        kpis(leader, KpiFilters(*MARCH, unit=10**9))
