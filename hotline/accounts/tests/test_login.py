"""Logging in and out, throttling, password change, idle sessions: each leaves its trace."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from hotline.accounts.middleware import SESSION_KEY
from hotline.accounts.models import AccessEvent, AccessLog
from hotline.testing import factories as f
from hotline.testing.browser import PASSWORD

LOGIN = "/accounts/login/"


@pytest.fixture
def handler(tree):
    return f.user(tree.chengdong, "handler", username="chengdong_handler")


def log_in(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def events(username: str) -> list[str]:
    return list(
        AccessLog.objects.filter(username=username)
        .order_by("at", "pk")
        .values_list("event", flat=True)
    )


def test_login_with_the_right_password_opens_the_home_page_and_is_logged(client, handler):
    response = log_in(client, "chengdong_handler", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    entry = AccessLog.objects.get(event=AccessEvent.LOGIN)
    assert entry.user == handler
    assert entry.ip_address == "127.0.0.1"


def test_login_with_a_wrong_password_is_refused_in_chinese_and_logged(client, handler):
    response = log_in(client, "chengdong_handler", "wrong-password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert events("chengdong_handler") == [AccessEvent.LOGIN_FAILED]
    assert AccessLog.objects.get().user == handler


def test_a_failed_login_for_an_unknown_username_is_logged_with_what_was_typed(client, db):
    log_in(client, "nobody", "whatever-password")
    entry = AccessLog.objects.get()
    assert (entry.event, entry.username, entry.user) == (AccessEvent.LOGIN_FAILED, "nobody", None)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, handler):
    for _ in range(5):
        log_in(client, "chengdong_handler", "wrong-password")
    response = log_in(client, "chengdong_handler", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert AccessEvent.LOCKED_OUT in events("chengdong_handler")
    assert "_auth_user_id" not in client.session


def test_an_inactive_user_cannot_log_in(client, handler):
    handler.is_active = False
    handler.save()
    response = log_in(client, "chengdong_handler", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_is_logged(client, handler):
    client.force_login(handler)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert AccessLog.objects.filter(event=AccessEvent.LOGOUT, user=handler).exists()
    assert client.get("/").status_code == 302


def test_pages_ask_for_login_first(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_password_change_needs_the_old_password(client, handler):
    client.force_login(handler)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "not-the-old-one",
            "new_password1": "Qinghai-new-2026",
            "new_password2": "Qinghai-new-2026",
        },
    )
    assert response.status_code == 200
    assert "旧密码" in response.content.decode()
    handler.refresh_from_db()
    assert handler.check_password(PASSWORD)


def test_password_change_refuses_an_all_digit_new_password(client, handler):
    client.force_login(handler)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "6300006301",
            "new_password2": "6300006301",
        },
    )
    assert response.status_code == 200
    assert "密码只包含数字" in response.content.decode()
    handler.refresh_from_db()
    assert handler.check_password(PASSWORD)


def test_password_change_keeps_the_session_and_is_logged(client, handler):
    client.force_login(handler)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Qinghai-new-2026",
            "new_password2": "Qinghai-new-2026",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "密码已修改" in response.content.decode()
    handler.refresh_from_db()
    assert handler.check_password("Qinghai-new-2026")
    assert AccessLog.objects.filter(event=AccessEvent.PASSWORD_CHANGE, user=handler).exists()


def test_a_session_idle_too_long_is_ended(client, handler, settings):
    client.force_login(handler)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert AccessLog.objects.filter(event=AccessEvent.LOGOUT, user=handler).exists()


def test_a_recently_active_session_stays_open(client, handler, settings):
    client.force_login(handler)
    session = client.session
    session[SESSION_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS + 60
    session.save()
    assert client.get("/").status_code == 200


def test_passwords_are_hashed_with_argon2_outside_tests():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_staff_user_with_the_admin_role_can_use_the_admin(client, tree):
    admin_user = f.user(tree.province, "admin", is_staff=True)
    client.force_login(admin_user)
    assert client.get("/admin/organizations/organization/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_a_staff_user_without_the_admin_role_gets_no_admin_permissions(client, tree):
    leader = f.user(tree.province, "leader", is_staff=True)
    client.force_login(leader)
    assert client.get("/admin/organizations/organization/").status_code == 403
