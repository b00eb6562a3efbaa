"""The words of the messages: default SMS texts, their placeholders, and unit notices per kind.

An SMS template is admin-editable text with ``{placeholder}`` fields, filled with
``str.format_map``. Only bare placeholder names are allowed: ``{number.__class__}`` or
``{lookup_url[0]}`` would let a template reach into Python objects, so such text is refused by
the admin form and, should one reach the database anyway, replaced by the default text when sent.
An unknown name is left in the text as written rather than failing the message.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy, override

from .models import NotificationKind, SmsTemplateCode

if TYPE_CHECKING:
    from hotline.cases.models import Case

# Where the worker checks progress and rates the result; production sets the public address.
DEFAULT_LOOKUP_URL = "http://127.0.0.1:8000/public/lookup"
DEFAULT_RATING_URL = "http://127.0.0.1:8000/public/rating"

# The texts shipped with the platform; a migration copies them into SmsTemplate rows, and they
# stand in when a row is missing or broken.
DEFAULT_SMS_TEXTS: dict[str, str] = {
    SmsTemplateCode.ACCEPTED: (
        "【12351】您的诉求已受理，工单编号{number}。"
        "可凭编号和本手机号在 {lookup_url} 查询办理进度。"
    ),
    SmsTemplateCode.DECLINED: (
        "【12351】您的诉求（工单编号{number}）不属于工会受理范围，建议您：{referral}。"
        "感谢您对工会工作的信任。"
    ),
    SmsTemplateCode.RESOLVED: (
        "【12351】您的诉求（工单编号{number}）已办结，请在 {rating_url} "
        "凭编号和本手机号对办理结果进行评价。感谢您的支持。"
    ),
    SmsTemplateCode.REOPENED: (
        "【12351】您的诉求（工单编号{number}）已重新办理，"
        "可凭编号和本手机号在 {lookup_url} 查询办理进度。"
    ),
}

PLACEHOLDERS: tuple[str, ...] = ("number", "lookup_url", "rating_url", "referral")

SAMPLE_NUMBER = "202503150007"
SAMPLE_REFERRAL = "拨打12333咨询社会保险政策，或向劳动人事争议仲裁委员会申请仲裁"


class TemplateTextError(ValueError):
    """A template text that cannot be rendered safely."""


class _KeepUnknown(dict):
    """Values for ``format_map``: an unknown placeholder stays in the text as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def check_template_text(text: str) -> None:
    """Raise ``TemplateTextError`` unless ``text`` has only bare, known placeholders."""
    try:
        fields = [field for _literal, field, _spec, _conv in string.Formatter().parse(text)]
    except ValueError as error:
        raise TemplateTextError(str(error)) from None
    for field in fields:
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            raise TemplateTextError(field)


def render_text(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its placeholders filled from ``values``; ``TemplateTextError`` if unsafe."""
    try:
        fields = [field for _literal, field, _spec, _conv in string.Formatter().parse(text)]
    except ValueError as error:
        raise TemplateTextError(str(error)) from None
    for field in fields:
        if field is not None and not field.isidentifier():
            raise TemplateTextError(field)
    try:
        return text.format_map(_KeepUnknown({key: str(value) for key, value in values.items()}))
    except (ValueError, TypeError) as error:
        # A format spec that does not apply to text, such as {number:d}.
        raise TemplateTextError(str(error)) from None


def _values(number: str, referral: str) -> dict[str, str]:
    return {
        "number": number,
        # Empty counts as unset: an environment variable left blank must not blank the link.
        "lookup_url": getattr(settings, "SMS_LOOKUP_URL", "") or DEFAULT_LOOKUP_URL,
        "rating_url": getattr(settings, "SMS_RATING_URL", "") or DEFAULT_RATING_URL,
        "referral": referral,
    }


def sms_values(case: Case) -> dict[str, str]:
    """The placeholder values for an SMS about ``case``."""
    return _values(case.number, case.referral)


def sample_values() -> dict[str, str]:
    """Placeholder values for a made-up case, for the admin's preview."""
    return _values(SAMPLE_NUMBER, SAMPLE_REFERRAL)


# What a handling unit is told, by kind; due_soon and overdue name the deadline when there is one.
_NOTICES = {
    NotificationKind.DISPATCH: gettext_lazy(
        "Case %(number)s has been dispatched to your unit: please acknowledge it."
    ),
    NotificationKind.URGE: gettext_lazy(
        "Case %(number)s has been urged: please handle it promptly."
    ),
    NotificationKind.DUE_SOON: gettext_lazy("Case %(number)s is due soon."),
    NotificationKind.OVERDUE: gettext_lazy("Case %(number)s is overdue."),
    NotificationKind.RETURNED: gettext_lazy(
        "Case %(number)s was returned by the handling unit: please dispatch it again."
    ),
    NotificationKind.REPLY_TO_REVIEW: gettext_lazy(
        "Case %(number)s has a reply waiting for your review."
    ),
    NotificationKind.EXTENSION_REQUEST: gettext_lazy(
        "An extension has been requested for case %(number)s: please decide."
    ),
    NotificationKind.DISSATISFIED: gettext_lazy(
        "The worker is dissatisfied with the result of case %(number)s."
    ),
    # Risk alerts pass their own text (hotline.alerts.texts); this names the latest case.
    NotificationKind.RISK_ALERT: gettext_lazy("Case %(number)s is part of a risk alert."),
}
_NOTICES_WITH_DEADLINE = {
    NotificationKind.DUE_SOON: gettext_lazy(
        "Case %(number)s is due soon: its deadline is %(deadline)s."
    ),
    NotificationKind.OVERDUE: gettext_lazy(
        "Case %(number)s is overdue: its deadline was %(deadline)s."
    ),
}


def unit_notice(kind: str, case: Case) -> str:
    """The default text telling a handling unit about ``case``, in the site's language.

    Stored notices are read later by someone else, so they are written in the default language
    (Chinese) whatever language the user who caused them had chosen.
    """
    if kind not in _NOTICES:
        raise ValueError(f"Unknown notification kind: {kind!r}")
    values = {"number": case.number}
    with override(settings.LANGUAGE_CODE):
        if case.deadline_at and kind in _NOTICES_WITH_DEADLINE:
            deadline = timezone.localtime(case.deadline_at).strftime("%Y-%m-%d %H:%M")
            return str(_NOTICES_WITH_DEADLINE[kind]) % {**values, "deadline": deadline}
        return str(_NOTICES[kind]) % values
