"""The risk alert pages in Debian's chromium: a prefecture supervisor finds the alert in the
list, opens it, follows its case, and acknowledges it with a note (refused first without one)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from hotline.accounts.models import Role
from hotline.alerts import services
from hotline.alerts.models import AlertRule, AlertStatus, RiskAlert, Rule
from hotline.alerts.units import Units
from hotline.cases import services as case_services
from hotline.cases.models import Category
from hotline.cases.states import Channel, Kind
from hotline.testing import factories as f
from hotline.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alert(tree) -> RiskAlert:
    """A many-people alert in Chengdong. Transactional tests flush the data migrations' rows:
    the test makes the category and the rule it uses."""
    wages, _ = Category.objects.get_or_create(code="01", defaults={"name": "劳动报酬"})
    Category.objects.get_or_create(code="0101", defaults={"name": "拖欠工资", "parent": wages})
    AlertRule.objects.get_or_create(rule=Rule.MANY_PEOPLE, defaults={"min_people": 10})
    case, _ = case_services.register_case(
        actor=None,
        channel=Channel.WEB,
        kind=Kind.COMPLAINT,
        category="0101",
        title="建筑工地拖欠二十名农民工工资",
        description="工地停工一个月，包工头联系不上，二十多名工人的工资没有着落。",
        worker_name="马师傅",
        phone="13897110001",
        employer_name="青海某建筑工程有限公司",
        workplace_division="630102",
        people_involved=20,
    )
    settings = {row.rule: row for row in AlertRule.objects.all()}
    (raised,) = services.evaluate_case(case, settings=settings, units=Units())
    return raised


def test_a_supervisor_opens_an_alert_follows_its_case_and_acknowledges_it(
    page: Page, alert: RiskAlert, tree
):
    supervisor = f.user(tree.province, Role.SUPERVISOR, username="supervisor", name="省督办")
    case = alert.cases.get()
    log_in(page, supervisor.username)
    page.goto("/alerts/")
    row = page.get_by_test_id("alert-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("建筑工地拖欠二十名农民工工资")
    expect(row).to_contain_text("城东区总工会")
    row.get_by_test_id("alert-link").click()

    expect(page.get_by_test_id("alert-title")).to_have_text(alert.title)
    expect(page.get_by_test_id("alert-case")).to_have_count(1)
    page.get_by_role("link", name=case.number).click()
    expect(page).to_have_url(f"{page.url.split('/cases/')[0]}/cases/{case.number}/")
    page.go_back()

    # No note: refused in place, nothing recorded.
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("note-error")).to_be_visible()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN

    page.locator("textarea[name=note]").fill("已责成城东区总工会约谈企业，周五前反馈")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("acknowledged")).to_contain_text("已责成城东区总工会约谈企业")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == supervisor
