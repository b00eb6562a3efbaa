"""The KPIs of PRODUCT.md, each a ratio (or an average) of two counters, and the ranking score.

- on-time acknowledgement rate = hand-overs acknowledged within the deadline / hand-overs;
- on-time completion rate = replies within the deadline (extensions counted) / replies;
- first-contact resolution rate = accepted requests resolved directly / accepted requests;
- return rate = hand-overs returned / hand-overs;
- satisfaction rate = (satisfied + basically satisfied) / rated;
- resolution rate = follow-ups saying solved / follow-ups;
- follow-up rate = resolutions followed up / resolutions;
- average handling time = working days from acceptance to resolution, summed / resolutions.

A hand-over is what PRODUCT.md calls a dispatch: any step that leaves a case waiting for a
unit's acknowledgement (a dispatch, a reassignment, an escalation to a skipped level).
Which day and unit each counter belongs to is told in ``hotline.analytics.facts``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    label: str | Promise
    numerator: tuple[str, ...]
    denominator: str
    numerator_label: str | Promise
    denominator_label: str | Promise
    average: bool = False  # an average in working days rather than a rate
    higher_is_better: bool = True


KPI_DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "ack_on_time",
        _("On-time acknowledgement rate"),
        ("acknowledged_on_time",),
        "dispatched",
        _("Acknowledged on time"),
        _("Dispatched"),
    ),
    KpiDefinition(
        "completion_on_time",
        _("On-time completion rate"),
        ("replied_on_time",),
        "replied",
        _("Replied on time"),
        _("Replied"),
    ),
    KpiDefinition(
        "first_contact",
        _("First-contact resolution rate"),
        ("resolved_directly",),
        "accepted",
        _("Resolved directly"),
        _("Accepted"),
    ),
    KpiDefinition(
        "return_rate",
        _("Return rate"),
        ("returned",),
        "dispatched",
        _("Returned"),
        _("Dispatched"),
        higher_is_better=False,
    ),
    KpiDefinition(
        "satisfaction",
        _("Satisfaction rate"),
        ("satisfied", "basically_satisfied"),
        "rated",
        _("Satisfied or basically satisfied"),
        _("Rated"),
    ),
    KpiDefinition(
        "resolution",
        _("Resolution rate"),
        ("solved",),
        "followed_up",
        _("Solved, as the worker says"),
        _("Followed up"),
    ),
    KpiDefinition(
        "follow_up",
        _("Follow-up rate"),
        ("followed_up",),
        "resolved",
        _("Followed up"),
        _("Resolved"),
    ),
    KpiDefinition(
        "handling_days",
        _("Average handling time (working days)"),
        ("handling_days",),
        "resolved",
        _("Working days, summed"),
        _("Resolved"),
        average=True,
        higher_is_better=False,
    ),
)
DEFINITIONS: dict[str, KpiDefinition] = {kpi.key: kpi for kpi in KPI_DEFINITIONS}
KPI_KEYS: tuple[str, ...] = tuple(DEFINITIONS)


@dataclass(frozen=True)
class Kpi:
    """One KPI over some figures: ``value`` is a ratio from 0 to 1 (or, for the average handling
    time, working days); None when the denominator is 0."""

    key: str
    label: str
    numerator: float
    denominator: int
    value: float | None

    @property
    def definition(self) -> KpiDefinition:
        return DEFINITIONS[self.key]

    @property
    def is_average(self) -> bool:
        return self.definition.average

    @property
    def display(self) -> str:
        """``92.3%``, ``4.2`` (working days), or ``—``."""
        if self.value is None:
            return "—"
        if self.is_average:
            return f"{self.value:.1f}"
        return f"{self.value * 100:.1f}%"

    @property
    def numerator_display(self) -> str:
        return f"{self.numerator:g}"


def build_kpis(counters: Mapping[str, int]) -> list[Kpi]:
    """The KPIs of ``counters`` (a sum of daily rows), in the order of ``KPI_DEFINITIONS``."""
    kpis = []
    for definition in KPI_DEFINITIONS:
        numerator = float(sum(counters.get(name, 0) for name in definition.numerator))
        denominator = int(counters.get(definition.denominator, 0))
        value = numerator / denominator if denominator else None
        kpis.append(
            Kpi(
                key=definition.key,
                label=str(definition.label),
                numerator=numerator,
                denominator=denominator,
                value=value,
            )
        )
    return kpis


# The monthly assessment's score: a weighted mean of the handling units' rates, 0 to 100. The
# return rate counts as (1 - rate). First-contact resolution is the centre's own work and the
# handling time has no scale shared with the rates, so neither is in it. A rate whose
# denominator is 0 is left out and the other weights count for it. Override with
# ``settings.ANALYTICS_RANKING_WEIGHTS``.
RANKING_WEIGHTS: dict[str, float] = {
    "ack_on_time": 0.15,
    "completion_on_time": 0.25,
    "return_rate": 0.10,
    "satisfaction": 0.25,
    "resolution": 0.15,
    "follow_up": 0.10,
}


def ranking_weights() -> dict[str, float]:
    return dict(getattr(settings, "ANALYTICS_RANKING_WEIGHTS", RANKING_WEIGHTS))


def score(kpis: Sequence[Kpi], weights: Mapping[str, float] | None = None) -> float | None:
    """The assessment score of ``kpis``, or None when none of the weighted rates has figures."""
    weights = ranking_weights() if weights is None else weights
    total = weighted = 0.0
    for kpi in kpis:
        weight = weights.get(kpi.key, 0.0)
        if not weight or kpi.value is None:
            continue
        value = kpi.value if kpi.definition.higher_is_better else 1.0 - kpi.value
        weighted += weight * value
        total += weight
    return round(100 * weighted / total, 1) if total else None
