"""Every error the API gives is one JSON envelope with the right status; CSRF guards sessions.

Error paths the real endpoints never take (a conflict, a crash, throttling, a body that does not
validate, an unsafe method) are driven through a throwaway ``HotlineAPI`` mounted by this module's
own URLconf.
"""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import path
from ninja import Field, Schema
from ninja.throttling import BaseThrottle

from config.api import HotlineAPI, api, field_name
from hotline.accounts.tokens import create_api_token
from hotline.core.errors import Conflict, DomainError
from hotline.testing import factories as f

# --- a throwaway API with the project's conventions --------------------------------------------

probe = HotlineAPI(title="probe", version="probe", urls_namespace="probe")


class ItemIn(Schema):
    name: str = Field(min_length=1)
    size: int = Field(ge=1)


class Never(BaseThrottle):
    def allow_request(self, request) -> bool:
        return False

    def wait(self) -> float:
        return 30.0


@probe.post("/items")
def create_item(request, payload: ItemIn) -> dict:
    return {"name": payload.name}


@probe.get("/conflict")
def conflict(request) -> dict:
    raise Conflict("case.not_dispatched", "Not dispatched.", fields={"status": "received"})


@probe.get("/refused")
def refused(request) -> dict:
    raise DomainError("user.roles_required", "A role.", fields={"roles": "Choose one."})


@probe.get("/missing")
def missing(request) -> dict:
    raise Http404("secret detail about row 42")


@probe.get("/forbidden")
def forbidden(request) -> dict:
    raise PermissionDenied


@probe.get("/boom")
def boom(request) -> dict:
    raise RuntimeError("secret internal detail")


@probe.get("/throttled", throttle=Never())
def throttled(request) -> dict:
    return {}


urlpatterns = [path("probe/", probe.urls), path("api/v1/", api.urls)]

use_probe = pytest.mark.urls(__name__)


@pytest.fixture
def handler(tree):
    return f.user(tree.chengdong, "handler")


