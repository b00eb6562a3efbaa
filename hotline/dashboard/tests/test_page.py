"""The dashboard page: who may open it, that its numbers are the analytics module's, what each
level of the drill-down sees, the wall screen, and what it costs in queries."""

from __future__ import annotations

import datetime
import html
import json
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from hotline.analytics.kpis import KpiFilters, case_volume, kpis, totals
from hotline.analytics.refresh import rebuild
from hotline.analytics.tests.conftest import at, play_story
from hotline.organizations.models import Level
from hotline.testing import factories as f

from .conftest import MARCH

pytestmark = pytest.mark.django_db

MARCH_FILTERS = KpiFilters(datetime.date(2025, 3, 3), datetime.date(2025, 3, 14))


def _get(client, **params: str):
    url = reverse("dashboard:dashboard")
    return client.get(url + ("?" + urlencode(params) if params else ""))


def _page(client, **params: str) -> str:
    response = _get(client, **params)
    assert response.status_code == 200
    return response.content.decode()


def _tile(page: str, key: str) -> dict[str, str]:
    block = page.split(f'data-testid="tile-{key}"')[1].split('data-testid="change"')[0]
    found = {"value": re.search(r'data-testid="value">([^<]*)<', block).group(1)}
    for part in ("numerator", "denominator"):
        match = re.search(rf'data-testid="{part}">([^<]*)<', block)
        if match:
            found[part] = match.group(1)
    return found


def _rows(page: str, testid: str) -> dict[str, int]:
    """``{data-key: requests}`` of the table rows marked ``testid``."""
    pattern = rf'data-testid="{testid}" data-key="([^"]*)">.*?data-testid="cases">(\d+)<'
    return {key: int(cases) for key, cases in re.findall(pattern, page, re.S)}


def _chart_data(page: str) -> dict:
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page)
    return json.loads(match.group(1))


# --- who opens it ---------------------------------------------------------------------------


def test_leaders_supervisors_and_administrators_open_the_dashboard(
    client, people, built, admin_user
):
    for user in (people.province_leader, people.supervisor, people.chengdong_leader, admin_user):
        client.force_login(user)
        assert _get(client, **MARCH).status_code == 200


def test_a_handler_a_dispatcher_or_an_agent_is_refused(client, people, built):
    for user in (people.chengdong_handler, people.xining_dispatcher, people.agent):
        client.force_login(user)
        assert _get(client).status_code == 403


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client, built):
    response = _get(client)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_navigation_offers_the_dashboard_to_leaders_and_administrators_only(
    client, people, admin_user
):
    url = reverse("dashboard:dashboard")
    for user in (people.province_leader, people.supervisor, admin_user):
        client.force_login(user)
        assert f'href="{url}"' in client.get(reverse("core:home")).content.decode()
    client.force_login(people.chengdong_handler)
    assert f'href="{url}"' not in client.get(reverse("core:home")).content.decode()


# --- the numbers are the analytics module's -------------------------------------------------


def test_the_tiles_show_the_kpis_with_their_fractions(client, people, built):
    client.force_login(people.province_leader)
    page = _page(client, **MARCH)
    expected = kpis(people.province_leader, MARCH_FILTERS)
    assert [kpi.key for kpi in expected if kpi.key == "ack_on_time"]
    for kpi in expected:
        tile = _tile(page, kpi.key)
        assert tile["value"] == kpi.display
        assert tile["numerator"] == kpi.numerator_display
        assert tile["denominator"] == str(kpi.denominator)
    counts = totals(people.province_leader, MARCH_FILTERS)
    assert _tile(page, "received")["value"] == str(counts["received"]) == "8"
    assert _tile(page, "people")["value"] == str(counts["people"])
    # By hand, from the story: 5 of the 9 hand-overs acknowledged on time.
    assert _tile(page, "ack_on_time") == {"value": "55.6%", "numerator": "5", "denominator": "9"}


def test_the_chart_tables_equal_the_analytics_volumes(client, people, built):
    client.force_login(people.province_leader)
    page = _page(client, **MARCH)
    user = people.province_leader

    def volumes(by: str) -> dict[str, int]:
        return {row.key: row.cases for row in case_volume(user, MARCH_FILTERS, by)}

    assert _rows(page, "trend-row") == volumes("day")
    assert len(_rows(page, "trend-row")) == 12
    assert _rows(page, "category-row") == volumes("category")
    assert _rows(page, "region-row") == volumes("prefecture")
    assert _rows(page, "region-row")["630100"] == 5  # A, B, C, D and H: a Xining workplace
    employers = case_volume(user, MARCH_FILTERS, "employer", limit=10)
    shown = re.findall(r'data-testid="employer-row">.*?data-testid="cases">(\d+)<', page, re.S)
    assert [int(cases) for cases in shown] == [row.cases for row in employers]
    for row in employers:
        assert html.escape(row.label) in page


