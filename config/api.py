"""The JSON API under /api/v1/ (django-ninja): authentication, the error envelope, the routers.

Every endpoint accepts a bearer token or the staff session (``hotline.core.api_auth``). Every
error answer, whatever raised it, has one shape, so integrations parse one thing::

    {"error": {"code": "organization.not_found", "message": "...", "fields": {"name": "..."}}}

``code`` is stable and machine-readable; ``message`` is for people (Chinese by default);
``fields`` names the offending inputs, by field name, for 422 answers and refused writes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer

from hotline.accounts import api as accounts_api
from hotline.alerts import api as alerts_api
from hotline.analytics import api as analytics_api
from hotline.cases import api as cases_api
from hotline.cases import public_api as cases_public_api
from hotline.core.api_auth import API_AUTH, CsrfRefused
from hotline.core.errors import DomainError
from hotline.organizations import api as organizations_api

logger = logging.getLogger("hotline.api")

# Readable reasons for the pydantic errors the API's inputs can produce; anything else keeps
# pydantic's own (English) text rather than a vaguer one.
_FIELD_REASONS = {
    "missing": gettext_lazy("This field is required."),
    "string_pattern_mismatch": gettext_lazy("The format is not valid."),
    "string_type": gettext_lazy("Enter text."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "greater_than_equal": gettext_lazy("Must be at least %(ge)s."),
    "less_than_equal": gettext_lazy("Must be at most %(le)s."),
    "greater_than": gettext_lazy("Must be greater than %(gt)s."),
    "less_than": gettext_lazy("Must be less than %(lt)s."),
    "string_too_short": gettext_lazy("Must have at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Must have at most %(max_length)s characters."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "bool_parsing": gettext_lazy("Enter true or false."),
}

# Where ninja puts each input; only the body nests its fields under the parameter's name.
_SOURCES = frozenset({"path", "query", "header", "cookie", "body", "form", "file"})


def error_body(code: str, message: str, fields: Mapping[str, str] | None = None) -> dict:
    """The envelope every error answer carries."""
    return {"error": {"code": code, "message": str(message), "fields": dict(fields or {})}}


def field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """The client's name for the input at pydantic location ``loc``.

    ``("path", "code")`` is ``code``; ``("query", "limit")`` is ``limit``; a body schema sits
    under its parameter's name, so ``("body", "payload", "name")`` is ``name`` and
    ``("body", "payload", "address", "city")`` is ``address.city``.
    """
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        source, parts = parts[0], parts[1:]
        if source == "body" and len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def field_reason(error: Mapping[str, Any]) -> str:
    """A readable reason for one pydantic error."""
    template = _FIELD_REASONS.get(str(error.get("type", "")))
    if template is None:
        return str(error.get("msg", _("Not valid.")))
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return str(template) % context
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", _("Not valid.")))


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    """``{field: reason}`` for ninja's validation errors; the first reason per field wins."""
    fields: dict[str, str] = {}
    for error in errors:
        if "loc" in error:
            fields.setdefault(field_name(error["loc"]), field_reason(error))
        else:
            # Some ninja errors (pagination cursors) come as a bare {name: message}.
            for name, reason in error.items():
                fields.setdefault(str(name), str(reason))
    return fields


_HTTP_CODES = {
    400: ("bad_request", gettext_lazy("The request could not be read.")),
    401: ("auth.required", gettext_lazy("Log in or send a valid API token.")),
    403: ("auth.forbidden", gettext_lazy("You are not allowed to do this.")),
    404: ("not_found", gettext_lazy("Not found.")),
    429: ("throttled", gettext_lazy("Too many requests. Try again later.")),
}


# The envelope as OpenAPI shows it, under every operation's error answers.
_ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "examples": ["organization.not_found"]},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}
_DOCUMENTED_ERRORS = {
    401: "Not authenticated (auth.required)",
    404: "Not found, or outside the caller's scope",
    422: "Invalid input (invalid); fields names each bad input",
}


