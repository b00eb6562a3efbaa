"""Deliver outbox messages: claim, send, then mark sent or schedule a retry.

A message is claimed with a conditional ``UPDATE ... SET status = 'sending' WHERE status =
'pending' AND next_attempt_at <= now``: of two workers (the task enqueued on commit and the
periodic scan, or two worker processes) only one gets a row count of 1, so a message is sent by
one of them. The claim commits before the backend is called: no transaction or lock is held while
a gateway takes its time.

A failed attempt is retried after 1, 2, 4, 8, ... minutes; the 8th failure marks the message
failed (the admin can retry it). A sender that died between claim and result leaves the message
in ``sending``; after 10 minutes the periodic scan puts it back in the queue. Delivery is
therefore at least once: a crash after the gateway accepted a text but before it was marked sent
sends it again, with the same ``id`` so the gateway can drop the repeat. Internal messages are
exactly once: their ``Notification`` is unique per outbox message.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .backends import SmsDeliveryError, get_sms_backend
from .models import Channel, MessageStatus, Notification, OutboxMessage

logger = logging.getLogger("hotline.notifications")

MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(minutes=10)
# Messages one periodic pass sends; the rest wait a minute for the next pass.
BATCH_SIZE = 100
ERROR_KEPT = 1000

SENT = "sent"
RETRY = "retry"
FAILED = "failed"
SKIPPED = "skipped"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 ... minutes."""
    return timedelta(minutes=2 ** (attempts - 1))


def claim(message_id: int, *, now: datetime) -> bool:
    """Take the message for sending if it is pending and due; True for the one caller that wins."""
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=MessageStatus.PENDING, next_attempt_at__lte=now
    ).update(status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return claimed == 1


def deliver(message_id: int, *, now: datetime | None = None) -> str:
    """Claim and deliver one message; ``sent``, ``retry``, ``failed`` or ``skipped``.

    Skipped means someone else has it, it is already done, or it is not due yet.
    """
    now = now or timezone.now()
    if not claim(message_id, now=now):
        return SKIPPED
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        if message.channel == Channel.SMS:
            provider_id = get_sms_backend().send(
                phone=message.recipient_phone, text=message.body, message_id=message.pk
            )
            _mark_sent(message, provider_id=provider_id or "", now=now)
        else:
            _deliver_internal(message, now=now)
    except SmsDeliveryError as error:
        logger.warning("Outbox message %s not delivered: %s", message.pk, error)
        return _record_failure(message, str(error), now=now)
    except Exception as error:
        # A bug or an outage must not lose the message: it is retried like a refused one.
        logger.exception("Outbox message %s failed unexpectedly", message.pk)
        return _record_failure(message, f"{type(error).__name__}: {error}", now=now)
    return SENT


def _deliver_internal(message: OutboxMessage, *, now: datetime) -> None:
    with transaction.atomic():
        Notification.objects.get_or_create(
            outbox_message=message,
            defaults={
                "organization_id": message.organization_id,
                "case_id": message.case_id,
                "kind": message.kind,
                "text": message.body,
                "created_at": message.created_at,
            },
        )
        _mark_sent(message, provider_id="", now=now)


def _mark_sent(message: OutboxMessage, *, provider_id: str, now: datetime) -> None:
    # Pending too: if this sender was thought dead and its message re-queued, the message did
    # go out after all, and marking it sent stops a second copy.
    updated = OutboxMessage.objects.filter(
        pk=message.pk, status__in=[MessageStatus.SENDING, MessageStatus.PENDING]
    ).update(
        status=MessageStatus.SENT,
        sent_at=now,
        provider_message_id=provider_id,
        last_error="",
        claimed_at=None,
    )
    if not updated:
        logger.warning("Outbox message %s was sent but had left the queue meanwhile", message.pk)


def _record_failure(message: OutboxMessage, error: str, *, now: datetime) -> str:
    attempts = message.attempts
    gave_up = attempts >= MAX_ATTEMPTS
    changes: dict[str, object] = {"last_error": error[:ERROR_KEPT], "claimed_at": None}
    if gave_up:
        changes["status"] = MessageStatus.FAILED
    else:
        changes["status"] = MessageStatus.PENDING
        changes["next_attempt_at"] = now + retry_delay(attempts)
    # Only this claim's holder records its outcome: a re-queued message belongs to its new one.
    OutboxMessage.objects.filter(
        pk=message.pk, status=MessageStatus.SENDING, claimed_at=message.claimed_at
    ).update(**changes)
    if gave_up:
        logger.error("Outbox message %s failed after %s attempts: %s", message.pk, attempts, error)
        return FAILED
    return RETRY


def requeue_stuck(*, now: datetime) -> int:
    """Put back messages whose sender claimed them over 10 minutes ago and never finished."""
    stuck = OutboxMessage.objects.filter(
        status=MessageStatus.SENDING, claimed_at__lt=now - STUCK_AFTER
    )
    given_up = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=MessageStatus.FAILED,
        claimed_at=None,
        last_error="The sender stopped before finishing the last attempt.",
    )
    requeued = stuck.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=MessageStatus.PENDING, next_attempt_at=now, claimed_at=None
    )
    if given_up or requeued:
        logger.warning("Outbox: %s stuck messages re-queued, %s marked failed", requeued, given_up)
    return requeued + given_up


def deliver_due_messages(*, now: datetime | None = None) -> dict[str, int]:
    """One periodic pass: re-queue stuck messages, then deliver up to 100 due ones."""
    now = now or timezone.now()
    outcomes: Counter[str] = Counter()
    outcomes["requeued"] = requeue_stuck(now=now)
    due = list(
        OutboxMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:BATCH_SIZE]
    )
    for message_id in due:
        # Each at its own time: a slow gateway makes a pass last, and sent_at should be true.
        outcomes[deliver(message_id, now=max(now, timezone.now()))] += 1
    return dict(outcomes)
