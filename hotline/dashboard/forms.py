"""The dashboard's query string: the period, the unit drilled into, the wall screen.

As on the figures pages, a value that does not parse is ignored (a unit that is not a number
shows the user's own dashboard); a unit that parses but lies outside the user's scope is refused
by ``selectors.dashboard_unit`` (404).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .periods import PERIOD_CHOICES, Period, dashboard_period


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    unit = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    wall = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def _value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name)

    @property
    def chosen_period(self) -> str:
        return self._value("period") or "month"

    @property
    def unit_pk(self) -> int | None:
        return self._value("unit")

    @property
    def is_wall(self) -> bool:
        return bool(self._value("wall"))

    def selected_period(self, today: datetime.date | None = None) -> Period:
        """The period asked for; a bad custom range raises ``DomainError``."""
        return dashboard_period(
            self.chosen_period,
            today=today or timezone.localdate(),
            start=self._value("start"),
            end=self._value("end"),
        )
