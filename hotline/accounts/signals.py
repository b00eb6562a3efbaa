"""Write the access log on login, failed login, lockout and logout.

These are Django's and django-axes' own signals: every way in (the login page, the admin login,
a test client) passes through them, so none can skip the log.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .access_log import record_access
from .models import AccessEvent, User


@receiver(user_logged_in, dispatch_uid="accesslog_login")
def log_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record_access(AccessEvent.LOGIN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accesslog_login_failed")
def log_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))
    user = User.objects.filter(username=username).first() if username else None
    record_access(AccessEvent.LOGIN_FAILED, request=request, user=user, username=username)


@receiver(user_locked_out, dispatch_uid="accesslog_locked_out")
def log_locked_out(
    sender: Any, request: HttpRequest | None = None, username: str = "", **kwargs: Any
) -> None:
    record_access(AccessEvent.LOCKED_OUT, request=request, username=username or "")


@receiver(user_logged_out, dispatch_uid="accesslog_logout")
def log_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record_access(AccessEvent.LOGOUT, request=request, user=user)
