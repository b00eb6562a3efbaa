"""Rate limits of the public API: per client address and per phone number, counted in the database.

Each limit is a fixed window: at most ``count`` requests per ``seconds`` for one identity (an
address, or a phone number read from the JSON body) in one scope (lookup, intake, rating). A
refused request answers 429 ``throttled`` with ``Retry-After``: the seconds until the window ends.
Requests are counted before their input is checked, so failed guesses count too.

The counters are rows of ``ThrottleCount`` (identity key, end of window, hits), shared by every
web process through the database, so no cache service is needed. Counting a request is one
statement: an ``INSERT ... ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING hits`` (PostgreSQL
and SQLite both have it), atomic under concurrency and never reading before it writes. Ended
windows are deleted by the periodic job ``delete_ended_throttle_windows`` (hourly).
``settings.PUBLIC_API_RATES`` may override any of ``DEFAULT_RATES``, e.g.
``{"lookup_ip": "20/min"}``.

The client address is ``REMOTE_ADDR``. Behind a reverse proxy every request comes from the
proxy, so set ``NINJA_NUM_PROXIES`` to the number of proxies in front of the application (1 for
nginx appending ``$proxy_add_x_forwarded_for``): the address the outermost of them saw is then
read from ``X-Forwarded-For``, counting from the right, which a client cannot forge.

Identities are keyed by an HMAC (keyed with ``SECRET_KEY``), so the table never holds a phone
number or an address in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.throttling import BaseThrottle

from hotline.accounts.access_log import client_ip

from .crypto import normalize_phone
from .models import ThrottleCount

DEFAULT_RATES: dict[str, str] = {
    "lookup_ip": "10/min",
    "lookup_phone": "5/min",
    "intake_ip": "30/hour",
    "intake_phone": "5/hour",
    "rating_ip": "10/min",
    "rating_phone": "5/min",
}
_PERIODS = {"s": 1, "sec": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """``count`` requests per ``seconds``."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"10/min"`` → ``Rate(10, 60)``; units: s, min, hour, day."""
        count, _slash, period = text.partition("/")
        return cls(count=int(count), seconds=_PERIODS[period.strip()])


def rate_for(name: str) -> Rate:
    rates = {**DEFAULT_RATES, **getattr(settings, "PUBLIC_API_RATES", {})}
    return Rate.parse(rates[name])


def _digest(identity: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()[:40]


def _count(key: str, window_ends: int) -> int:
    """Add a hit to ``key``'s window ending at ``window_ends``; the hits so far, this one included.

    The only statement that writes counters: one round trip, no read before the write. Views
    count before opening any transaction, so the row lock lasts only this statement.
    """
    table = connection.ops.quote_name(ThrottleCount._meta.db_table)
    key_column = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, window_ends, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT (window_ends, {key_column}) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [key, window_ends],
        )
        return cursor.fetchone()[0]


def hit(name: str, identity: str, rate: Rate) -> float | None:
    """Count one request of ``identity`` under the limit ``name``.

    None when it is within the limit, else the seconds until the current window ends.
    """
    now = timezone.now().timestamp()
    window_ends = (int(now // rate.seconds) + 1) * rate.seconds
    count = _count(f"{name}:{_digest(identity)}", window_ends)
    if count > rate.count:
        return window_ends - now
    return None


def delete_ended_windows() -> int:
    """Delete the counters of windows that have ended; how many were deleted."""
    now = int(timezone.now().timestamp())
    deleted, _by_model = ThrottleCount.objects.filter(window_ends__lte=now).delete()
    return deleted


def client_address(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``NINJA_NUM_PROXIES`` trusted proxies the
    address the outermost one appended to ``X-Forwarded-For``."""
    proxies = getattr(settings, "NINJA_NUM_PROXIES", None) or 0
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return client_ip(request) or ""


def body_phone(request: HttpRequest) -> str:
    """The normalized ``phone`` of a JSON body, or "" when there is none to read."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return ""
    phone = body.get("phone") if isinstance(body, dict) else None
    return normalize_phone(phone) if isinstance(phone, str) else ""


class PublicThrottle(BaseThrottle):
    """The limit ``scope``_``by`` (e.g. ``lookup_ip``) as a django-ninja throttle.

    Ninja asks ``allow_request`` and then, on refusal, ``wait`` from the same thread; the wait is
    kept per thread because one throttle object serves every request.
    """

    def __init__(self, scope: str, by: Literal["ip", "phone"]) -> None:
        self.name = f"{scope}_{by}"
        self.by = by
        rate_for(self.name)  # a misspelt scope fails at import, not on the first request
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        identity = client_address(request) if self.by == "ip" else body_phone(request)
        self._local.wait = None
        if not identity:
            return True
        self._local.wait = hit(self.name, identity, rate_for(self.name))
        return self._local.wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


def public_throttles(scope: str) -> list[BaseThrottle]:
    """The per-address and per-phone limits of ``scope``."""
    return [PublicThrottle(scope, "ip"), PublicThrottle(scope, "phone")]
