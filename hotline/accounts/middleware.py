"""Ends a staff session after a stretch without requests (``SESSION_IDLE_SECONDS``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

SESSION_KEY = "last_activity"
# Saving the session on every request would be one write per request; a minute's slack is enough.
TOUCH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    """Logs the user out when their last request is older than the idle limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(SESSION_KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("Your session ended after a period of inactivity."))
            elif last is None or now - int(last) >= TOUCH_EVERY_SECONDS:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
