"""The aggregates the KPIs are read from, so that no read walks a million cases.

Two daily bases and one rollup, all derived data (``hotline.analytics.refresh`` rebuilds them from
the cases and their events at any time):

- ``DailyCaseStat``: per local day, unit and case dimensions (category, kind, channel, workplace
  division), the counters every KPI needs. Written from the facts of each case
  (``hotline.analytics.facts``).
- ``DailyEmployerStat``: per local day, unit, employer and the same dimensions, the cases
  received and the people they concern (the hot employers).
- ``StatRollup``: the daily rows summed over a month or a year, per unit and one dimension at a
  time (none, category, kind, channel, division, employer), and per day and unit over all
  dimensions. A year's KPIs for the province read a few hundred of these rows instead of half a
  million daily ones.

Every row carries its unit's tree path (``unit_path``) as the cases do, so a subtree is one
indexed prefix, never a join. ``AggregateState`` remembers when the figures were last refreshed.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The counters, in the order the models, the facts and the SQL rollups use them. Each KPI is a
# ratio (or an average) of these; see ``hotline.analytics.definitions``.
COUNTERS: tuple[str, ...] = (
    "received",  # requests received (merged duplicates left out)
    "people",  # workers concerned by them
    "accepted",  # acceptances
    "resolved_directly",  # ... of which resolved on first contact
    "dispatched",  # hand-overs to a unit for acknowledgement (dispatch, reassign, escalation)
    "acknowledged",  # ... acknowledged
    "acknowledged_on_time",  # ... acknowledged within the acknowledgement deadline
    "returned",  # ... returned by the unit
    "replied",  # replies of a unit to the unit above it
    "replied_on_time",  # ... within the completion deadline (extensions counted)
    "resolved",  # resolutions (approved at the owner, or resolved directly)
    "followed_up",  # ... followed up (by the centre's call or the worker's own rating)
    "rated",  # ... with a rating
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "solved",  # ... the worker says the problem is solved
    "handling_days",  # working days from acceptance (or reopening) to resolution, summed
)


class Counters(models.Model):
    """The counter columns, shared by the daily base and the rollup."""

    received = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    resolved_directly = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    acknowledged_on_time = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    replied_on_time = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    followed_up = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically_satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    handling_days = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyCaseStat(Counters):
    """The counters of one local day, one unit and one combination of case dimensions."""

    day = models.DateField(_("day"))
    unit = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit_path = models.CharField(max_length=255)
    category = models.ForeignKey("cases.Category", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    channel = models.CharField(max_length=10)
    # The workplace's GB/T 2260 code; empty when the request did not say.
    division = models.CharField(max_length=6, blank=True)

    class Meta:
        verbose_name = _("daily case figures")
        verbose_name_plural = _("daily case figures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit", "category", "kind", "channel", "division"],
                name="daily_case_stat_once",
            ),
        ]
        indexes = [
            models.Index(fields=["day"], name="daily_case_stat_day_idx"),
            models.Index(
                fields=["unit_path", "day"],
                name="daily_case_stat_path_idx",
                opclasses=["varchar_pattern_ops", ""],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.category_id} {self.kind} {self.channel}"


class DailyEmployerStat(models.Model):
    """Requests about one employer received on one local day, per unit and case dimensions."""

    day = models.DateField(_("day"))
    unit = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit_path = models.CharField(max_length=255)
    employer_key = models.CharField(max_length=200)
    employer_name = models.CharField(max_length=200)
    category = models.ForeignKey("cases.Category", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    channel = models.CharField(max_length=10)
    division = models.CharField(max_length=6, blank=True)
    received = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily employer figures")
        verbose_name_plural = _("daily employer figures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit", "employer_key", "category", "kind", "channel", "division"],
                name="daily_employer_stat_once",
            ),
        ]
        indexes = [
            models.Index(fields=["day"], name="daily_employer_stat_day_idx"),
            models.Index(
                fields=["unit_path", "day"],
                name="daily_employer_stat_path_idx",
                opclasses=["varchar_pattern_ops", ""],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.employer_name}"


class Grain(models.TextChoices):
    DAY = "d", _("Day")  # only the all-dimensions rows: trends and loose days without a filter
    MONTH = "m", _("Month")
    YEAR = "y", _("Year")


class Dimension(models.TextChoices):
    NONE = "", _("All")
    CATEGORY = "category", _("Category")  # top-level category code
    KIND = "kind", _("Kind")
    CHANNEL = "channel", _("Channel")
    DIVISION = "division", _("Workplace division")  # the case's division code
    EMPLOYER = "employer", _("Employer")  # employer key; only received and people are set


class StatRollup(Counters):
    """The daily rows of a month or a year summed per unit and one dimension's value; or of one
    day, per unit over every dimension."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    # The day, or the first day of the month or the year.
    period = models.DateField()
    unit = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit_path = models.CharField(max_length=255)
    dimension = models.CharField(max_length=10, choices=Dimension.choices, blank=True)
    value = models.CharField(max_length=200, blank=True)
    # What to show for ``value`` when the code alone does not say it (an employer's name).
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("figures rollup")
        verbose_name_plural = _("figures rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "period", "unit", "dimension", "value"],
                name="stat_rollup_once",
            ),
            models.CheckConstraint(
                condition=Q(grain__in=["m", "y"]) | Q(grain="d", dimension=""),
                name="stat_rollup_grain_known",
            ),
        ]
        indexes = [
            models.Index(fields=["dimension", "grain", "period"], name="stat_rollup_period_idx"),
            models.Index(
                fields=["unit_path", "dimension", "period"],
                name="stat_rollup_path_idx",
                opclasses=["varchar_pattern_ops", "", ""],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain}{self.period} {self.unit_id} {self.dimension}={self.value}"


class AggregateState(models.Model):
    """One row: how fresh the aggregates are. Its row lock serializes the refreshes."""

    # Every event recorded before this moment is in the figures (the start of the last refresh).
    refreshed_at = models.DateTimeField(_("figures as of"), null=True, blank=True)
    rebuilt_at = models.DateTimeField(_("last full rebuild"), null=True, blank=True)

    class Meta:
        verbose_name = _("aggregate state")
        verbose_name_plural = _("aggregate state")

    def __str__(self) -> str:
        return f"{self.refreshed_at}"
