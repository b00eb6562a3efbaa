"""The dashboard in Debian's chromium: the charts and the map are drawn (canvases, no error in
the console), a click on the map drills down from the province to a prefecture and a county,
the breadcrumbs lead back up, and the wall screen draws the same charts."""

from __future__ import annotations

import datetime
import importlib
import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hotline.analytics.refresh import rebuild
from hotline.analytics.tests.conftest import play_story
from hotline.cases.models import Category, DeadlineRule
from hotline.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARCH = "period=custom&start=2025-03-03&end=2025-03-14"
GEO = Path(__file__).resolve().parents[2] / "core" / "static" / "geo"


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


def _inside(ring: list[list[float]], x: float, y: float) -> bool:
    found = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            found = not found
    return found


def point_in(file: str, adcode: str) -> tuple[float, float]:
    """A point well inside the largest polygon of the shape ``adcode`` (longitude, latitude)."""
    features = json.loads((GEO / file).read_text(encoding="utf-8"))["features"]
    geometry = next(f["geometry"] for f in features if f["properties"]["adcode"] == adcode)
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    ring = max((polygon[0] for polygon in polygons), key=len)
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    steps = 40
    candidates = [
        (min(xs) + (max(xs) - min(xs)) * i / steps, min(ys) + (max(ys) - min(ys)) * j / steps)
        for i in range(1, steps)
        for j in range(1, steps)
    ]
    # Inside, with its neighbours on the grid inside too (not on a sliver), nearest the centre.
    dx, dy = (max(xs) - min(xs)) / steps, (max(ys) - min(ys)) / steps
    solid = [
        (x, y)
        for x, y in candidates
        if all(_inside(ring, x + a * dx, y + b * dy) for a in (-1, 0, 1) for b in (-1, 0, 1))
    ]
    return min(solid, key=lambda p: (p[0] - centre[0]) ** 2 + (p[1] - centre[1]) ** 2)


def wait_for_map(page: Page) -> None:
    page.wait_for_function(
        """() => {
            const el = document.querySelector('[data-chart="map"]');
            const chart = el && window.echarts.getInstanceByDom(el);
            const option = chart && chart.getOption();
            return !!(option && option.series && option.series[0] && option.series[0].data.length);
        }"""
    )


def click_region(page: Page, longitude: float, latitude: float) -> None:
    page.locator('[data-chart="map"]').scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([lng, lat]) => {
            const el = document.querySelector('[data-chart="map"]');
            return window.echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [lng, lat]);
        }""",
        [longitude, latitude],
    )
    box = page.locator('[data-chart="map"]').bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_the_charts_draw_and_the_map_drills_down_to_a_county(page: Page, people, tree, clock):
    play_story(people, tree, clock)
    clock.set(datetime.datetime.now(datetime.UTC))
    rebuild()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, people.province_leader.username)
    page.goto(f"/dashboard/?{MARCH}")
    expect(page.get_by_test_id("dashboard-unit")).to_contain_text("青海省总工会")
    for chart in ("trend", "categories", "map"):
        expect(page.locator(f'[data-chart="{chart}"] canvas').first).to_be_visible()
    wait_for_map(page)
    expect(page.get_by_test_id("tile-received").get_by_test_id("value")).to_have_text("8")

    click_region(page, *point_in("qinghai-prefectures.json", "632800"))
    page.wait_for_url(f"**unit={tree.haixi.pk}")
    expect(page.get_by_test_id("dashboard-unit")).to_contain_text("海西州总工会")
    assert "start=2025-03-03" in page.url  # the period goes along
    wait_for_map(page)
    counties = page.evaluate(
        """() => window.echarts.getInstanceByDom(document.querySelector('[data-chart="map"]'))
            .getOption().series[0].data.map(row => row.name)"""
    )
    assert "格尔木市" in counties and "西宁市" not in counties

    click_region(page, *point_in("qinghai-counties.json", "632801"))
    page.wait_for_url(f"**unit={tree.golmud.pk}")
    expect(page.get_by_test_id("dashboard-unit")).to_contain_text("格尔木市总工会")
    expect(page.get_by_test_id("tile-received").get_by_test_id("value")).to_have_text("2")
    # A county has no map: its units below instead (here none with figures: no bar chart).
    expect(page.get_by_test_id("units-chart-card")).to_be_visible()
    expect(page.get_by_test_id("map")).to_have_count(0)
    expect(page.locator('[data-testid="unit-row"]')).to_have_count(1)

    page.get_by_test_id("breadcrumbs").get_by_role("link", name="海西州总工会").click()
    page.wait_for_url(f"**unit={tree.haixi.pk}")
    page.get_by_test_id("breadcrumbs").get_by_role("link", name="青海省总工会").click()
    expect(page.get_by_test_id("breadcrumbs")).to_have_count(0)
    expect(page.get_by_test_id("dashboard-unit")).to_contain_text("青海省总工会")

    page.get_by_test_id("period-year").click()  # a period choice submits by itself
    page.wait_for_url("**period=year**")
    expect(page.locator('[data-chart="trend"] canvas').first).to_be_visible()
    assert errors == []


def test_the_wall_screen_draws_dark_and_full_width(page: Page, people, tree, clock):
    play_story(people, tree, clock)
    clock.set(datetime.datetime.now(datetime.UTC))
    rebuild()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, people.xining_leader.username)
    page.goto(f"/dashboard/?{MARCH}&wall=1")
    expect(page.get_by_test_id("wall")).to_be_visible()
    expect(page.get_by_test_id("navigation")).to_have_count(0)
    wait_for_map(page)
    for chart in ("trend", "categories", "map"):
        expect(page.locator(f'[data-chart="{chart}"] canvas').first).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(8, 20, 38)"
    # Everything fits on the screen: nothing to scroll on the wall.
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    assert errors == []
