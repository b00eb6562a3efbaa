"""Rate limits of the public API: per client address and per phone number, kept in Django's cache.

Each limit is a fixed window: at most ``count`` requests per ``seconds`` for one identity (an
address, or a phone number read from the JSON body) in one scope (lookup, intake, rating). A
refused request answers 429 ``throttled`` with ``Retry-After``: the seconds until the window ends.
Requests are counted before their input is checked, so failed guesses count too.

The counters live in the cache named by ``settings.PUBLIC_API_CACHE`` (``"default"`` unless set)
and use only ``add`` and ``incr``, so any Django cache backend works. The default local-memory
cache is per process: with several web workers each counts on its own, so production configures a
shared cache (the database cache is enough: see docs/api.md). ``settings.PUBLIC_API_RATES`` may
override any of ``DEFAULT_RATES``, e.g. ``{"lookup_ip": "20/min"}``.

The client address is ``REMOTE_ADDR``. Behind a reverse proxy every request comes from the
proxy, so set ``NINJA_NUM_PROXIES`` to the number of proxies in front of the application (1 for
nginx appending ``$proxy_add_x_forwarded_for``): the address the outermost of them saw is then
read from ``X-Forwarded-For``, counting from the right, which a client cannot forge.

Identities are keyed by an HMAC (keyed with ``SECRET_KEY``), so the cache never holds a phone
number or an address in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import threading
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest
from django.utils import timezone
from ninja.throttling import BaseThrottle

from hotline.accounts.access_log import client_ip

from .crypto import normalize_phone

DEFAULT_RATES: dict[str, str] = {
    "lookup_ip": "10/min",
    "lookup_phone": "5/min",
    "intake_ip": "30/hour",
    "intake_phone": "5/hour",
    "rating_ip": "10/min",
    "rating_phone": "5/min",
}
_PERIODS = {"s": 1, "sec": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}
KEY_PREFIX = "hotline:throttle"


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


def _cache() -> BaseCache:
    return caches[getattr(settings, "PUBLIC_API_CACHE", "default")]


def _digest(identity: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()[:40]


def hit(name: str, identity: str, rate: Rate) -> float | None:
    """Count one request of ``identity`` under the limit ``name``.

    None when it is within the limit, else the seconds until the current window ends.
    """
    now = timezone.now().timestamp()
    window = int(now // rate.seconds)
    remaining = rate.seconds - (now % rate.seconds)
    key = f"{KEY_PREFIX}:{name}:{_digest(identity)}:{window}"
    cache = _cache()
    # The key outlives its window by a second so that it cannot expire between add and incr.
    timeout = math.ceil(remaining) + 1
    if cache.add(key, 1, timeout=timeout):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            # Evicted between the two calls: this request opens the window again.
            cache.add(key, 1, timeout=timeout)
            count = 1
    if count > rate.count:
        return remaining
    return None


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