class ReadableJSONRenderer(JSONRenderer):
    """JSON with Chinese as characters rather than \\u escapes: same data, readable in logs."""

    json_dumps_params = {"ensure_ascii": False}


class HotlineAPI(NinjaAPI):
    """A NinjaAPI whose errors all answer with the envelope and whose endpoints need a caller.

    Tests build throwaway instances of it to exercise error paths the real endpoints never take.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("auth", API_AUTH)
        kwargs.setdefault("renderer", ReadableJSONRenderer())
        super().__init__(**kwargs)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Ninja's document, with the error envelope and the usual error answers added."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                parameters = operation.get("parameters", [])
                applies = {
                    401: bool(operation.get("security")),
                    404: any(parameter["in"] == "path" for parameter in parameters),
                    422: bool(parameters) or "requestBody" in operation,
                }
                responses = operation.setdefault("responses", {})
                for status, description in _DOCUMENTED_ERRORS.items():
                    if applies[status]:
                        responses.setdefault(
                            status, {"description": description, "content": content}
                        )
        return schema

    def set_default_exception_handlers(self) -> None:
        self.add_exception_handler(DomainError, self._domain_error)
        self.add_exception_handler(ValidationError, self._validation_error)
        self.add_exception_handler(HttpError, self._http_error)
        self.add_exception_handler(Http404, self._not_found)
        self.add_exception_handler(PermissionDenied, self._permission_denied)
        self.add_exception_handler(Exception, self._server_error)

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        """Ninja's URLs, then a JSON 404 for any other path under the API."""
        patterns, app_name, namespace = super().urls
        return [*patterns, re_path(r"^.+$", csrf_exempt(self._unknown_path))], app_name, namespace

    def error_response(
        self,
        request: HttpRequest,
        status: int,
        code: str,
        message: str,
        fields: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        return self.create_response(request, error_body(code, message, fields), status=status)

    def _domain_error(self, request: HttpRequest, exc: DomainError) -> HttpResponse:
        return self.create_response(request, {"error": exc.as_dict()}, status=exc.status)

    def _validation_error(self, request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return self.error_response(
            request,
            422,
            "invalid",
            _("Some of the input is not valid."),
            validation_fields(exc.errors),
        )

    def _http_error(self, request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        if status in _HTTP_CODES:
            code, message = _HTTP_CODES[status]
        else:
            code, message = f"http_{status}", str(exc)
        if isinstance(exc, CsrfRefused):
            message = exc.message
        response = self.error_response(request, status, code, str(message))
        if isinstance(exc, AuthenticationError):
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def _not_found(self, request: HttpRequest, exc: Http404) -> HttpResponse:
        code, message = _HTTP_CODES[404]
        return self.error_response(request, 404, code, str(message))

    def _permission_denied(self, request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        code, message = _HTTP_CODES[403]
        return self.error_response(request, 403, code, str(message))

    def _server_error(self, request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with the traceback for us; the caller learns only that it failed.
        logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
        return self.error_response(
            request, 500, "server_error", _("Something went wrong on our side. Try again later.")
        )

    def _unknown_path(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._not_found(request, Http404())


api = HotlineAPI(
    title="12351 职工服务平台 API",
    version="1",
    urls_namespace="api",
)

api.add_router("/me", accounts_api.router, tags=["accounts"])
api.add_router("/divisions", organizations_api.division_router, tags=["divisions"])
api.add_router("/organizations", organizations_api.organization_router, tags=["organizations"])
api.add_router("/cases", cases_api.case_router, tags=["cases"])
api.add_router("/categories", cases_api.category_router, tags=["cases"])
api.add_router("/public", cases_public_api.router, tags=["public"])
api.add_router("/analytics", analytics_api.router, tags=["analytics"])
api.add_router("/alerts", alerts_api.router, tags=["alerts"])