@pytest.fixture
def token(handler) -> str:
    return create_api_token(handler)[1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_of(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


# --- the real API ------------------------------------------------------------------------------


def test_401_envelope_when_no_credentials_are_given(client, db):
    error = error_of(client.get("/api/v1/me"), 401)
    assert (error["code"], error["fields"]) == ("auth.required", {})


def test_404_envelope_for_an_organization_out_of_scope(client, tree, token):
    response = client.get(f"/api/v1/organizations/{tree.haixi.pk}", headers=bearer(token))
    assert error_of(response, 404)["code"] == "organization.not_found"


def test_422_envelope_names_the_path_field(client, tree, token):
    error = error_of(client.get("/api/v1/divisions/12ab/children", headers=bearer(token)), 422)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["code"]


def test_422_envelope_names_the_query_field_with_a_reason(client, tree, token):
    url = f"/api/v1/organizations/{tree.chengdong.pk}/children?limit=500"
    error = error_of(client.get(url, headers=bearer(token)), 422)
    assert list(error["fields"]) == ["limit"]
    assert "200" in error["fields"]["limit"]


def test_an_unknown_path_under_the_api_answers_404_json(client, db):
    assert error_of(client.get("/api/v1/no-such-thing"), 404)["code"] == "not_found"
    assert error_of(client.post("/api/v1/no/such/thing"), 404)["code"] == "not_found"


def test_the_openapi_document_loads_and_lists_the_paths(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/me",
        "/api/v1/divisions/{code}/children",
        "/api/v1/organizations/{organization_id}",
        "/api/v1/organizations/{organization_id}/children",
    } <= set(paths)
    security = paths["/api/v1/me"]["get"]["security"]
    assert {name for scheme in security for name in scheme} == {"BearerTokenAuth", "SessionAuth"}


def test_the_openapi_document_describes_the_error_envelope(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]
    detail = document["paths"]["/api/v1/organizations/{organization_id}"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(detail)
    assert detail["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "404" not in document["paths"]["/api/v1/me"]["get"]["responses"]


def test_the_api_docs_page_opens(client, db):
    assert client.get("/api/v1/docs").status_code == 200


def test_the_api_docs_page_loads_nothing_from_other_hosts(client, db):
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in html
    assert "https://" not in html


# --- the envelope for each kind of error -------------------------------------------------------


@use_probe
def test_a_domain_error_answers_with_its_status_code_and_fields(client, token):
    error = error_of(client.get("/probe/conflict", headers=bearer(token)), 409)
    assert error == {
        "code": "case.not_dispatched",
        "message": "Not dispatched.",
        "fields": {"status": "received"},
    }
    error = error_of(client.get("/probe/refused", headers=bearer(token)), 400)
    assert (error["code"], error["fields"]) == ("user.roles_required", {"roles": "Choose one."})


@use_probe
def test_http404_answers_not_found_without_its_detail(client, token):
    response = client.get("/probe/missing", headers=bearer(token))
    assert error_of(response, 404)["code"] == "not_found"
    assert b"row 42" not in response.content


@use_probe
def test_permission_denied_answers_403_forbidden(client, token):
    assert error_of(client.get("/probe/forbidden", headers=bearer(token)), 403)["code"] == (
        "auth.forbidden"
    )


@use_probe
def test_an_unexpected_exception_answers_500_and_is_logged_without_leaking(client, token, caplog):
    with caplog.at_level(logging.ERROR, logger="hotline.api"):
        response = client.get("/probe/boom", headers=bearer(token))
    assert error_of(response, 500)["code"] == "server_error"
    assert b"secret internal detail" not in response.content
    assert b"Traceback" not in response.content
    record = next(r for r in caplog.records if r.name == "hotline.api")
    assert record.exc_info and "secret internal detail" in str(record.exc_info[1])


@use_probe
def test_throttling_answers_429_with_retry_after(client, token):
    response = client.get("/probe/throttled", headers=bearer(token))
    assert error_of(response, 429)["code"] == "throttled"
    assert response["Retry-After"] == "30"


@use_probe
def test_an_invalid_body_answers_422_naming_each_field(client, token):
    response = client.post(
        "/probe/items",
        {"name": "", "size": 0},
        content_type="application/json",
        headers=bearer(token),
    )
    error = error_of(response, 422)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "size"}


@use_probe
def test_a_missing_body_field_is_named_and_said_to_be_required(client, token):
    response = client.post(
        "/probe/items", {"name": "x"}, content_type="application/json", headers=bearer(token)
    )
    assert list(error_of(response, 422)["fields"]) == ["size"]


@use_probe
def test_a_body_that_is_not_json_answers_400_bad_request(client, token):
    response = client.post(
        "/probe/items", "{not json", content_type="application/json", headers=bearer(token)
    )
    assert error_of(response, 400)["code"] == "bad_request"


@pytest.mark.parametrize(
    ("loc", "name"),
    [
        (("body", "payload", "name"), "name"),
        (("body", "payload", "address", "city"), "address.city"),
        (("body", "payload"), "payload"),
        (("path", "code"), "code"),
        (("query", "limit"), "limit"),
        (("query", "items", 2), "items.2"),
        ((), "__all__"),
    ],
)
def test_pydantic_locations_become_client_field_names(loc, name):
    assert field_name(loc) == name


# --- CSRF on sessions --------------------------------------------------------------------------


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


ITEM = {"name": "x", "size": 1}


@use_probe
def test_a_session_post_without_csrf_token_is_refused_403(csrf_client, handler):
    csrf_client.force_login(handler)
    response = csrf_client.post("/probe/items", ITEM, content_type="application/json")
    assert error_of(response, 403)["code"] == "auth.forbidden"


@use_probe
def test_a_session_post_with_the_csrf_token_is_accepted(csrf_client, handler):
    csrf_client.force_login(handler)
    secret = "a" * 16 + "B" * 16  # any 32 letters or digits form a valid CSRF secret
    csrf_client.cookies["csrftoken"] = secret
    response = csrf_client.post(
        "/probe/items", ITEM, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert response.status_code == 200


@use_probe
def test_a_session_get_needs_no_csrf_token(csrf_client, handler):
    csrf_client.force_login(handler)
    assert csrf_client.get("/api/v1/me").status_code == 200


@use_probe
def test_a_bearer_post_needs_no_csrf_token(csrf_client, token):
    response = csrf_client.post(
        "/probe/items", ITEM, content_type="application/json", headers=bearer(token)
    )
    assert response.status_code == 200


@use_probe
def test_an_anonymous_post_is_told_to_authenticate_not_that_csrf_failed(csrf_client, db):
    response = csrf_client.post("/probe/items", ITEM, content_type="application/json")
    assert error_of(response, 401)["code"] == "auth.required"
