"""The figures pages and their workbooks: who may open them, what they show, what they refuse,
how many queries they cost."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hotline.accounts.models import AccessEvent, AccessLog
from hotline.analytics.refresh import rebuild
from hotline.analytics.tests.conftest import at, play_story

pytestmark = pytest.mark.django_db

MARCH_QUERY = {"period": "custom", "start": "2025-03-03", "end": "2025-03-14"}


@pytest.fixture
def built(story):
    rebuild()
    return story


def _get(client, name: str, **params: str):
    return client.get(reverse(name) + ("?" + urlencode(params) if params else ""))


def _workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_only_leaders_and_supervisors_open_the_figures(client, people, built):
    client.force_login(people.agent)
    for name in (
        "analytics:kpis",
        "analytics:ranking",
        "analytics:report",
        "analytics:kpis_export",
    ):
        assert _get(client, name).status_code == 403
    client.force_login(people.supervisor)
    assert _get(client, "analytics:kpis").status_code == 200


def test_the_navigation_offers_the_figures_to_leaders(client, people):
    client.force_login(people.province_leader)
    page = client.get(reverse("core:home")).content.decode()
    assert reverse("analytics:kpis") in page and reverse("analytics:ranking") in page
    client.force_login(people.agent)
    page = client.get(reverse("core:home")).content.decode()
    assert reverse("analytics:kpis") not in page


def test_the_kpi_page_shows_each_numerator_and_denominator(client, people, built):
    client.force_login(people.province_leader)
    page = _get(client, "analytics:kpis", **MARCH_QUERY).content.decode()
    assert 'data-testid="kpi-ack_on_time"' in page
    card = page.split('data-testid="kpi-ack_on_time"')[1].split("</div>\n    </div>")[0]
    assert '<span class="font-monospace" data-testid="numerator">5</span>' in card
    assert '<span class="font-monospace" data-testid="denominator">9</span>' in card
    assert "55.6%" in card
    assert "西宁市总工会" in page and "海西州总工会" in page


def test_an_htmx_request_gets_the_results_alone(client, people, built):
    client.force_login(people.province_leader)
    response = client.get(
        reverse("analytics:kpis") + "?" + urlencode({**MARCH_QUERY, "by": "kind"}),
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "<html" not in page
    assert 'data-key="complaint"' in page


def test_a_county_leader_sees_only_the_county(client, people, built, tree):
    client.force_login(people.chengdong_leader)
    page = _get(client, "analytics:kpis", **MARCH_QUERY).content.decode()
    assert "城东区总工会" in page
    assert "格尔木" not in page and "城中区总工会" not in page
    assert _get(client, "analytics:kpis", unit=str(tree.golmud.pk)).status_code == 404
    assert _get(client, "analytics:ranking", unit=str(tree.xining.pk)).status_code == 404
    assert _get(client, "analytics:kpis_export", unit=str(tree.golmud.pk)).status_code == 404
    assert _get(client, "analytics:report_download", unit=str(tree.golmud.pk)).status_code == 404
    assert _get(client, "analytics:kpis", division="632801").status_code == 404


def test_a_bad_period_is_explained_and_nothing_is_shown(client, people, built):
    client.force_login(people.province_leader)
    page = _get(client, "analytics:kpis", period="custom", start="2025-03-14").content.decode()
    assert 'data-testid="refusal"' in page
    assert 'data-testid="kpis"' not in page
    page = _get(
        client, "analytics:kpis", period="custom", start="2025-03-14", end="2025-03-01"
    ).content.decode()
    assert 'data-testid="refusal"' in page


def test_the_kpi_page_costs_the_same_queries_whatever_the_figures(
    client, people, built, tree, django_assert_num_queries, clock
):
    client.force_login(people.province_leader)
    query = {**MARCH_QUERY, "by": "unit"}
    _get(client, "analytics:kpis")  # the idle timeout stamps the session on the first request
    with django_assert_num_queries(KPI_PAGE_QUERIES):
        page = _get(client, "analytics:kpis", **query).content.decode()
    assert 'data-testid="denominator">9<' in page
    # The story once more, rebuilt: twice the figures, the same queries.
    play_story(people, tree, clock)
    clock.set(at(14, 21))
    rebuild()
    with django_assert_num_queries(KPI_PAGE_QUERIES):
        page = _get(client, "analytics:kpis", **query).content.decode()
    assert 'data-testid="denominator">18<' in page


# Session and user (2), roles (1), the form's units, categories and divisions (3), the totals (1:
# loose days), the units below (1) and their figures (1), freshness (1).
KPI_PAGE_QUERIES = 10


def test_the_ranking_page_ranks_the_units(client, people, built, django_assert_num_queries):
    client.force_login(people.province_leader)
    _get(client, "analytics:kpis")
    with django_assert_num_queries(RANKING_PAGE_QUERIES):
        response = _get(client, "analytics:ranking", **MARCH_QUERY, level="county")
    page = response.content.decode()
    rows = page.split('data-testid="ranking-row"')[1:]
    assert len(rows) == 4
    assert "德令哈市总工会" in rows[-1]


# As the KPI page, with the county federations (1) and their figures (1) instead of the totals and
# the breakdown.
RANKING_PAGE_QUERIES = 9


def test_the_kpi_workbook_holds_the_numbers_and_is_logged(client, people, built):
    client.force_login(people.province_leader)
    response = _get(client, "analytics:kpis_export", **MARCH_QUERY, by="unit")
    workbook = _workbook(response)
    kpis, breakdown = workbook.worksheets
    rows = list(kpis.iter_rows(min_row=3, values_only=True))
    assert rows[0][2:5:2] == (5, 9)  # acknowledged on time / dispatched
    assert rows[0][1] == pytest.approx(5 / 9)
    assert [row[1] for row in breakdown.iter_rows(min_row=3, values_only=True)] == [2, 4, 2]
    log = AccessLog.objects.get(event=AccessEvent.EXPORT)
    assert log.user == people.province_leader and "kpis.xlsx" in log.detail


def test_the_ranking_workbook_holds_the_ranking(client, people, built):
    client.force_login(people.province_leader)
    workbook = _workbook(_get(client, "analytics:ranking_export", **MARCH_QUERY))
    rows = list(workbook.active.iter_rows(min_row=3, values_only=True))
    assert [(row[0], row[1]) for row in rows] == [("海西州总工会", 1), ("西宁市总工会", 2)]
    assert AccessLog.objects.filter(event=AccessEvent.EXPORT).count() == 1


def test_the_monthly_report_has_its_sheets_and_figures(client, people, built):
    client.force_login(people.province_leader)
    response = _get(client, "analytics:report_download", month="2025-03")
    workbook = _workbook(response)
    assert len(workbook.sheetnames) == 6
    summary, by_unit, by_region, by_category, ranking, employers = workbook.worksheets
    cells = {row[0]: row[1:] for row in summary.iter_rows(min_row=3, values_only=True)}
    received = next(values for label, values in cells.items() if values[0] == 8)
    assert received[3] == 0  # February: nothing
    ack = next(summary.iter_rows(min_row=5, max_row=5, values_only=True))
    assert ack[2:4] == (5, 9)
    assert [row[1] for row in by_unit.iter_rows(min_row=3, values_only=True)] == [2, 4, 2]
    regions = {row[0]: row[1] for row in by_region.iter_rows(min_row=3, values_only=True)}
    assert regions["西宁市"] == 5 and regions["海西蒙古族藏族自治州"] == 2
    assert [row[1] for row in by_category.iter_rows(min_row=3, values_only=True)] == [3, 3, 2]
    assert [row[0] for row in ranking.iter_rows(min_row=3, values_only=True)] == [
        "海西州总工会",
        "西宁市总工会",
    ]
    top = list(employers.iter_rows(min_row=3, values_only=True))
    assert top[0][1] == 2 and len(top) == 4
    log = AccessLog.objects.get(event=AccessEvent.EXPORT)
    assert "monthly report 2025-03" in log.detail


def test_a_county_report_holds_only_the_county(client, people, built):
    client.force_login(people.chengdong_leader)
    workbook = _workbook(_get(client, "analytics:report_download", month="2025-03"))
    summary = workbook.worksheets[0]
    first = next(summary.iter_rows(min_row=3, max_row=3, values_only=True))
    assert first[1] == 2  # B and D
    employers = [row[0] for row in workbook.worksheets[5].iter_rows(min_row=3, values_only=True)]
    assert set(employers) == {"西宁某物业公司", "青海某建筑工程有限公司"}


def test_the_report_page_offers_last_month(client, people, built, clock):
    clock.set(at(14, 20))
    client.force_login(people.xining_leader)
    page = _get(client, "analytics:report").content.decode()
    assert 'value="2025-02"' in page