def test_the_charts_draw_the_same_numbers_from_the_embedded_json(client, people, built):
    client.force_login(people.province_leader)
    page = _page(client, **MARCH)
    data = _chart_data(page)
    user = people.province_leader
    trend = case_volume(user, MARCH_FILTERS, "day")
    assert data["trend"] == {
        "by": "day",
        "labels": [row.label for row in trend],
        "values": [row.cases for row in trend],
    }
    categories = sorted(case_volume(user, MARCH_FILTERS, "category"), key=lambda r: -r.cases)
    assert sorted(data["categories"]["values"], reverse=True) == [row.cases for row in categories]
    assert data["map"]["level"] == "prefecture"
    regions = {row.key: row.cases for row in case_volume(user, MARCH_FILTERS, "prefecture")}
    assert {code: region["cases"] for code, region in data["map"]["regions"].items()} == {
        code: cases for code, cases in regions.items() if code
    }


def test_the_changes_compare_with_the_days_just_before(client, people, built):
    client.force_login(people.province_leader)
    page = _page(client, **MARCH)
    assert 'data-testid="compared-with"' in page and "2025-02-19" in page and "2025-03-02" in page
    # Nothing before the story: a count grows from 0, a rate has nothing to compare with.
    assert "+8" in page.split('data-testid="tile-received"')[1].split("</section>")[0][:900]
    assert "—" in page.split('data-testid="tile-ack_on_time"')[1].split('data-testid="tile-')[0]


def test_this_month_so_far_is_the_default_period(client, people, built):
    client.force_login(people.province_leader)
    page = _page(client)  # the clock stands at 14 March 2025
    period = re.search(r'data-testid="period">([^<]*)<', page).group(1)
    assert "2025-03-01" in period and "2025-03-14" in period
    assert _tile(page, "received")["value"] == "8"
    # Read as the whole of March (one rollup row a unit), shown up to today.
    so_far = KpiFilters(datetime.date(2025, 3, 1), datetime.date(2025, 3, 14))
    assert _rows(page, "trend-row") == {
        row.key: row.cases for row in case_volume(people.province_leader, so_far, "day")
    }
    assert max(_rows(page, "trend-row")) == "2025-03-14"
    for kpi in kpis(people.province_leader, so_far):
        assert _tile(page, kpi.key)["denominator"] == str(kpi.denominator)


def test_this_year_so_far_is_drawn_per_month_up_to_this_month(client, people, built):
    client.force_login(people.province_leader)
    page = _page(client, period="year")
    assert list(_rows(page, "trend-row")) == ["2025-01-01", "2025-02-01", "2025-03-01"]
    assert _tile(page, "received")["value"] == "8"


def test_the_page_says_how_fresh_the_figures_are(client, people, built):
    client.force_login(people.province_leader)
    page = _page(client, **MARCH)
    freshness = re.search(r'data-testid="freshness">(.*?)</div>', page, re.S).group(1)
    assert "2025-03-14 20:00" in freshness


def test_a_bad_custom_range_is_explained_and_nothing_is_shown(client, people, built):
    client.force_login(people.province_leader)
    page = _page(client, period="custom", start="2025-03-14", end="2025-03-01")
    assert 'data-testid="refusal"' in page
    assert 'data-testid="tiles"' not in page
    page = _page(client, period="custom", start="2025-03-14")
    assert 'data-testid="refusal"' in page


# --- scoping and drill-down -----------------------------------------------------------------


def test_a_county_leader_sees_only_their_own_county(client, people, built, tree):
    client.force_login(people.chengdong_leader)
    page = _page(client, **MARCH)
    own = totals(people.chengdong_leader, MARCH_FILTERS)
    province = totals(people.province_leader, MARCH_FILTERS)
    assert _tile(page, "received")["value"] == str(own["received"])
    assert own["received"] < province["received"]
    for other in ("格尔木", "城中", "德令哈", "海西"):
        assert other not in page
    assert 'data-testid="map-card"' not in page  # a county gets its units, not a map
    assert 'data-testid="units-chart-card"' in page


