"""When each periodic job is next due, and what the worker last enqueued for it."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicSchedule(models.Model):
    """One row per periodic job name; the worker advances ``next_due_at`` as it enqueues.

    The declaration (task, interval) lives in code, in ``hotline.jobs.periodic``; ``interval`` and
    ``time_of_day`` are copied here so a changed declaration is noticed and the admin can show it.
    """

    name = models.CharField(_("job name"), max_length=200, unique=True)
    interval = models.DurationField(_("interval"))
    time_of_day = models.TimeField(_("time of day"), null=True, blank=True)
    next_due_at = models.DateTimeField(_("next due at"), db_index=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)
    # A string: the database backend's ids are UUIDs, other backends use other shapes.
    last_result_id = models.CharField(_("last result id"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval__gt=timedelta(0)),
                name="periodic_schedule_interval_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name
