"""The filters of the figures pages, from the query string: a period, a unit, dimensions.

As on the case list, a value that does not parse is ignored; a unit or division outside the
user's scope is not offered, and typed into the address it answers 404 (``kpis`` refuses it).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts.models import User
from hotline.cases.forms import UnitPicker
from hotline.cases.models import Category
from hotline.cases.page_selectors import unit_choices
from hotline.cases.states import Channel, Kind
from hotline.organizations.models import DivisionLevel
from hotline.organizations.scoping import visible_divisions

from .definitions import KPI_DEFINITIONS
from .kpis import KpiFilters, period_bounds
from .rollups import month_start

PERIODS = (
    ("day", gettext_lazy("Day")),
    ("week", gettext_lazy("Week")),
    ("month", gettext_lazy("Month")),
    ("year", gettext_lazy("Year")),
    ("custom", gettext_lazy("Custom range")),
)
BREAKDOWN_CHOICES = (
    ("unit", gettext_lazy("Units below")),
    ("category", gettext_lazy("Category")),
    ("kind", gettext_lazy("Kind")),
    ("channel", gettext_lazy("Channel")),
    ("division", gettext_lazy("Workplace region")),
    ("day", gettext_lazy("Day")),
    ("week", gettext_lazy("Week")),
    ("month", gettext_lazy("Month")),
)
LEVEL_CHOICES = (
    ("", gettext_lazy("Units directly below")),
    ("prefecture", gettext_lazy("Prefecture federations")),
    ("county", gettext_lazy("County federations")),
)


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{css} form-select-sm" if css == "form-select" else css


def _division_code(value: str) -> str:
    if not (len(value) == 6 and value.isdigit()):
        raise forms.ValidationError(_("Not a division code."))
    return value


def category_choices() -> list[tuple[str, Any]]:
    """Top-level categories as groups; a group's first entry takes all of it."""
    categories = list(
        Category.objects.filter(is_active=True).values_list("pk", "code", "name", "parent_id")
    )
    children: dict[int, list[tuple[str, str]]] = {}
    for _pk, code, name, parent in categories:
        if parent is not None:
            children.setdefault(parent, []).append((code, name))
    choices: list[tuple[str, Any]] = [("", _("All categories"))]
    for pk, code, name, parent in categories:
        if parent is None:
            entries = [(code, _("%(name)s (all)") % {"name": name}), *children.get(pk, [])]
            choices.append((name, entries))
    return choices


def division_choices(user: User) -> list[tuple[str, Any]]:
    """The prefectures and counties inside the user's division, counties under their
    prefecture."""
    rows = list(
        visible_divisions(user)
        .exclude(level=DivisionLevel.PROVINCE)
        .order_by("code")
        .values_list("code", "name", "level")
    )
    choices: list[tuple[str, Any]] = [("", _("All regions"))]
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for code, name, level in rows:
        if level == DivisionLevel.PREFECTURE:
            names[code] = name
            groups.setdefault(code, []).append((code, _("%(name)s (all)") % {"name": name}))
        else:
            groups.setdefault(code[:4] + "00", []).append((code, name))
    for prefecture, entries in groups.items():
        choices.append((names.get(prefecture, prefecture), entries))
    return choices


class ScopedChoiceField(forms.TypedChoiceField):
    """A choice whose offered values are only the usual ones: any value is passed on, and the
    read refuses one outside the user's scope (404), as the API does."""

    def valid_value(self, value: Any) -> bool:
        return True


class FiguresForm(forms.Form):
    """Which figures: the period, the unit and the dimensions."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, required=False)
    date = forms.DateField(
        label=gettext_lazy("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    unit = ScopedChoiceField(
        label=gettext_lazy("Unit"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=UnitPicker(blank="all"),
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    division = ScopedChoiceField(
        label=gettext_lazy("Workplace region"), required=False, coerce=_division_code
    )

    def __init__(self, data: Any = None, *args: Any, user: User, **kwargs: Any) -> None:
        # The page opens on this month: a query string without a period means it too.
        today = timezone.localdate()
        if data is not None:
            data = data.copy()
            if not data.get("period"):
                data["period"] = "month"
            if not data.get("date"):
                data["date"] = today.isoformat()
        kwargs.setdefault("initial", {"period": "month", "date": today})
        super().__init__(data, *args, **kwargs)
        chosen = str(self.data.get("unit", "")) if self.is_bound else ""
        selected = [int(chosen)] if chosen.isdigit() else []
        self.fields["unit"].choices = [
            ("", _("All units")),
            *[(str(unit.pk), unit.name) for unit in unit_choices(user, selected)],
        ]
        self.fields["category"].choices = category_choices()
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]
        self.fields["division"].choices = division_choices(user)
        _style(self)

    def _value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name)

    def filters(self, today: datetime.date | None = None) -> KpiFilters:
        """The ``KpiFilters`` asked for; a bad period raises ``DomainError``."""
        today = today or timezone.localdate()
        start, end = period_bounds(
            self._value("period") or "month",
            today=today,
            day=self._value("date"),
            start=self._value("start"),
            end=self._value("end"),
        )
        return KpiFilters(
            start=start,
            end=end,
            unit=self._value("unit"),
            category=self._value("category") or "",
            kind=self._value("kind") or "",
            channel=self._value("channel") or "",
            division=self._value("division") or "",
        )


class KpiPageForm(FiguresForm):
    by = forms.ChoiceField(
        label=gettext_lazy("Break down by"), choices=BREAKDOWN_CHOICES, required=False
    )

    def breakdown(self) -> str:
        return self._value("by") or "unit"


class RankingForm(FiguresForm):
    level = forms.ChoiceField(label=gettext_lazy("Units"), choices=LEVEL_CHOICES, required=False)
    order = forms.ChoiceField(label=gettext_lazy("Rank by"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [
            ("score", _("Assessment score")),
            *[(kpi.key, kpi.label) for kpi in KPI_DEFINITIONS],
        ]
        _style(self)

    def chosen_level(self) -> str:
        return self._value("level") or ""

    def chosen_order(self) -> str:
        return self._value("order") or "score"


class ReportForm(forms.Form):
    """The month of the monthly report, and whose."""

    month = forms.DateField(
        label=gettext_lazy("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    unit = ScopedChoiceField(
        label=gettext_lazy("Unit"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=UnitPicker(blank="all"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = str(self.data.get("unit", "")) if self.is_bound else ""
        selected = [int(chosen)] if chosen.isdigit() else []
        self.fields["unit"].choices = [
            ("", user.organization.name),
            *[
                (str(unit.pk), unit.name)
                for unit in unit_choices(user, selected)
                if unit.pk != user.organization_id
            ],
        ]
        _style(self)

    def month_and_unit(
        self, today: datetime.date | None = None
    ) -> tuple[datetime.date, int | None]:
        """The month asked for (default: the last whole month) and the unit (None: own)."""
        today = today or timezone.localdate()
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        default = month_start(month_start(today) - datetime.timedelta(days=1))
        month = data.get("month") or default
        return month_start(month), data.get("unit")
