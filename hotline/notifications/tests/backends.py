"""SMS backends for the tests, importable by dotted path like real ones."""

from __future__ import annotations

import threading
import time

from hotline.notifications.backends import SmsBackend, SmsDeliveryError

delivered: list[dict[str, object]] = []
_lock = threading.Lock()


class RecordingBackend(SmsBackend):
    """Accepts everything and remembers it; a short pause widens any race between two senders."""

    pause = 0.0

    def send(self, *, phone: str, text: str, message_id: int) -> str | None:
        time.sleep(self.pause)
        with _lock:
            delivered.append({"phone": phone, "text": text, "id": message_id})
        return f"rec-{message_id}"


class SlowRecordingBackend(RecordingBackend):
    pause = 0.2


class RefusingBackend(SmsBackend):
    """A gateway that is down."""

    def send(self, *, phone: str, text: str, message_id: int) -> str | None:
        raise SmsDeliveryError("gateway answered HTTP 503: busy")


class BuggyBackend(SmsBackend):
    """A backend with a bug: not an SmsDeliveryError, still must not lose the message."""

    def send(self, *, phone: str, text: str, message_id: int) -> str | None:
        raise KeyError("oops")
