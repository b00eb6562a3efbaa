"""The periodic jobs that keep the figures fresh: every five minutes, and a nightly safety net."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone
from django_tasks import task

from hotline.jobs.periodic import periodic

from . import refresh

# How stale the dashboard may be: the figures include every event older than the last refresh,
# which runs every REFRESH_EVERY (and takes seconds).
REFRESH_EVERY = timedelta(minutes=5)
NIGHTLY_LOOKBACK = timedelta(days=2)


@periodic(every=REFRESH_EVERY)
@task()
def refresh_figures() -> str:
    """Recompute the days touched by the events recorded since the last refresh (the whole
    history, the first time)."""
    return str(refresh.refresh())


@periodic(every=timedelta(days=1), at=time(2, 30))
@task()
def refresh_recent_figures() -> str:
    """Recompute the last two days, and every day their events touched, whatever the refreshes
    saw."""
    return str(refresh.refresh(since=timezone.now() - NIGHTLY_LOOKBACK))
