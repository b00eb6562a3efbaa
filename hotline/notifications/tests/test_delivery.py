"""Delivering the outbox: claims, retries with backoff, stuck claims, internal notices."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import override_settings

from hotline.jobs.periodic import registry
from hotline.notifications import delivery, services
from hotline.notifications.models import MessageStatus, Notification, OutboxMessage
from hotline.notifications.tests import backends as test_backends

RECORDING = "hotline.notifications.tests.backends.RecordingBackend"
SLOW_RECORDING = "hotline.notifications.tests.backends.SlowRecordingBackend"
REFUSING = "hotline.notifications.tests.backends.RefusingBackend"
BUGGY = "hotline.notifications.tests.backends.BuggyBackend"

NOON = datetime(2025, 3, 17, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clear_sent() -> Iterator[None]:
    test_backends.delivered.clear()
    yield
    test_backends.delivered.clear()


def sms(case, *, at: datetime = NOON) -> OutboxMessage:
    # Written directly: through queue_sms, a test without a wrapping transaction would deliver it
    # on the spot (the test settings run tasks immediately).
    return OutboxMessage.objects.create(
        channel="sms",
        case=case,
        recipient_phone=case.phone,
        kind="accepted",
        template="accepted",
        body=f"【12351】您的诉求已受理，工单编号{case.number}。",
        created_at=at,
        next_attempt_at=at,
    )


def status_of(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


# Sending


@pytest.mark.django_db
@override_settings(SMS_BACKEND=RECORDING)
def test_delivery_sends_the_sms_and_marks_it_sent(case):
    message = sms(case)
    assert delivery.deliver(message.pk, now=NOON) == delivery.SENT
    row = status_of(message)
    assert row.status == MessageStatus.SENT
    assert row.sent_at == NOON
    assert row.attempts == 1
    assert row.provider_message_id == f"rec-{message.pk}"
    assert test_backends.delivered == [
        {"phone": "13912345678", "text": message.body, "id": message.pk}
    ]


@pytest.mark.django_db
def test_the_log_backend_writes_the_text_to_the_sms_log_with_the_phone_masked(case, caplog):
    message = sms(case)
    with caplog.at_level(logging.INFO, logger="hotline.sms"):
        assert delivery.deliver(message.pk, now=NOON) == delivery.SENT
    assert message.body in caplog.text
    assert "139****5678" in caplog.text
    assert "13912345678" not in caplog.text
    assert status_of(message).provider_message_id == ""


@pytest.mark.django_db
@override_settings(SMS_BACKEND=RECORDING)
def test_a_message_is_not_sent_before_it_is_due(case):
    message = sms(case)
    assert delivery.deliver(message.pk, now=NOON - timedelta(seconds=1)) == delivery.SKIPPED
    assert status_of(message).status == MessageStatus.PENDING
    assert test_backends.delivered == []


@pytest.mark.django_db
@override_settings(SMS_BACKEND=RECORDING)
def test_a_sent_message_is_not_sent_again(case):
    message = sms(case)
    delivery.deliver(message.pk, now=NOON)
    assert delivery.deliver(message.pk, now=NOON + timedelta(hours=1)) == delivery.SKIPPED
    assert len(test_backends.delivered) == 1


# Retries


@pytest.mark.django_db
@override_settings(SMS_BACKEND=REFUSING)
def test_a_failing_backend_is_retried_with_backoff_and_the_message_fails_after_8_attempts(case):
    message = sms(case)
    now = NOON
    delays = []
    for attempt in range(1, 8):
        assert delivery.deliver(message.pk, now=now) == delivery.RETRY
        row = status_of(message)
        assert (row.status, row.attempts) == (MessageStatus.PENDING, attempt)
        assert "HTTP 503" in row.last_error
        delays.append(row.next_attempt_at - now)
        # Not again before its time.
        assert delivery.deliver(message.pk, now=row.next_attempt_at - timedelta(seconds=1)) == (
            delivery.SKIPPED
        )
        now = row.next_attempt_at
    assert delays == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16, 32, 64)]
    assert delivery.deliver(message.pk, now=now) == delivery.FAILED
    row = status_of(message)
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 8)
    assert delivery.deliver(message.pk, now=now + timedelta(days=1)) == delivery.SKIPPED


@pytest.mark.django_db
def test_a_retry_that_succeeds_clears_the_error(case):
    message = sms(case)
    with override_settings(SMS_BACKEND=REFUSING):
        delivery.deliver(message.pk, now=NOON)
    with override_settings(SMS_BACKEND=RECORDING):
        assert delivery.deliver(message.pk, now=NOON + timedelta(minutes=1)) == delivery.SENT
    row = status_of(message)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.SENT, 2, "")


@pytest.mark.django_db
@override_settings(SMS_BACKEND=BUGGY)
def test_a_backend_that_crashes_does_not_lose_the_message(case, caplog):
    message = sms(case)
    with caplog.at_level(logging.ERROR, logger="hotline.notifications"):
        assert delivery.deliver(message.pk, now=NOON) == delivery.RETRY
    row = status_of(message)
    assert row.status == MessageStatus.PENDING
    assert "KeyError" in row.last_error
    assert "failed unexpectedly" in caplog.text


# Claims


@pytest.mark.django_db
def test_only_the_first_of_two_claims_on_a_message_wins(case):
    message = sms(case)
    assert delivery.claim(message.pk, now=NOON) is True
    assert delivery.claim(message.pk, now=NOON) is False
    row = status_of(message)
    assert (row.status, row.attempts, row.claimed_at) == (MessageStatus.SENDING, 1, NOON)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)
@override_settings(SMS_BACKEND=SLOW_RECORDING)
def test_two_workers_delivering_the_same_message_at_once_send_it_once(make_case):
    message = sms(make_case())
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(delivery.deliver(message.pk, now=NOON))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [delivery.SENT, delivery.SKIPPED]
    assert len(test_backends.delivered) == 1
    assert status_of(message).status == MessageStatus.SENT


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)
@override_settings(SMS_BACKEND=SLOW_RECORDING)
def test_two_periodic_sweeps_at_once_send_each_message_once(make_case):
    messages = [sms(make_case()) for _ in range(4)]
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            delivery.deliver_due_messages(now=NOON)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent["id"] for sent in test_backends.delivered) == [m.pk for m in messages]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


# Internal notices


@pytest.mark.django_db
def test_an_internal_message_creates_its_notification_once_even_if_delivered_twice(case, tree):
    message = services.notify_unit(case=case, organization=tree.golmud, kind="overdue")
    assert delivery.deliver(message.pk) == delivery.SENT
    # As if its sender had been thought dead and the message re-queued after it wrote the notice.
    OutboxMessage.objects.filter(pk=message.pk).update(status=MessageStatus.PENDING)
    assert delivery.deliver(message.pk) == delivery.SENT
    notification = Notification.objects.get()
    assert (notification.organization, notification.kind) == (tree.golmud, "overdue")
    assert notification.created_at == message.created_at
    assert status_of(message).attempts == 2


# The periodic sweep


@pytest.mark.django_db
@override_settings(SMS_BACKEND=RECORDING)
def test_the_sweep_delivers_due_messages_and_leaves_the_others(make_case, tree):
    due_sms = sms(make_case())
    later_sms = sms(make_case(), at=NOON + timedelta(minutes=5))
    notice = services.notify_unit(case=make_case(), organization=tree.xining, kind="dispatch")
    OutboxMessage.objects.filter(pk=notice.pk).update(next_attempt_at=NOON)
    sent_already = sms(make_case())
    OutboxMessage.objects.filter(pk=sent_already.pk).update(status=MessageStatus.SENT)

    assert delivery.deliver_due_messages(now=NOON) == {"requeued": 0, "sent": 2}
    assert status_of(due_sms).status == MessageStatus.SENT
    assert status_of(notice).status == MessageStatus.SENT
    assert status_of(later_sms).status == MessageStatus.PENDING
    assert [sent["id"] for sent in test_backends.delivered] == [due_sms.pk]
    assert Notification.objects.filter(outbox_message=notice).exists()


@pytest.mark.django_db
@override_settings(SMS_BACKEND=RECORDING)
def test_a_message_stuck_in_sending_for_over_10_minutes_is_requeued_and_sent(case):
    message = sms(case)
    assert delivery.claim(message.pk, now=NOON)  # and its sender died

    assert delivery.deliver_due_messages(now=NOON + timedelta(minutes=10)) == {"requeued": 0}
    assert status_of(message).status == MessageStatus.SENDING

    outcome = delivery.deliver_due_messages(now=NOON + timedelta(minutes=10, seconds=1))
    assert outcome == {"requeued": 1, "sent": 1}
    row = status_of(message)
    assert (row.status, row.attempts) == (MessageStatus.SENT, 2)


@pytest.mark.django_db
def test_a_stuck_message_on_its_last_attempt_is_marked_failed(case):
    message = sms(case)
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=7)
    assert delivery.claim(message.pk, now=NOON)
    delivery.requeue_stuck(now=NOON + timedelta(minutes=11))
    row = status_of(message)
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 8)
    assert row.last_error


@pytest.mark.django_db
@override_settings(SMS_BACKEND=RECORDING)
def test_a_late_sender_whose_message_was_requeued_still_marks_it_sent(case):
    message = sms(case)
    assert delivery.claim(message.pk, now=NOON)
    delivery.requeue_stuck(now=NOON + timedelta(minutes=11))
    # The first sender finally returns: the text went out, so it must not go out again.
    delivery._mark_sent(status_of(message), provider_id="late", now=NOON + timedelta(minutes=12))
    assert delivery.deliver_due_messages(now=NOON + timedelta(minutes=13)) == {"requeued": 0}
    assert status_of(message).status == MessageStatus.SENT


def test_the_sweep_is_a_periodic_job_every_minute():
    job = registry.get("hotline.notifications.tasks.deliver_pending_outbox")
    assert job is not None
    assert job.every == timedelta(minutes=1)
