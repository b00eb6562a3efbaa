"""Helpers for the browser tests (Playwright driving Debian's chromium)."""

from __future__ import annotations

from playwright.sync_api import Page

PASSWORD = "correct-horse-battery"  # the factories' password


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page as a person would, in the Chinese UI."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
