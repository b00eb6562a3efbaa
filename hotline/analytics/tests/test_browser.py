"""The KPI page in Debian's chromium: a leader reads a KPI with its fraction, switches the
breakdown (htmx), drills down into a prefecture, and ranks the counties."""

from __future__ import annotations

import datetime
import importlib

import pytest
from playwright.sync_api import Page, expect

from hotline.analytics.refresh import rebuild
from hotline.cases.models import Category, DeadlineRule
from hotline.testing.browser import log_in

from .conftest import play_story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARCH = "period=custom&start=2025-03-03&end=2025-03-14"


@pytest.fixture(autouse=True)
def catalog(transactional_db: None) -> None:
    """What the story needs of the data migrations' rows (a transactional test may find them
    flushed by an earlier one): its categories and the default deadline rules."""
    rules = importlib.import_module(
        "hotline.cases.migrations.0002_load_categories_and_deadline_rules"
    )
    for code, name, subcode, subname in (
        ("01", "劳动报酬", "0101", "拖欠工资"),
        ("02", "社会保险", "0201", "未缴纳社会保险"),
        ("03", "劳动合同", "0301", "未签订劳动合同"),
    ):
        top, _ = Category.objects.get_or_create(code=code, defaults={"name": name})
        Category.objects.get_or_create(code=subcode, defaults={"name": subname, "parent": top})
    for stage, kind, days in rules.DEFAULT_RULES:
        DeadlineRule.objects.get_or_create(
            stage=stage, kind=kind, category=None, defaults={"working_days": days}
        )


def test_a_leader_reads_drills_down_and_ranks(page: Page, people, tree, clock):
    play_story(people, tree, clock)
    clock.set(datetime.datetime.now(datetime.UTC))
    rebuild()

    log_in(page, people.province_leader.username)
    page.goto(f"/analytics/?{MARCH}")
    card = page.get_by_test_id("kpi-ack_on_time")
    expect(card.get_by_test_id("numerator")).to_have_text("5")
    expect(card.get_by_test_id("denominator")).to_have_text("9")
    expect(card).to_contain_text("55.6%")

    page.get_by_test_id("by-kind").click()
    expect(page.locator('[data-testid="breakdown-row"][data-key="complaint"]')).to_be_visible()
    assert "by=kind" in page.url

    page.get_by_test_id("by-unit").click()
    page.locator('[data-testid="breakdown-row"]').get_by_role("link", name="西宁市总工会").click()
    expect(page.get_by_test_id("figures-of")).to_contain_text("西宁市总工会")
    rows = page.locator('[data-testid="breakdown-row"]')
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("kpi-received")).to_contain_text("4")

    page.goto(f"/analytics/ranking/?{MARCH}&level=county")
    ranked = page.locator('[data-testid="ranking-row"]')
    expect(ranked).to_have_count(4)
    expect(ranked.last).to_contain_text("德令哈市总工会")
