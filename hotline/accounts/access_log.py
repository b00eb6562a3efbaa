"""Writing the access log (PIPL): logins, failed logins, lockouts, views of personal data, exports.

Every module records through ``record_access`` so each row carries the same request facts.
"""

from __future__ import annotations

from django.http import HttpRequest

from .models import AccessLog, User

_MAX_USER_AGENT = AccessLog._meta.get_field("user_agent").max_length or 300
_MAX_DETAIL = AccessLog._meta.get_field("detail").max_length or 500
_MAX_USERNAME = AccessLog._meta.get_field("username").max_length or 150


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the web server saw it.

    ``X-Forwarded-For`` is not trusted here: behind a proxy, the proxy must set ``REMOTE_ADDR``
    (see docs/operations.md), otherwise anyone could write any address into the log.
    """
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_access(
    event: str,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    detail: str = "",
) -> AccessLog:
    """Append one row to the access log."""
    if user is not None and not username:
        username = user.get_username()
    user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return AccessLog.objects.create(
        event=event,
        user=user if user is not None and user.pk else None,
        username=(username or "")[:_MAX_USERNAME],
        ip_address=client_ip(request),
        user_agent=user_agent[:_MAX_USER_AGENT],
        detail=detail[:_MAX_DETAIL],
    )
