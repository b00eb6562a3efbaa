"""The admin: SMS templates are edited here; the outbox and the inbox are read-only.

The outbox's one write is "retry now" for failed messages (it needs the change permission on
outgoing messages), which goes through ``services.retry_failed_messages``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import services
from .backends import mask_phone
from .models import Notification, OutboxMessage, SmsTemplate
from .texts import (
    PLACEHOLDERS,
    SAMPLE_NUMBER,
    TemplateTextError,
    check_template_text,
    render_text,
    sample_values,
)


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = ["code", "text", "is_active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 80})}
        help_texts = {
            "text": gettext_lazy(
                "Placeholders: {number} (case number), {lookup_url} (where to check progress), "
                "{rating_url} (where to rate), {referral} (where a declined request should go). "
                "Write {{ and }} for a literal brace."
            )
        }

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        try:
            check_template_text(text)
        except TemplateTextError as error:
            raise forms.ValidationError(
                _("Not a usable template: %(problem)s. Allowed placeholders: %(placeholders)s.")
                % {
                    "problem": error,
                    "placeholders": ", ".join("{" + name + "}" for name in PLACEHOLDERS),
                }
            ) from None
        return text


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    form = SmsTemplateForm
    list_display = ["code", "text", "is_active", "updated_at"]
    list_filter = ["is_active"]
    fields = ["code", "text", "is_active", "preview", "updated_at"]
    readonly_fields = ["preview", "updated_at"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: SmsTemplate | None = None
    ) -> list[str]:
        # The code is what the case services ask for: fixed once the row exists.
        if obj is not None:
            return ["code", *self.readonly_fields]
        return list(self.readonly_fields)

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, template: SmsTemplate) -> str:
        if not template.pk:
            return self.get_empty_value_display()
        try:
            text = render_text(template.text, sample_values())
        except TemplateTextError as error:
            return _("Cannot be rendered: %(problem)s") % {"problem": error}
        return format_html(
            "{}<br><small>{}</small>",
            text,
            _("%(count)d characters, sample case number %(number)s")
            % {"count": len(text), "number": SAMPLE_NUMBER},
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "channel",
        "kind",
        "case",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind"]
    list_select_related = ["case", "organization"]
    search_fields = ["case__number", "provider_message_id"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]

    @admin.display(description=gettext_lazy("recipient"))
    def recipient(self, message: OutboxMessage) -> str:
        # A list shows many phone numbers at once: masked; the detail page shows the whole one.
        if message.recipient_phone:
            return mask_phone(message.recipient_phone)
        return str(message.organization) if message.organization_id else ""

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.action(description=gettext_lazy("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        chosen = list(queryset.values_list("pk", flat=True))
        count = services.retry_failed_messages(message_ids=chosen, actor=request.user)
        skipped = len(chosen) - count
        self.message_user(
            request,
            ngettext(
                "%(count)d failed message will be sent again.",
                "%(count)d failed messages will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was left alone: only failed messages are retried.",
                    "%(count)d messages were left alone: only failed messages are retried.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboxMessage]:
        return super().get_queryset(request).select_related("case", "organization")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "kind", "case", "read_at", "read_by"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organization", "case", "read_by"]
    search_fields = ["case__number", "organization__name"]
    raw_id_fields = ["organization", "case", "read_by", "outbox_message"]
    date_hierarchy = "created_at"
