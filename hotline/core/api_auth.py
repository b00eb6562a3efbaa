"""How the JSON API knows who is calling: a bearer token or the staff session.

Integrations send ``Authorization: Bearer <token>``; the pages' own JavaScript rides on the Django
session and, like any form, must pass the CSRF check for unsafe methods. Every endpoint accepts
either (``API_AUTH``); the first that recognises the caller wins. Inactive users and revoked
tokens are refused, which the API reports as 401.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from hotline.accounts.models import User
from hotline.accounts.tokens import authenticate_token


class CsrfRefused(AuthorizationError):
    """A session request with an unsafe method and no valid CSRF token."""

    def __init__(self) -> None:
        super().__init__(403, _("CSRF check failed. Reload the page and try again."))


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a token from ``hotline.accounts.tokens``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_token(token.strip())
        if user is not None:
            # Code that reads request.user (the access log, scoping helpers) sees the token's user.
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The Django session, with ninja's CSRF check on unsafe methods.

    Unlike ninja's own class, an anonymous request is not CSRF-checked: it simply is not
    authenticated, so it gets 401 rather than a misleading 403.
    """

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        # The operation may be csrf_exempt; ninja marks the request so.
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise CsrfRefused()
        return user


bearer_token_auth = BearerTokenAuth()
session_auth = SessionAuth()

# Bearer first: an integration's POST carries no CSRF token and must not be judged as a session.
API_AUTH = [bearer_token_auth, session_auth]
