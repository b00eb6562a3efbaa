"""The working-day calendar kept by administrators: single days and whole years.

``chinesecalendar`` knows the official holidays of the years it was released with; every year
the State Council publishes the next one. A ``CalendarDay`` states one date's status and
overrides the package; a ``CalendarYear`` marked complete says the administrators have entered
the whole official schedule of a year the package does not know, so its other dates are plain
Monday-Friday without a warning. ``hotline.workdays.calendar`` is the only reader.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The years an entry may fall in: wide enough for any deadline, narrow enough to catch typos.
# (The constraints' messages name them too.)
FIRST_YEAR = 2000
LAST_YEAR = 2099


class Source(models.TextChoices):
    ADMIN = "admin", _("entered in the admin")
    IMPORT = "import", _("imported from a file")


class CalendarDay(models.Model):
    """One date that is a holiday or a make-up workday (or any date an administrator fixes)."""

    day = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Ticked for a make-up working day, unticked for a day off."),
    )
    name = models.CharField(
        _("name"), max_length=50, blank=True, help_text=_("For example 春节 or 国庆节调休上班.")
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ADMIN
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    day__gte=date(FIRST_YEAR, 1, 1), day__lte=date(LAST_YEAR, 12, 31)
                ),
                name="calendar_day_in_supported_years",
                violation_error_message=_("Only the years 2000 to 2099 can be entered."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.name}".strip()


class CalendarYear(models.Model):
    """A year whose official schedule administrators have entered in full as calendar days."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    complete = models.BooleanField(
        _("complete"),
        default=False,
        help_text=_(
            "Tick only after every holiday and make-up working day of the State Council's notice "
            "for this year has been entered as a calendar day."
        ),
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("For example the notice the dates were taken from."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                name="calendar_year_in_supported_years",
                violation_error_message=_("Only the years 2000 to 2099 can be entered."),
            )
        ]

    def __str__(self) -> str:
        return str(self.year)
