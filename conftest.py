"""Fixtures every app's tests share: a small real-shaped Qinghai tree and its users."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from hotline.organizations.models import Division, Level, Organization
from hotline.testing import factories as f


@dataclass
class Tree:
    """Province → Xining and Haixi → two counties each → one grassroots union per county."""

    qinghai: Division
    xining_division: Division
    haixi_division: Division
    chengdong_division: Division
    chengzhong_division: Division
    golmud_division: Division
    delingha_division: Division
    province: Organization
    xining: Organization
    haixi: Organization
    chengdong: Organization
    chengzhong: Organization
    golmud: Organization
    delingha: Organization
    chengdong_union: Organization
    chengzhong_union: Organization
    golmud_union: Organization
    delingha_union: Organization


@pytest.fixture
def tree(db: None) -> Tree:
    qinghai = f.division("630000", "青海省")
    xining_d = f.division("630100", "西宁市", qinghai)
    haixi_d = f.division("632800", "海西蒙古族藏族自治州", qinghai)
    chengdong_d = f.division("630102", "城东区", xining_d)
    chengzhong_d = f.division("630103", "城中区", xining_d)
    golmud_d = f.division("632801", "格尔木市", haixi_d)
    delingha_d = f.division("632802", "德令哈市", haixi_d)

    province = f.organization("青海省总工会", parent=None, level=Level.PROVINCE, division=qinghai)
    xining = f.organization(
        "西宁市总工会", parent=province, level=Level.PREFECTURE, division=xining_d
    )
    haixi = f.organization(
        "海西州总工会", parent=province, level=Level.PREFECTURE, division=haixi_d
    )

    def county(name: str, parent: Organization, division: Division) -> Organization:
        return f.organization(name, parent=parent, level=Level.COUNTY, division=division)

    def grassroots(name: str, parent: Organization, code: str) -> Organization:
        return f.organization(
            name,
            parent=parent,
            level=Level.GRASSROOTS,
            division=parent.division,
            credit_code=code,
            formation="single",
        )

    chengdong = county("城东区总工会", xining, chengdong_d)
    chengzhong = county("城中区总工会", xining, chengzhong_d)
    golmud = county("格尔木市总工会", haixi, golmud_d)
    delingha = county("德令哈市总工会", haixi, delingha_d)
    return Tree(
        qinghai=qinghai,
        xining_division=xining_d,
        haixi_division=haixi_d,
        chengdong_division=chengdong_d,
        chengzhong_division=chengzhong_d,
        golmud_division=golmud_d,
        delingha_division=delingha_d,
        province=province,
        xining=xining,
        haixi=haixi,
        chengdong=chengdong,
        chengzhong=chengzhong,
        golmud=golmud,
        delingha=delingha,
        chengdong_union=grassroots("青海城东建筑工程有限公司工会", chengdong, None),
        chengzhong_union=grassroots("西宁市城中区南关街社区工会", chengzhong, None),
        golmud_union=grassroots("格尔木盐湖化工有限公司工会", golmud, None),
        delingha_union=grassroots("德令哈光伏发电有限公司工会", delingha, None),
    )


BROWSER_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's chromium driven by Playwright (never a browser Playwright downloads)."""
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(f"{executable} is missing: run `make browser` (Debian's chromium package).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
    # stay synchronous and are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser page against the live server; a screenshot is kept when the test fails."""
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 850}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def fresh_workday_calendar() -> Iterator[None]:
    """Each test starts with an empty calendar cache: a test's rows die with its transaction."""
    from hotline.workdays import calendar

    calendar.reset_state()
    yield


@pytest.fixture(autouse=True)
def fresh_deadline_rules() -> Iterator[None]:
    """Each test reads the deadline rules afresh: a test's rules die with its transaction."""
    from hotline.cases import deadlines

    deadlines.forget_rules()
    yield
    deadlines.forget_rules()
