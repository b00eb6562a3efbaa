"""The casework pages in Debian's chromium: badges a person can read at a glance, a county handler
acknowledging and replying on the case page, a dispatcher approving, the list filtering as one
types, and the case page on a phone.

The file sorts after ``test_dispatch.py`` on purpose: these tests empty the database when they end,
and once Playwright has run, a later test's ``serialized_rollback`` no longer brings the data
migrations' rows back."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from hotline.cases import services
from hotline.cases.models import Category
from hotline.testing.browser import log_in

from .conftest import shanghai

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RED = "rgb(220, 53, 69)"


@pytest.fixture(autouse=True)
def wage_category(transactional_db: None) -> Category:
    """The category the cases use. Transactional tests flush the data migrations' rows, and
    ``serialized_rollback`` does not bring them back once other tests have set up the database
    before the live server started: the test makes what it uses."""
    wages, _ = Category.objects.get_or_create(code="01", defaults={"name": "劳动报酬"})
    category, _ = Category.objects.get_or_create(
        code="0101", defaults={"name": "拖欠工资", "parent": wages}
    )
    return category


def real_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def test_a_returned_case_and_an_overdue_case_read_correctly_in_the_list(
    page: Page, accepted_case, staff, tree, clock
):
    clock.set(real_now() - datetime.timedelta(days=20))
    overdue = services.dispatch(
        accepted_case(title="某商贸公司拖欠两个月工资"), actor=staff.agent, to=tree.xining
    )
    returned = services.dispatch(
        accepted_case(title="外卖骑手工伤认定"), actor=staff.agent, to=tree.haixi
    )
    clock.set(real_now())
    services.return_case(returned, actor=staff.haixi_dispatcher, reason="工作地在西宁市城北区")

    log_in(page, staff.agent.username)
    page.goto("/cases/")
    late = page.locator(f'[data-testid="case-row"][data-number="{overdue.number}"]')
    badge = late.locator('[data-testid="deadline-badge"]:visible')
    expect(badge).to_contain_text("超期")
    expect(badge).to_contain_text("个工作日")
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == RED
    back = page.locator(f'[data-testid="case-row"][data-number="{returned.number}"]')
    expect(back.get_by_test_id("return-marker")).to_have_text("退单 1 次")
    expect(back.locator('[data-testid="status-badge"]:visible')).to_have_text("已受理")

    back.get_by_role("link", name=returned.number).click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("退单")
    expect(timeline).to_contain_text("工作地在西宁市城北区")
    # Back with the agent, it can be dispatched again.
    expect(page.get_by_test_id("action-dispatch")).to_be_visible()


def test_a_county_handler_acknowledges_and_replies_on_the_case_page(
    page: Page, accepted_case, flow, staff, tree
):
    case = flow.at_prefecture(accepted_case(title="建筑工地拖欠农民工工资"))
    case = services.dispatch(case, actor=staff.xining_dispatcher, to=tree.chengdong, note="请核实")

    log_in(page, staff.chengdong_handler.username)
    page.goto("/cases/inbox/")
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_test_id("status-badge")).to_have_text("已派单")
    expect(page.get_by_test_id("dispatch-path")).to_contain_text("西宁市总工会")

    page.get_by_test_id("action-acknowledge").click()
    page.get_by_test_id("submit-acknowledge").click()
    expect(page.get_by_role("alert").first).to_contain_text("工单已签收")
    expect(page.get_by_test_id("status-badge")).to_have_text("办理中")

    page.get_by_test_id("action-reply").click()
    page.get_by_test_id("submit-reply").click()
    # Nothing filled in: the service's words, next to the fields.
    expect(page.get_by_test_id("form-error")).to_be_visible()
    expect(page.get_by_test_id("form-reply")).to_contain_text("此项为必填项。")
    expect(page.get_by_test_id("status-badge")).to_have_text("办理中")

    page.get_by_label("办理情况及结果").fill("已约谈企业负责人，企业承诺本月底前补发全部工资。")
    page.get_by_label("已解决").check()
    page.get_by_test_id("submit-reply").click()
    expect(page.get_by_role("alert").first).to_contain_text("办结反馈已提交审核")
    expect(page.get_by_test_id("status-badge")).to_have_text("已反馈")
    expect(page.get_by_test_id("timeline")).to_contain_text("企业承诺本月底前补发全部工资")


def test_a_dispatcher_approves_a_reply_from_the_review_tab(page: Page, accepted_case, flow, staff):
    case = flow.replied_at_prefecture(accepted_case(title="企业未依法缴纳社会保险"))

    log_in(page, staff.province_dispatcher.username)
    page.goto("/cases/")
    page.get_by_test_id("tab-to_review").click()
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(1)
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_test_id("reply-text")).to_contain_text("已协调企业补发工资")

    page.get_by_test_id("action-approve").click()
    page.get_by_test_id("submit-approve").click()
    expect(page.get_by_role("alert").first).to_contain_text("办结反馈已审核通过")
    expect(page.get_by_test_id("status-badge")).to_have_text("已办结")
    expect(page.get_by_test_id("action-approve")).to_have_count(0)


def test_the_list_filters_as_one_types_and_keeps_the_filters_in_the_address(
    page: Page, accepted_case, staff, tree, clock
):
    clock.set(real_now() - datetime.timedelta(days=20))
    services.dispatch(accepted_case(title="超期未签收的工单"), actor=staff.agent, to=tree.xining)
    clock.set(real_now())
    accepted_case(title="女职工孕期被调岗降薪")
    accepted_case(title="加班费计算方式有争议")

    log_in(page, staff.agent.username)
    page.goto("/cases/")
    expect(page.get_by_test_id("result-count")).to_contain_text("共 3 件工单")
    page.get_by_label("查询").fill("孕期")
    expect(page.get_by_test_id("result-count")).to_contain_text("共 1 件工单")
    expect(page.get_by_test_id("case-table")).to_contain_text("女职工孕期被调岗降薪")
    assert "q=" in page.url

    page.get_by_label("查询").fill("")
    expect(page.get_by_test_id("result-count")).to_contain_text("共 3 件工单")
    page.locator('label[for="id_overdue"]').click()
    expect(page.get_by_test_id("result-count")).to_contain_text("共 1 件工单")
    expect(page.get_by_test_id("case-table")).to_contain_text("超期未签收的工单")
    assert "overdue=on" in page.url
    # The export link follows the filters.
    expect(page.get_by_test_id("export")).to_have_attribute(
        "href", "/cases/export.xlsx?" + page.url.split("?", 1)[1]
    )


def test_an_assisting_unit_finds_the_case_on_its_assisting_tab_and_comments(
    page: Page, accepted_case, staff, tree
):
    case = services.dispatch(
        accepted_case(title="盐湖企业拖欠农民工工资"),
        actor=staff.agent,
        to=tree.xining,
        assisting=[tree.golmud],
    )

    log_in(page, staff.golmud_handler.username)
    page.goto("/cases/")
    expect(page.get_by_test_id("no-cases")).to_be_visible()
    page.get_by_test_id("tab-assisting").click()
    expect(page.get_by_test_id("assisting-note")).to_be_visible()
    expect(page.get_by_test_id("case-row")).to_have_count(1)
    assert "tab=assisting" in page.url
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_test_id("assisting-units")).to_contain_text("格尔木市总工会")
    page.get_by_test_id("form-comment").locator("textarea").fill("已协助核实企业用工情况")
    page.get_by_test_id("submit-comment").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("已协助核实企业用工情况")


def test_a_prefecture_dispatcher_finds_a_unit_by_name_and_dispatches_to_it(
    page: Page, accepted_case, flow, staff, tree
):
    case = flow.at_prefecture(accepted_case())

    log_in(page, staff.xining_dispatcher.username)
    page.goto(f"/cases/{case.number}/")
    page.get_by_test_id("action-dispatch").click()
    form = page.get_by_test_id("form-dispatch")
    form.get_by_title("按名称查找单位").first.click()
    form.get_by_test_id("unit-search").first.fill("建筑")
    select = form.locator('select[name="dispatch-to"]')
    expect(select.locator("option", has_text="青海城东建筑工程有限公司工会")).to_have_count(1)
    select.select_option(label="青海城东建筑工程有限公司工会（城东区总工会）")
    form.get_by_label("派单说明").fill("请企业工会协助核实")
    page.get_by_test_id("submit-dispatch").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "工单已派至青海城东建筑工程有限公司工会"
    )
    expect(page.get_by_test_id("dispatch-path")).to_contain_text("青海城东建筑工程有限公司工会")


def test_a_handler_acknowledges_from_the_inbox_without_leaving_it(
    page: Page, accepted_case, staff, tree
):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    services.urge(case, actor=staff.agent, note="请今日内签收")

    log_in(page, staff.xining_handler.username)
    page.goto("/cases/inbox/")
    row = page.get_by_test_id("inbox-row")
    expect(row.get_by_test_id("urge-note")).to_contain_text("请今日内签收")
    row.get_by_test_id("quick-acknowledge").click()
    expect(page.get_by_test_id("row-message")).to_contain_text("工单已签收")
    expect(page.get_by_test_id("inbox-row").get_by_test_id("status-badge")).to_have_text("办理中")
    assert page.url.endswith("/cases/inbox/")


def test_the_case_page_fits_a_phone_with_the_actions_first(
    chromium, live_server, accepted_case, flow, staff
):
    case = flow.at_county(accepted_case())
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 360, "height": 740}
    )
    phone = context.new_page()
    try:
        log_in(phone, staff.chengdong_handler.username)
        phone.goto(f"/cases/{case.number}/")
        expect(phone.get_by_test_id("actions")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        actions = phone.get_by_test_id("actions").bounding_box()
        timeline = phone.get_by_test_id("timeline").bounding_box()
        assert actions["y"] < timeline["y"]
        phone.goto("/cases/")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        expect(phone.locator('[data-testid="deadline-badge"]:visible').first).to_be_visible()
    finally:
        context.close()


def test_the_badge_is_yellow_when_due_soon(page: Page, accepted_case, staff, tree, clock):
    # Dispatched on a Tuesday morning; acknowledgement runs to Wednesday night, due soon from
    # Wednesday afternoon.
    clock.set(shanghai(2026, 3, 10, 9, 0))
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    clock.set(shanghai(2026, 3, 11, 20, 0))
    log_in(page, staff.agent.username)
    page.goto("/cases/")
    row = page.locator(f'[data-testid="case-row"][data-number="{case.number}"]')
    badge = row.locator('[data-testid="deadline-badge"]:visible')
    expect(badge).to_have_text("今日到期")
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 230, 156)"
