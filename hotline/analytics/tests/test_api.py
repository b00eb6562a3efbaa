"""The analytics API: the same figures as the pages, scoped, with the error envelope."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from hotline.analytics.refresh import rebuild

pytestmark = pytest.mark.django_db

MARCH = {"period": "custom", "start": "2025-03-03", "end": "2025-03-14"}


@pytest.fixture
def built(story):
    rebuild()
    return story


def _get(client, path: str, **params: object):
    return client.get(f"/api/v1/analytics/{path}?{urlencode(params)}")


def _fractions(kpis: list[dict]) -> dict[str, tuple[float, int]]:
    return {kpi["key"]: (kpi["numerator"], kpi["denominator"]) for kpi in kpis}


def test_the_kpis_come_with_numerators_and_denominators(
    client, people, built, django_assert_num_queries
):
    client.force_login(people.province_leader)
    _get(client, "kpis", **MARCH)
    # Session, user, roles, the totals, freshness.
    with django_assert_num_queries(5):
        body = _get(client, "kpis", **MARCH).json()
    assert (body["start"], body["end"], body["received"], body["people"]) == (
        "2025-03-03",
        "2025-03-14",
        8,
        39,
    )
    assert _fractions(body["kpis"])["ack_on_time"] == (5, 9)
    assert _fractions(body["kpis"])["handling_days"] == (14, 5)
    ack = body["kpis"][0]
    assert ack["value"] == pytest.approx(5 / 9) and not ack["is_average"]
    assert body["refreshed_at"] is not None


def test_a_period_by_name_covers_the_calendar_period(client, people, built):
    client.force_login(people.province_leader)
    body = _get(client, "kpis", period="month", date="2025-03-20").json()
    assert (body["start"], body["end"], body["received"]) == ("2025-03-01", "2025-03-31", 8)
    body = _get(client, "kpis", period="week", date="2025-03-12").json()
    assert (body["start"], body["received"]) == ("2025-03-10", 1)


def test_a_county_gets_its_own_figures_and_nothing_outside(client, people, built, tree):
    client.force_login(people.chengdong_leader)
    body = _get(client, "kpis", **MARCH).json()
    assert (body["unit_name"], body["received"]) == ("城东区总工会", 2)
    refused = _get(client, "kpis", **MARCH, unit=tree.golmud.pk)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "organization.not_found"
    assert _get(client, "volume", **MARCH, division="632801").status_code == 404
    assert _get(client, "ranking", **MARCH, unit=tree.xining.pk).status_code == 404
    rows = _get(client, "breakdown", **MARCH, by="unit").json()["rows"]
    assert [row["key"] for row in rows] == [str(tree.chengdong.pk)]  # its own figures only


def test_breakdown_ranking_and_volume(client, people, built, django_assert_num_queries):
    client.force_login(people.xining_leader)
    _get(client, "kpis", **MARCH)
    rows = _get(client, "breakdown", **MARCH, by="unit").json()["rows"]
    assert [row["received"] for row in rows] == [1, 2, 1]
    # Session, user, roles, the county federations, their figures.
    with django_assert_num_queries(5):
        ranking = _get(client, "ranking", **MARCH, level="county").json()["rows"]
    # 城中 scores 80 (acknowledged 2 of 2 on time, returned 1 of 2), 城东 70.
    assert [(row["unit_name"], row["score"]) for row in ranking] == [
        ("城中区总工会", 80.0),
        ("城东区总工会", 70.0),
    ]
    volume = _get(client, "volume", **MARCH, by="county").json()["rows"]
    assert {row["label"]: row["cases"] for row in volume if row["cases"]} == {
        "城东区": 2,
        "城中区": 2,
    }
    employers = _get(client, "volume", **MARCH, by="employer", limit=1).json()["rows"]
    assert employers == [
        {"key": "城中某商贸公司", "label": "城中某商贸公司", "cases": 2, "people": 2}
    ]


def test_bad_input_is_refused_with_the_envelope(client, people, built):
    client.force_login(people.province_leader)
    missing_end = _get(client, "kpis", period="custom", start="2025-03-03")
    assert missing_end.status_code == 400
    assert missing_end.json()["error"]["code"] == "analytics.invalid_period"
    assert "end" in missing_end.json()["error"]["fields"]
    assert _get(client, "kpis", **MARCH, kind="gossip").status_code == 422
    assert _get(client, "kpis", **MARCH, division="63").status_code == 422
    unknown = _get(client, "kpis", **MARCH, category="9999")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "analytics.unknown_category"
    assert _get(client, "breakdown", **MARCH, by="weather").status_code == 422
    assert _get(client, "ranking", **MARCH, order="luck").status_code == 400


def test_only_leaders_and_supervisors_get_figures(client, people, built):
    assert _get(client, "kpis", **MARCH).status_code == 401
    client.force_login(people.agent)
    refused = _get(client, "kpis", **MARCH)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "analytics.role_required"
    client.force_login(people.supervisor)
    assert _get(client, "kpis", **MARCH).status_code == 200
