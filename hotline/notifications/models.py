"""SMS templates, the outbox of messages waiting to leave, and the handling units' inbox.

Services never send anything themselves: they write an ``OutboxMessage`` in their own transaction,
so a message exists exactly when the action that caused it committed. The task worker delivers it
afterwards and retries on failure (``hotline.notifications.delivery``). An internal message is
delivered by writing a ``Notification``, the row a handling unit reads in its inbox.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SmsTemplateCode(models.TextChoices):
    """The SMS messages a worker receives, one template each."""

    ACCEPTED = "accepted", _("Case accepted")
    DECLINED = "declined", _("Case declined")
    RESOLVED = "resolved", _("Case resolved")
    REOPENED = "reopened", _("Case reopened")


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    INTERNAL = "internal", _("Internal notification")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationKind(models.TextChoices):
    """Why a handling unit is told about a case."""

    DISPATCH = "dispatch", _("New dispatch")
    URGE = "urge", _("Urge")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    RETURNED = "returned", _("Returned")
    REPLY_TO_REVIEW = "reply_to_review", _("Reply to review")
    EXTENSION_REQUEST = "extension_request", _("Extension request")
    DISSATISFIED = "dissatisfied", _("Dissatisfied rating")
    RISK_ALERT = "risk_alert", _("Risk alert")


class SmsTemplate(models.Model):
    """The admin-editable text of one SMS; placeholders such as ``{number}`` are filled in."""

    code = models.CharField(_("code"), max_length=20, unique=True, choices=SmsTemplateCode.choices)
    text = models.TextField(_("text"))
    # Switched off, the SMS is not sent at all (rather than sent with the default text).
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")

    def __str__(self) -> str:
        return self.get_code_display()


class OutboxMessage(models.Model):
    """One message to deliver: an SMS to a worker or an internal notification to a unit."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("case"),
    )
    recipient_phone = models.CharField(_("recipient phone"), max_length=20, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("recipient organization"),
    )
    # The notification kind of an internal message; the template code of an SMS.
    kind = models.CharField(_("kind"), max_length=20)
    template = models.CharField(_("template"), max_length=20, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # When the current sender claimed it: a claim older than a few minutes is a crashed sender.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outbox")
        indexes = [
            # The delivery scan: due pending messages, and claims gone stale.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_delivery_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="sms", recipient_phone__gt="")
                | Q(channel="internal", organization__isnull=False),
                name="outbox_message_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} {self.kind}"


class Notification(models.Model):
    """What a handling unit sees in its inbox; read once by any of its staff."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("organization"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("case"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read by"),
    )
    # One notification per outbox message, however many times the message is delivered.
    outbox_message = models.OneToOneField(
        OutboxMessage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name=_("outgoing message"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["organization", "read_at", "-created_at"], name="notification_inbox_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.get_kind_display()}"
