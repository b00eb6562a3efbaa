"""The periodic jobs of cases: deadline reminders, and dropping ended rate-limit windows."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from hotline.jobs.periodic import periodic

from .services.reminders import send_deadline_reminders
from .throttling import delete_ended_windows


@periodic(every=timedelta(minutes=5))
@task()
def remind_deadlines() -> dict[str, int]:
    """Send due-soon and overdue notices for the cases whose clocks crossed a line."""
    return send_deadline_reminders()


@periodic(every=timedelta(hours=1))
@task()
def delete_ended_throttle_windows() -> int:
    """Delete the public rate-limit counters whose window has ended; how many were deleted."""
    return delete_ended_windows()