@pytest.mark.parametrize(
    ("viewer", "unit"),
    [
        ("chengdong_leader", "golmud"),  # a sibling's county
        ("chengdong_leader", "chengzhong"),
        ("chengdong_leader", "xining"),  # the prefecture above
        ("chengdong_leader", "province"),
        ("xining_leader", "haixi"),
        ("xining_leader", "golmud"),
        ("golmud_leader", "chengdong_union"),
    ],
)
def test_a_unit_outside_the_scope_is_not_found(client, people, built, tree, viewer, unit):
    client.force_login(getattr(people, viewer))
    assert _get(client, unit=str(getattr(tree, unit).pk), **MARCH).status_code == 404


def test_a_unit_that_does_not_exist_is_not_found_and_one_that_does_not_parse_is_ignored(
    client, people, built
):
    client.force_login(people.xining_leader)
    assert _get(client, unit="999999").status_code == 404
    page = _page(client, unit="xining", **MARCH)
    assert re.search(r'data-testid="dashboard-unit">西宁市总工会', page)


def test_the_province_map_opens_each_prefecture_federation(client, people, built, tree):
    client.force_login(people.province_leader)
    page = _page(client, **MARCH)
    data = _chart_data(page)
    regions = data["map"]["regions"]
    assert regions["630100"]["url"].endswith(f"unit={tree.xining.pk}")
    assert regions["632800"]["url"].endswith(f"unit={tree.haixi.pk}")
    assert "period=custom" in regions["630100"]["url"]  # the drill-down keeps the period
    links = re.findall(r'data-testid="region-row" data-key="(\d+)">\s*<td><a href="([^"]+)"', page)
    assert (
        "630100",
        f"?period=custom&amp;start=2025-03-03&amp;end=2025-03-14&amp;unit={tree.xining.pk}",
    ) in links


def test_a_prefecture_leader_drills_down_to_a_county_and_back(client, people, built, tree):
    client.force_login(people.xining_leader)
    page = _page(client, **MARCH)
    data = _chart_data(page)
    assert data["map"]["level"] == "county"
    assert data["map"]["parent"] == "630100"
    assert data["map"]["regions"]["630102"]["url"].endswith(f"unit={tree.chengdong.pk}")
    assert "632801" not in data["map"]["regions"]  # Golmud is not Xining's

    page = _page(client, unit=str(tree.chengdong.pk), **MARCH)
    assert re.search(r'data-testid="dashboard-unit">城东区总工会', page)
    drilled = KpiFilters(MARCH_FILTERS.start, MARCH_FILTERS.end, unit=tree.chengdong.pk)
    expected = totals(people.xining_leader, drilled)
    assert _tile(page, "received")["value"] == str(expected["received"])
    for kpi in kpis(people.xining_leader, drilled):
        assert _tile(page, kpi.key)["denominator"] == str(kpi.denominator)
    crumbs = re.findall(r'<a href="([^"]*)" data-testid="breadcrumb" data-unit="(\d+)">', page)
    assert crumbs == [
        (
            reverse("dashboard:dashboard")
            + "?period=custom&amp;start=2025-03-03&amp;end=2025-03-14",
            str(tree.xining.pk),
        )
    ]


def test_the_province_drills_through_a_prefecture_into_a_county(client, people, built, tree):
    client.force_login(people.province_leader)
    page = _page(client, unit=str(tree.golmud.pk), **MARCH)
    crumbs = re.findall(r'data-testid="breadcrumb" data-unit="(\d+)"', page)
    assert crumbs == [str(tree.province.pk), str(tree.haixi.pk)]
    drilled = KpiFilters(MARCH_FILTERS.start, MARCH_FILTERS.end, unit=tree.golmud.pk)
    assert _tile(page, "received")["value"] == str(
        totals(people.province_leader, drilled)["received"]
    )


# --- alerts and links -----------------------------------------------------------------------


def _alert_ids(page: str) -> list[str]:
    return re.findall(r'data-testid="alert-row" data-alert="(\d+)"', page)


def test_open_alerts_are_listed_within_the_scope_with_links(client, people, built, tree):
    from hotline.alerts.models import RiskAlert

    alert = RiskAlert.objects.get()
    assert alert.organization == tree.chengdong
    for viewer in (people.province_leader, people.xining_leader, people.chengdong_leader):
        client.force_login(viewer)
        page = _page(client, **MARCH)
        assert _alert_ids(page) == [str(alert.pk)]
        assert reverse("alerts:detail", args=[alert.pk]) in page
    client.force_login(people.golmud_leader)
    page = _page(client, **MARCH)
    assert _alert_ids(page) == []
    assert 'data-testid="no-alerts"' in page
    # Drilled into Haixi, the province leader does not see Chengdong's alert.
    client.force_login(people.province_leader)
    assert _alert_ids(_page(client, unit=str(tree.haixi.pk), **MARCH)) == []
    assert _alert_ids(_page(client, unit=str(tree.xining.pk), **MARCH)) == [str(alert.pk)]


