"""A person logs in through Debian's chromium and finds their way around."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from hotline.testing import factories as f
from hotline.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_county_handler_logs_in_and_sees_the_home_page(page: Page, tree):
    f.user(tree.chengdong, "handler", username="chengdong_handler", name="马晓兰")
    log_in(page, "chengdong_handler")
    expect(page.get_by_test_id("welcome")).to_contain_text("马晓兰，您好")
    expect(page.get_by_test_id("shell-identity")).to_contain_text("城东区总工会")
    expect(page.get_by_test_id("shell-identity")).to_contain_text("承办人")
    expect(page.get_by_test_id("tree-path")).to_contain_text("西宁市总工会")
    expect(page.get_by_test_id("children")).to_contain_text("青海城东建筑工程有限公司工会")
    expect(page.get_by_test_id("navigation")).not_to_contain_text("系统管理")


def test_a_wrong_password_shows_an_error_and_stays_on_the_login_page(page: Page, tree):
    f.user(tree.chengdong, "handler", username="chengdong_handler")
    log_in(page, "chengdong_handler", "not-my-password")
    expect(page.get_by_test_id("login-error")).to_be_visible()
    assert page.url.endswith("/accounts/login/")


def test_a_prefecture_dispatcher_searches_the_tree_as_they_type(page: Page, tree):
    f.user(tree.haixi, "dispatcher", username="haixi_dispatcher")
    log_in(page, "haixi_dispatcher")
    page.get_by_role("link", name="工会组织").click()
    expect(page.get_by_test_id("result-count")).to_contain_text("共 5 个组织")
    page.get_by_placeholder("名称或统一社会信用代码").fill("盐湖")
    expect(page.get_by_test_id("result-count")).to_contain_text("共 1 个组织")
    expect(page.get_by_test_id("search-results")).to_contain_text("格尔木盐湖化工有限公司工会")
    assert "q=" in page.url
    page.get_by_role("link", name="格尔木盐湖化工有限公司工会").click()
    expect(page.get_by_test_id("tree-path")).to_contain_text("格尔木市总工会")


def test_logging_out_returns_to_the_login_page(page: Page, tree):
    f.user(tree.province, "leader", username="province_leader")
    log_in(page, "province_leader")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_the_shell_fits_a_phone_screen(chromium, live_server, tree):
    f.user(tree.chengdong, "handler", username="chengdong_handler")
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 360, "height": 740}
    )
    phone = context.new_page()
    try:
        log_in(phone, "chengdong_handler")
        expect(phone.get_by_test_id("welcome")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
        phone.get_by_role("button", name="菜单").click()
        expect(phone.get_by_role("link", name="工会组织")).to_be_visible()
    finally:
        context.close()
