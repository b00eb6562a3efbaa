"""API tokens: stored hashed, refused once revoked or for inactive users, issued by a command."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin import AdminSite
from django.core.management import CommandError, call_command
from django.utils import timezone

from hotline.accounts.admin_tokens import ApiTokenAdmin
from hotline.accounts.models import AccessEvent, AccessLog, ApiToken
from hotline.accounts.tokens import (
    LAST_USED_PRECISION,
    authenticate_token,
    create_api_token,
    revoke_api_token,
)
from hotline.testing import factories as f

ME = "/api/v1/me"


@pytest.fixture
def handler(tree):
    return f.user(tree.chengdong, "handler", "dispatcher", username="chengdong_handler")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_auth_required(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "auth.required"
    assert set(response.json()["error"]) == {"code", "message", "fields"}


# --- the token itself --------------------------------------------------------------------------


def test_a_new_token_is_stored_only_as_its_sha256_hash(handler):
    token, raw = create_api_token(handler, name="12345 hotline bridge")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert stored["prefix"] == raw[:8]
    assert raw not in {str(value) for value in stored.values()}
    assert len(raw) >= 40


def test_two_tokens_for_one_user_differ(handler):
    _, first = create_api_token(handler)
    _, second = create_api_token(handler)
    assert first != second


def test_creating_a_token_is_written_to_the_access_log(handler):
    token, _ = create_api_token(handler, name="bridge")
    entry = AccessLog.objects.get(event=AccessEvent.API_TOKEN_CREATED)
    assert (entry.user, entry.username) == (handler, "chengdong_handler")
    assert token.prefix in entry.detail
    assert "bridge" in entry.detail


def test_a_token_authenticates_its_user_with_organization_and_division_loaded(
    handler, django_assert_num_queries
):
    _, raw = create_api_token(handler)
    user = authenticate_token(raw)
    assert user == handler
    with django_assert_num_queries(0):
        assert user.organization.division.code == "630102"


def test_a_token_brings_its_users_roles_in_its_one_query(handler, django_assert_num_queries):
    _, raw = create_api_token(handler)
    authenticate_token(raw)  # the first use also writes last_used_at
    with django_assert_num_queries(1):
        user = authenticate_token(raw)
        assert user.roles == {"handler", "dispatcher"}
        assert user.has_role("dispatcher") and not user.has_role("agent")
        # What scoping and the access log read comes with it too.
        assert user.username == "chengdong_handler" and user.is_active
        assert user.organization == handler.organization
        assert user.organization.path == handler.organization.path
        assert user.organization.parent_id == handler.organization.parent_id
        assert user.organization.division.level == handler.organization.division.level


def test_a_token_of_a_user_without_roles_brings_no_roles(tree, django_assert_num_queries):
    _, raw = create_api_token(f.user(tree.chengdong, username="no_roles"))
    authenticate_token(raw)
    with django_assert_num_queries(1):
        assert authenticate_token(raw).roles == frozenset()


def test_a_revocation_takes_effect_on_the_next_request(handler):
    token, raw = create_api_token(handler)
    assert authenticate_token(raw) == handler
    revoke_api_token(token)
    assert authenticate_token(raw) is None


@pytest.mark.parametrize("raw", ["", "not-a-token", "x" * 43])
def test_an_unknown_token_authenticates_nobody(handler, raw):
    create_api_token(handler)
    assert authenticate_token(raw) is None


def test_a_revoked_token_authenticates_nobody(handler):
    token, raw = create_api_token(handler)
    revoke_api_token(token)
    assert token.revoked_at is not None
    assert authenticate_token(raw) is None


def test_a_token_of_an_inactive_user_authenticates_nobody(handler):
    _, raw = create_api_token(handler)
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    assert authenticate_token(raw) is None


def test_revoking_twice_keeps_the_first_revocation_time(handler):
    token, _ = create_api_token(handler)
    revoke_api_token(token)
    first = token.revoked_at
    revoke_api_token(token)
    token.refresh_from_db()
    assert token.revoked_at == first


def test_a_used_token_records_when_it_was_used(handler):
    token, raw = create_api_token(handler)
    assert token.last_used_at is None
    authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_using_a_token_again_within_a_minute_writes_nothing(handler, django_assert_num_queries):
    _, raw = create_api_token(handler)
    authenticate_token(raw)
    with django_assert_num_queries(1):  # the lookup only
        authenticate_token(raw)


def test_using_a_token_after_a_minute_updates_last_used(handler):
    token, raw = create_api_token(handler)
    long_ago = timezone.now() - LAST_USED_PRECISION - timedelta(seconds=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at > long_ago


# --- through the API ---------------------------------------------------------------------------


def test_bearer_token_opens_the_api_as_its_user(client, handler):
    _, raw = create_api_token(handler)
    response = client.get(ME, headers=bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "chengdong_handler"
    assert body["roles"] == ["dispatcher", "handler"]
    assert body["organization"]["name"] == "城东区总工会"
    assert body["organization"]["level"] == "county"
    assert body["organization"]["division"]["code"] == "630102"


def test_no_credentials_get_401_json_asking_for_a_bearer_token(client, db):
    response = client.get(ME)
    assert_auth_required(response)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_bearer_token_gets_401_json(client, handler):
    create_api_token(handler)
    assert_auth_required(client.get(ME, headers=bearer("wrong-token")))


def test_a_token_sent_with_another_scheme_gets_401_json(client, handler):
    _, raw = create_api_token(handler)
    assert_auth_required(client.get(ME, headers={"Authorization": f"Token {raw}"}))


def test_a_revoked_token_gets_401_json(client, handler):
    token, raw = create_api_token(handler)
    assert client.get(ME, headers=bearer(raw)).status_code == 200
    revoke_api_token(token)
    assert_auth_required(client.get(ME, headers=bearer(raw)))


def test_a_token_of_an_inactive_user_gets_401_json(client, handler):
    _, raw = create_api_token(handler)
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    assert_auth_required(client.get(ME, headers=bearer(raw)))


def test_a_logged_in_session_opens_the_api(client, handler):
    client.force_login(handler)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "chengdong_handler"


def test_a_session_of_a_deactivated_user_gets_401_json(client, handler):
    client.force_login(handler)
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    assert_auth_required(client.get(ME))


# --- the management command --------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_a_working_token_once_on_stdout(client, handler):
    out, err = run_command("chengdong_handler", "--name", "bridge")
    raw = out.strip()
    assert "\n" not in raw
    assert raw[:8] in err
    token = ApiToken.objects.get(user=handler)
    assert (token.name, token.prefix) == ("bridge", raw[:8])
    assert token.key_hash != raw
    assert client.get(ME, headers=bearer(raw)).json()["username"] == "chengdong_handler"


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        run_command("nobody")
    assert not ApiToken.objects.exists()


def test_the_command_refuses_an_inactive_user(handler):
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="chengdong_handler"):
        run_command("chengdong_handler")
    assert not ApiToken.objects.exists()


# --- the admin ---------------------------------------------------------------------------------


@pytest.fixture
def token_admin() -> ApiTokenAdmin:
    return ApiTokenAdmin(ApiToken, AdminSite())


def test_the_token_admin_passes_the_admin_checks(token_admin):
    assert token_admin.check() == []


def test_the_token_admin_is_read_only(rf, tree, token_admin):
    request = rf.get("/")
    request.user = f.user(tree.province, "admin", is_superuser=True, is_staff=True)
    assert not token_admin.has_add_permission(request)
    assert not token_admin.has_change_permission(request)
    assert not token_admin.has_delete_permission(request)
    assert "key_hash" not in token_admin.fields


def test_the_token_admin_revokes_only_for_users_who_may_change_tokens(rf, tree, token_admin):
    request = rf.get("/")
    request.user = f.user(tree.province, "leader", is_staff=True)
    assert not token_admin.has_revoke_permission(request)
    request.user = f.user(tree.province, "admin", is_staff=True)
    assert token_admin.has_revoke_permission(request)
    request.user = f.user(tree.province, "leader", is_superuser=True, is_staff=True)
    assert token_admin.has_revoke_permission(request)


def test_the_token_admin_revoke_action_revokes_the_selected_tokens(
    rf, handler, token_admin, monkeypatch
):
    _, kept_raw = create_api_token(handler, name="kept")
    revoked, revoked_raw = create_api_token(handler, name="revoked")
    said = []
    monkeypatch.setattr(
        token_admin, "message_user", lambda request, message, level: said.append(message)
    )
    request = rf.post("/")
    request.user = f.user(handler.organization, "admin", is_superuser=True, is_staff=True)
    token_admin.revoke(request, ApiToken.objects.filter(pk=revoked.pk))
    assert authenticate_token(revoked_raw) is None
    assert authenticate_token(kept_raw) == handler
    assert said and "1" in said[0]
    assert AccessLog.objects.get(event=AccessEvent.API_TOKEN_REVOKED).user == request.user


def test_revoking_a_token_is_logged_with_who_revoked_it(tree):
    owner = f.user(tree.province, "agent", username="national_link")
    admin_user = f.user(tree.province, "admin", username="province_admin")
    token, _raw = create_api_token(owner)
    revoke_api_token(token, actor=admin_user)
    revoke_api_token(token, actor=admin_user)
    entries = AccessLog.objects.filter(event=AccessEvent.API_TOKEN_REVOKED)
    assert entries.count() == 1
    assert entries.get().user == admin_user
    assert "national_link" in entries.get().detail
