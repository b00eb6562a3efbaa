"""The error pages: a person who may not open a page, follows a dead link, or meets a server error
is told so in Chinese, on a page that looks like the platform and leads back; the JSON API keeps
answering in JSON whatever the error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path
from playwright.sync_api import Page, expect

from hotline.accounts.models import Role
from hotline.testing import factories as f
from hotline.testing.browser import log_in


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# The platform's URLs plus one page that always fails (``pytest.mark.urls(__name__)``).
urlpatterns = [path("boom/", boom), path("", include("config.urls"))]


def template_names(response: HttpResponse) -> list[str]:
    return [template.name for template in response.templates if template.name]


@pytest.fixture
def handler(tree):
    return f.user(tree.chengdong, Role.HANDLER, username="chengdong_handler", name="马晓兰")


def test_a_handler_who_opens_the_supervision_board_gets_the_403_page_in_the_shell(client, handler):
    client.force_login(handler)
    response = client.get("/cases/supervision/")
    assert response.status_code == 403
    page = response.content.decode()
    assert {"403.html", "base.html"} <= set(template_names(response))
    assert 'lang="zh-hans"' in page
    assert "您的角色无权打开此页面" in page
    # The shell: who is logged in, and their own navigation.
    assert 'data-testid="navigation"' in page and "承办收件箱" in page
    assert "城东区总工会" in page
    assert 'href="/" data-testid="error-home"' in page


def test_a_logged_in_user_gets_the_404_page_in_the_shell(client, handler):
    client.force_login(handler)
    for address in ("/no-such-page/", "/cases/20991231000001/"):
        response = client.get(address)
        assert response.status_code == 404, address
        page = response.content.decode()
        assert {"404.html", "base.html"} <= set(template_names(response))
        assert "页面不存在" in page
        # A case outside the scope answers 404 like a missing one: the page says both.
        assert "超出本单位的权限范围" in page
        assert 'data-testid="navigation"' in page
        assert 'href="/" data-testid="error-home"' in page


def test_someone_not_logged_in_gets_a_404_page_leading_to_the_worker_service_and_the_login(
    client, db
):
    response = client.get("/public/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "core/error_layout.html" in template_names(response)
    assert "base.html" not in template_names(response)
    assert "页面不存在" in page
    assert 'href="/public/" data-testid="error-home"' in page
    assert 'href="/accounts/login/"' in page
    assert 'data-testid="navigation"' not in page


@pytest.mark.urls(__name__)
def test_a_server_error_gets_the_500_page_in_chinese_without_the_shell(handler):
    client = Client(raise_request_exception=False)
    client.force_login(handler)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert template_names(response) == ["500.html", "core/error_layout.html"]
    assert 'lang="zh-hans"' in page
    assert "服务器出错了" in page
    assert "bi-tools" in page and "core/app.css" in page
    # Drawn without the request's context: nothing about the user, nothing from the database.
    assert "马晓兰" not in page and 'data-testid="navigation"' not in page


def test_a_refused_csrf_check_is_explained_in_chinese(handler):
    # Django's own page, translated: a styled one would need its own CSRF_FAILURE_VIEW, since
    # Django renders 403_csrf.html with the request's context processors.
    client = Client(enforce_csrf_checks=True)
    client.force_login(handler)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "CSRF验证失败" in response.content.decode()


def test_the_api_answers_errors_in_json_to_a_logged_in_user(client, handler):
    client.force_login(handler)
    for address in ("/api/v1/no-such-thing", "/api/v1/cases/20991231000001"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] in {"not_found", "case.not_found"}
    refused = client.post(
        "/api/v1/cases",
        {
            "channel": "phone",
            "kind": "complaint",
            "category": "0101",
            "title": "拖欠工资",
            "description": "公司拖欠三个月工资。",
            "worker_name": "张师傅",
            "phone": "13897112345",
            "employer_name": "青海某建筑工程有限公司",
            "workplace_division": "630102",
            "people_involved": 1,
        },
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/json")
    assert refused.json()["error"]["code"] == "case.role_required"


def keep(page: Page, name: str) -> None:
    """A screenshot for a person to look at, when ``HOTLINE_SCREENSHOTS`` names a directory."""
    folder = os.environ.get("HOTLINE_SCREENSHOTS", "")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_the_error_pages_read_well_on_a_phone_and_a_desktop(chromium, live_server, tree, width):
    f.user(tree.chengdong, Role.HANDLER, username="chengdong_handler")
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 800}
    )
    page: Page = context.new_page()
    try:
        page.goto("/public/cases-that-do-not-exist/")
        expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", "404")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        keep(page, f"error-404-anonymous-{width}")

        log_in(page, "chengdong_handler")
        page.goto("/cases/follow-up/")
        card = page.get_by_test_id("error-page")
        expect(card).to_have_attribute("data-status", "403")
        expect(card.get_by_role("heading")).to_have_text("您的角色无权打开此页面")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        keep(page, f"error-403-shell-{width}")
        page.get_by_test_id("error-home").click()
        expect(page.get_by_test_id("welcome")).to_be_visible()
    finally:
        context.close()
