"""The forms of the alert pages: the list's filters and the acknowledgement."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import User
from hotline.core.errors import DomainError

from . import services
from .models import RiskAlert, Rule

TABS = ("open", "acknowledged", "all")


class AlertFilterForm(forms.Form):
    """Which alerts to list: a status tab and a rule; anything unknown falls back to the default."""

    status = forms.ChoiceField(
        choices=[
            ("open", _("Awaiting acknowledgement")),
            ("acknowledged", _("Acknowledged")),
            ("all", _("All")),
        ],
        required=False,
    )
    rule = forms.ChoiceField(
        label=_("Rule"), choices=[("", _("All rules")), *Rule.choices], required=False
    )

    def filters(self) -> tuple[str, str]:
        """``(status tab, rule)``, defaults for what does not validate."""
        if not self.is_bound or not self.is_valid():
            return "open", ""
        return self.cleaned_data["status"] or "open", self.cleaned_data["rule"] or ""


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("What is being done"),
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_(
            "For example: the county federation has met the employer; wages paid by Friday."
        ),
    )

    def __init__(self, *args: Any, user: User, alert: RiskAlert, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.alert = alert
        self.error_message = ""

    def run(self) -> RiskAlert | None:
        """Acknowledge through the service; None, with the reasons on the form, when refused."""
        if not self.is_valid():
            self.error_message = str(_("Check the note."))
            return None
        try:
            return services.acknowledge_alert(
                self.alert, actor=self.user, note=self.cleaned_data["note"]
            )
        except DomainError as refused:
            self.error_message = refused.message
            for field, reason in refused.fields.items():
                self.add_error(field if field in self.fields else None, reason)
            return None
