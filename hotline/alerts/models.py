"""Labor-relations risk alerts (劳动关系风险预警): the rules' settings, the alerts they raise, and
the cases each alert is about.

Three rules (``Rule``) look for signs of a collective dispute: repeated requests about one
employer, a request on behalf of many workers, wage requests surging before the Spring Festival.
Their thresholds are rows of ``AlertRule``, edited in the admin and shipped with defaults by a
migration. A rule that holds raises a ``RiskAlert`` about a *subject* (an employer, a case, a unit
in one festival season), scoped to the organization whose subtree holds its cases. At most one
alert per subject is open at a time; ``services`` decides when a subject fires again.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Rule(models.TextChoices):
    EMPLOYER_REPEAT = "employer_repeat", _("Repeated requests about one employer")
    MANY_PEOPLE = "many_people", _("Many people involved")
    WAGE_SURGE = "wage_surge", _("Wage requests surging before the Spring Festival")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class AlertAction(models.TextChoices):
    FIRED = "fired", _("Fired")
    UPDATED = "updated", _("New cases added")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class AlertRule(models.Model):
    """The thresholds of one rule; which fields a rule reads is said in each field's help."""

    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices, primary_key=True)
    is_active = models.BooleanField(_("active"), default=True)
    min_cases = models.PositiveIntegerField(
        _("minimum number of cases"),
        null=True,
        blank=True,
        help_text=_(
            "Repeated requests: requests about one employer within the window. Wage surge: wage "
            "requests in a unit's subtree since the window opened."
        ),
    )
    window_days = models.PositiveSmallIntegerField(
        _("window in days"),
        null=True,
        blank=True,
        help_text=_(
            "Repeated requests: how many days back from each new request. Wage surge: how many "
            "days before the Spring Festival the window opens."
        ),
    )
    min_people = models.PositiveIntegerField(
        _("minimum number of people"),
        null=True,
        blank=True,
        help_text=_("Many people involved: the people a single request speaks for."),
    )
    min_ratio = models.DecimalField(
        _("minimum ratio"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Wage surge: this season's count divided by the same days before last year's "
            "Spring Festival (counted as at least 1)."
        ),
    )
    category = models.ForeignKey(
        "cases.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Wage surge: the top-level category whose requests count (劳动报酬)."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["rule"]
        verbose_name = _("risk alert rule")
        verbose_name_plural = _("risk alert rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    rule=Rule.EMPLOYER_REPEAT,
                    min_cases__gte=2,
                    window_days__gte=1,
                    window_days__lte=366,
                )
                | Q(rule=Rule.MANY_PEOPLE, min_people__gte=2)
                | Q(
                    rule=Rule.WAGE_SURGE,
                    min_cases__gte=1,
                    window_days__gte=7,
                    window_days__lte=180,
                    min_ratio__gte=1,
                    category__isnull=False,
                ),
                name="alert_rule_thresholds_set",
                violation_error_message=_("Set the thresholds this rule needs, within range."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_rule_display()

    def clean(self) -> None:
        """Name each threshold the rule needs that is missing or out of range."""
        errors: dict[str, str] = {}
        need = _("This rule needs this threshold.")
        if self.rule in (Rule.EMPLOYER_REPEAT, Rule.WAGE_SURGE):
            smallest = 2 if self.rule == Rule.EMPLOYER_REPEAT else 1
            if self.min_cases is None:
                errors["min_cases"] = need
            elif self.min_cases < smallest:
                errors["min_cases"] = _("At least %(min)d.") % {"min": smallest}
            low, high = (1, 366) if self.rule == Rule.EMPLOYER_REPEAT else (7, 180)
            if self.window_days is None:
                errors["window_days"] = need
            elif not low <= self.window_days <= high:
                errors["window_days"] = _("From %(low)d to %(high)d days.") % {
                    "low": low,
                    "high": high,
                }
        if self.rule == Rule.MANY_PEOPLE:
            if self.min_people is None:
                errors["min_people"] = need
            elif self.min_people < 2:
                errors["min_people"] = _("At least %(min)d.") % {"min": 2}
        if self.rule == Rule.WAGE_SURGE:
            if self.min_ratio is None:
                errors["min_ratio"] = need
            elif self.min_ratio < 1:
                errors["min_ratio"] = _("At least %(min)d.") % {"min": 1}
            if self.category_id is None:
                errors["category"] = need
        if errors:
            raise ValidationError(errors)


class RiskAlert(models.Model):
    """One risk seen: a rule that held for a subject, the cases behind it, and its handling."""

    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    # What the alert is about, one per rule: "employer:credit:<code>", "employer:name:<key>",
    # "case:<id>", "wage_surge:<organization id>:<festival year>".
    subject_key = models.CharField(_("subject"), max_length=255)
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="risk_alerts",
        verbose_name=_("organization"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    # The figures the rule saw the last time it held (counts, ratio, people, festival date).
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    case_count = models.PositiveIntegerField(_("cases"), default=0)
    people_involved = models.PositiveIntegerField(_("people involved"), default=0)
    cases = models.ManyToManyField(
        "cases.Case", through="AlertCase", related_name="risk_alerts", verbose_name=_("cases")
    )
    first_seen_at = models.DateTimeField(_("first seen at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledgement_note = models.TextField(_("acknowledgement note"), blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        indexes = [
            models.Index(fields=["status", "-last_seen_at"], name="risk_alert_status_idx"),
            models.Index(fields=["rule", "subject_key"], name="risk_alert_subject_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key"],
                condition=Q(status=AlertStatus.OPEN),
                name="risk_alert_one_open_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(status=AlertStatus.OPEN, acknowledged_at__isnull=True)
                | Q(status=AlertStatus.ACKNOWLEDGED, acknowledged_at__isnull=False),
                name="risk_alert_acknowledged_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.title}"


class AlertCase(models.Model):
    """A case behind an alert, and when the alert took it in."""

    alert = models.ForeignKey(RiskAlert, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="risk_alert_links"
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("case of a risk alert")
        verbose_name_plural = _("cases of risk alerts")
        constraints = [
            models.UniqueConstraint(fields=["alert", "case"], name="alert_case_once"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} · {self.case_id}"


class AlertEvent(models.Model):
    """What happened to an alert: fired, took in new cases, acknowledged. Append-only."""

    alert = models.ForeignKey(RiskAlert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=AlertAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("risk alert event")
        verbose_name_plural = _("risk alert events")

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"


class EvaluationCursor(models.Model):
    """How far the periodic evaluation of new cases has read (the highest case id done)."""

    name = models.CharField(max_length=30, primary_key=True)
    last_case_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_case_id}"
