"""Writes of the notifications app: queue an SMS or a unit notice, read a notice, retry failures.

``queue_sms`` and ``notify_unit`` are called by the case services inside their own transaction:
they only write an ``OutboxMessage`` and ask for its delivery task once that transaction commits.
A rolled-back action therefore sends nothing, and a committed one always leaves a message that
the worker delivers, now or on a retry.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.core.errors import NotFound
from hotline.organizations.validators import normalize_phone

from .models import (
    Channel,
    MessageStatus,
    Notification,
    NotificationKind,
    OutboxMessage,
    SmsTemplate,
)
from .texts import DEFAULT_SMS_TEXTS, TemplateTextError, render_text, sms_values, unit_notice

if TYPE_CHECKING:
    from hotline.accounts.models import User
    from hotline.cases.models import Case
    from hotline.organizations.models import Organization

logger = logging.getLogger("hotline.notifications")

# Only a mainland mobile number receives an SMS; a landline would fail eight times for nothing.
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")


def queue_sms(*, case: Case, template: str, phone: str | None = None) -> OutboxMessage | None:
    """Queue the SMS ``template`` about ``case`` to ``phone`` (by default the case's phone).

    Returns None, and queues nothing, when there is no mobile number to send to (an anonymous
    request without a phone, a landline) or the template is switched off in the admin. A missing
    or broken template falls back to the default text; nothing here raises for a template.
    """
    raw_phone = case.phone if phone is None else phone
    mobile = _MOBILE.match(normalize_phone(raw_phone or ""))
    if mobile is None:
        if raw_phone:
            logger.info("No SMS %s for case %s: not a mobile number", template, case.number)
        return None
    text = _sms_text(template, case)
    if text is None:
        return None
    message = OutboxMessage.objects.create(
        channel=Channel.SMS,
        case=case,
        recipient_phone=mobile.group(1),
        kind=template,
        template=template,
        body=text,
    )
    _deliver_after_commit(message.pk)
    return message


def _sms_text(template: str, case: Case) -> str | None:
    row = SmsTemplate.objects.filter(code=template).first()
    default = DEFAULT_SMS_TEXTS.get(template)
    if row is not None and not row.is_active:
        logger.info("No SMS %s for case %s: the template is switched off", template, case.number)
        return None
    values = sms_values(case)
    if row is not None:
        try:
            return render_text(row.text, values)
        except TemplateTextError as error:
            logger.error("SMS template %s is broken (%s); default text used", template, error)
    elif default is not None:
        logger.warning("SMS template %s is missing; default text used", template)
    if default is None:
        logger.error("No SMS %s for case %s: no such template", template, case.number)
        return None
    return render_text(default, values)


def notify_unit(
    *, case: Case, organization: Organization, kind: str, text: str = ""
) -> OutboxMessage:
    """Queue a notice to ``organization``'s inbox about ``case``; the default text fits ``kind``.

    ``kind`` is one of ``NotificationKind`` (dispatch, urge, due_soon, overdue, returned,
    reply_to_review, extension_request, dissatisfied); another value is a programming error.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind: {kind!r}")
    message = OutboxMessage.objects.create(
        channel=Channel.INTERNAL,
        case=case,
        organization=organization,
        kind=kind,
        body=text or unit_notice(kind, case),
    )
    _deliver_after_commit(message.pk)
    return message


def _deliver_after_commit(message_id: int) -> None:
    transaction.on_commit(partial(_enqueue_delivery, message_id))


def _enqueue_delivery(message_id: int) -> None:
    # Imported here: the tasks module is only needed once something is queued.
    from .tasks import deliver_outbox_message

    try:
        deliver_outbox_message.enqueue(message_id)
    except Exception:
        # The message is committed; the periodic sweep sends it within a minute or so.
        logger.exception("Could not enqueue delivery of outbox message %s", message_id)


def mark_read(notification: Notification, *, user: User) -> Notification:
    """Mark ``notification`` read by ``user``, a member of its organization; once only.

    A notice of another organization is not found, as if it did not exist.
    """
    if (
        not user.is_authenticated
        or not user.is_active
        or notification.organization_id != user.organization_id
    ):
        raise NotFound("notification.not_found", _("No such notification."))
    # Conditional: the first reader is kept when two staff open it at once.
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=user
    )
    notification.refresh_from_db(fields=["read_at", "read_by"])
    return notification


def retry_failed_messages(*, message_ids: Iterable[int], actor: User) -> int:
    """Give failed messages a fresh set of attempts, starting now; other statuses are left."""
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=list(message_ids), status=MessageStatus.FAILED)
            .values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=MessageStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        for message_id in ids:
            _deliver_after_commit(message_id)
    logger.info(
        "Retry of %s failed outbox messages requested by %s", len(ids), actor.get_username()
    )
    return len(ids)
