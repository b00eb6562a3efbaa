"""The periodic job that reminds units of deadlines coming up and passed."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from hotline.jobs.periodic import periodic

from .services.reminders import send_deadline_reminders


@periodic(every=timedelta(minutes=5))
@task()
def remind_deadlines() -> dict[str, int]:
    """Send due-soon and overdue notices for the cases whose clocks crossed a line."""
    return send_deadline_reminders()
