"""SMS backends: how a text leaves the platform. Chosen by the ``SMS_BACKEND`` setting.

A backend has one method, ``send(phone=, text=, message_id=)``, which returns the provider's id
for the message (or None) and raises ``SmsDeliveryError`` when the message did not go out; the
outbox then retries it later. ``message_id`` is the outbox row's id, stable across retries, so a
gateway can drop a repeat of a message it already accepted.

- ``LogBackend`` (the default): writes the message to the ``hotline.sms`` log, sends nothing.
- ``HttpGatewayBackend``: POSTs JSON to the SMS gateway (``SMS_GATEWAY_URL``, bearer
  ``SMS_GATEWAY_TOKEN``, ``SMS_GATEWAY_TIMEOUT`` seconds, 5 by default), with the standard
  library only.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("hotline.sms")

DEFAULT_BACKEND = "hotline.notifications.backends.LogBackend"
DEFAULT_TIMEOUT = 5.0
# Enough of a gateway's error answer to diagnose it, not enough to flood the outbox row.
ERROR_BODY_KEPT = 300


class SmsDeliveryError(Exception):
    """The message did not go out; the outbox retries it."""


class SmsBackend:
    """The interface of an SMS backend."""

    def send(self, *, phone: str, text: str, message_id: int) -> str | None:
        raise NotImplementedError


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``: enough to recognise in a log, not to call."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


class LogBackend(SmsBackend):
    """Development and tests: the message goes to the log and nowhere else."""

    def send(self, *, phone: str, text: str, message_id: int) -> str | None:
        logger.info("SMS #%s to %s: %s", message_id, mask_phone(phone), text)
        return None


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would follow a 301/302 to a POST with a body-less GET; a gateway that redirects is
    # misconfigured, so the redirect is a failure like any other non-2xx answer.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpGatewayBackend(SmsBackend):
    """POST ``{"phone", "text", "id"}`` as JSON; any 2xx answer means the gateway took it.

    The provider's id is read from the JSON answer's ``message_id`` (or ``id``) when there is
    one. Settings are read when the backend is made, so ``override_settings`` applies in tests.
    """

    def __init__(self) -> None:
        self.url: str = getattr(settings, "SMS_GATEWAY_URL", "")
        self.token: str = getattr(settings, "SMS_GATEWAY_TOKEN", "")
        # A string is fine too: production may copy it from an environment variable.
        self.timeout = float(getattr(settings, "SMS_GATEWAY_TIMEOUT", "") or DEFAULT_TIMEOUT)

    def send(self, *, phone: str, text: str, message_id: int) -> str | None:
        if not self.url:
            raise SmsDeliveryError("SMS_GATEWAY_URL is not set")
        payload = json.dumps({"phone": phone, "text": text, "id": message_id}, ensure_ascii=False)
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.url, data=payload.encode("utf-8"), headers=headers, method="POST"
        )
        opener = urllib.request.build_opener(_RefuseRedirects)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status = response.status
                body = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read(ERROR_BODY_KEPT).decode("utf-8", "replace")
            error.close()
            raise SmsDeliveryError(f"gateway answered HTTP {error.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise SmsDeliveryError(f"gateway unreachable: {reason!s}") from None
        if not 200 <= status < 300:
            raise SmsDeliveryError(f"gateway answered HTTP {status}")
        return _provider_id(body, message_id)


def _provider_id(body: bytes, message_id: int) -> str | None:
    try:
        answer = json.loads(body) if body else None
    except ValueError:
        logger.warning("SMS #%s: the gateway's answer is not JSON; no provider id", message_id)
        return None
    if isinstance(answer, dict):
        for key in ("message_id", "id"):
            value = answer.get(key)
            if value not in (None, ""):
                return str(value)[:100]
    return None


def get_sms_backend() -> SmsBackend:
    """A new instance of the backend ``SMS_BACKEND`` names."""
    return import_string(getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND)()