def test_an_administrator_sees_the_figures_but_no_alerts_and_no_case_links(
    client, built, admin_user
):
    client.force_login(admin_user)
    page = _page(client, **MARCH)
    assert _tile(page, "received")["value"] == "8"
    assert 'data-testid="alert-row"' not in page
    assert 'data-testid="alerts-open"' not in page
    assert 'data-testid="employer-row"' in page
    assert 'data-testid="employer-link"' not in page  # the case list is not theirs


def test_each_hot_employer_opens_the_case_list_searched_for_its_name(client, people, built):
    client.force_login(people.province_leader)
    page = _page(client, **MARCH)
    links = re.findall(r'<a href="([^"]+)" data-testid="employer-link"', page)
    query = urlencode(
        {"q": "格尔木某盐化公司", "created_from": "2025-03-03", "created_to": "2025-03-14"}
    )
    expected = f"{reverse('cases:list')}?{query}"
    assert html.escape(expected) in links
    listed = client.get(expected).content.decode()
    assert built.cases["E"].number in listed and built.cases["I"].number in listed
    assert built.cases["B"].number not in listed


# --- the wall screen ------------------------------------------------------------------------


def test_the_wall_screen_has_no_navigation_and_reloads_itself(client, people, built, tree):
    client.force_login(people.province_leader)
    page = _page(client, wall="1", **MARCH)
    assert 'data-testid="wall"' in page
    assert 'data-testid="navigation"' not in page
    assert '<meta http-equiv="refresh" content="300">' in page
    assert 'data-testid="fullscreen"' in page
    assert _tile(page, "received")["value"] == "8"
    data = _chart_data(page)
    assert "wall=1" in data["map"]["regions"]["630100"]["url"]  # drilling stays on the wall
    exit_link = re.search(r'<a class="[^"]*" href="([^"]+)" data-testid="wall-exit"', page)
    assert "wall" not in exit_link.group(1)


def test_the_normal_page_links_to_the_wall_screen_with_its_period(client, people, built):
    client.force_login(people.province_leader)
    page = _page(client, **MARCH)
    link = re.search(r'href="([^"]+)" data-testid="wall-link"', page).group(1)
    assert link == "?period=custom&amp;start=2025-03-03&amp;end=2025-03-14&amp;wall=1"


# --- cost -----------------------------------------------------------------------------------


def test_the_dashboard_costs_the_same_queries_whatever_the_cases_and_units(
    client, people, built, tree, clock, django_assert_num_queries
):
    client.force_login(people.province_leader)
    _get(client)  # the idle timeout stamps the session on the first request
    with django_assert_num_queries(DASHBOARD_QUERIES):
        page = _page(client, **MARCH)
    assert _tile(page, "received")["value"] == "8"
    with django_assert_num_queries(DRILLED_QUERIES):
        _page(client, unit=str(tree.xining.pk), **MARCH)

    # The story once more and twenty more units with figures of their own: the same queries.
    play_story(people, tree, clock)
    for number in range(20):
        f.organization(
            f"城东区第{number}基层工会",
            parent=tree.chengdong,
            level=Level.GRASSROOTS,
            division=tree.chengdong_division,
            formation="single",
        )
    clock.set(at(14, 21))
    rebuild()
    with django_assert_num_queries(DASHBOARD_QUERIES):
        page = _page(client, **MARCH)
    assert _tile(page, "received")["value"] == "16"
    with django_assert_num_queries(DRILLED_QUERIES):
        _page(client, unit=str(tree.xining.pk), **MARCH)


# Session, user, roles (3); the totals of the period and of the one before (2: loose days);
# the map's volumes by division (1) with the divisions' names (1) and the federations below
# (1); the units below (1) with their figures (1); the open alerts, shown and counted (2); the
# trend (1); the categories (1) with the category table (1); the hot employers (1); freshness (1).
DASHBOARD_QUERIES = 17
# The same, plus the unit asked for (1), the breadcrumbs (1) and the unit re-checked by each of
# the seven figure reads (7).
DRILLED_QUERIES = DASHBOARD_QUERIES + 9
