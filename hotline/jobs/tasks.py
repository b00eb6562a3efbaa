"""The platform's own periodic maintenance: expired sessions and old task results."""

from __future__ import annotations

from datetime import time, timedelta
from importlib import import_module

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from .periodic import periodic

# Successful results only explain recent history; failures are kept longer for investigation.
SUCCESSFUL_RESULTS_KEPT = timedelta(days=30)
FAILED_RESULTS_KEPT = timedelta(days=90)


@periodic(every=timedelta(days=1), at=time(3, 0))
@task()
def clear_expired_sessions() -> None:
    """Delete sessions past their expiry, as ``manage.py clearsessions`` does."""
    engine = import_module(settings.SESSION_ENGINE)
    # Cookie sessions raise NotImplementedError: the failed result then shows the misfit.
    engine.SessionStore.clear_expired()


@periodic(every=timedelta(days=1), at=time(3, 30))
@task()
def prune_task_results() -> dict[str, int]:
    """Delete finished task results: successful ones after 30 days, failed ones after 90."""
    now = timezone.now()
    # Only finished rows: READY and RUNNING ones are work still to do or being done.
    old = DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - SUCCESSFUL_RESULTS_KEPT)
        | Q(status=TaskResultStatus.FAILED, finished_at__lt=now - FAILED_RESULTS_KEPT)
    )
    deleted, _by_model = old.delete()
    return {"deleted": deleted}
