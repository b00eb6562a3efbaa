"""Enqueue the periodic jobs that are due, each slot exactly once across all workers.

``sync_schedules`` gives every declared job a ``PeriodicSchedule`` row (the worker calls it when
it starts); ``enqueue_due_jobs`` is called by the worker on every pass.

Exactly once per slot: a slot is claimed by a compare-and-set ``UPDATE ... WHERE next_due_at =
<the slot read>`` that moves ``next_due_at`` on, in the same transaction as the task's enqueue.
With the database task backend the enqueue is an ``INSERT`` into the same database, so the claim
and the enqueued task commit together or not at all. Two workers racing for one slot cannot both
win: on PostgreSQL the second ``UPDATE`` waits for the first's row lock, then re-reads the row and
matches nothing; on SQLite writers are serialized by the database lock (``transaction_mode =
IMMEDIATE`` in the settings makes the transaction take it at ``BEGIN``; without it, a stale writer
gets "database is locked" and retries on the next pass). The guard is the ``WHERE`` clause itself,
so it holds whatever the isolation level or transaction mode, which a ``select_for_update`` (a
no-op on SQLite) would not by itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import OperationalError, transaction
from django.utils import timezone
from django_tasks_db.utils import is_locked_database_exception

from .models import PeriodicSchedule
from .periodic import PeriodicJob, PeriodicRegistry, registry

logger = logging.getLogger("hotline.jobs")


@dataclass(frozen=True)
class EnqueuedJob:
    """What one pass enqueued: the job, the slot it filled, the task result and the next slot."""

    name: str
    slot: datetime
    result_id: str
    next_due_at: datetime


def sync_schedules(
    *, now: datetime | None = None, registry: PeriodicRegistry = registry
) -> list[PeriodicSchedule]:
    """Create the rows of newly declared jobs and follow changed declarations.

    A job whose interval or time of day changed keeps its stored slot if that comes sooner,
    otherwise falls due at the new declaration's slot (its last run plus the new interval, or
    its new time of day): a shortened interval takes effect at once, not after the old one.
    """
    now = now or timezone.now()
    jobs = registry.jobs()
    existing = {
        schedule.name: schedule for schedule in PeriodicSchedule.objects.filter(name__in=list(jobs))
    }
    schedules = []
    for name, job in sorted(jobs.items()):
        schedule = existing.get(name)
        if schedule is None:
            schedule, created = PeriodicSchedule.objects.get_or_create(
                name=name,
                defaults={
                    "interval": job.every,
                    "time_of_day": job.at,
                    "next_due_at": job.first_due(now),
                },
            )
            if created:
                logger.info("Periodic job %s scheduled, first due %s", name, schedule.next_due_at)
        elif schedule.interval != job.every or schedule.time_of_day != job.at:
            if job.at is None and schedule.last_enqueued_at is not None:
                redeclared_due = schedule.last_enqueued_at + job.every
            else:
                redeclared_due = job.first_due(now)
            next_due_at = min(schedule.next_due_at, redeclared_due)
            # Conditional, like a claim: a worker that just enqueued this job keeps its slot.
            PeriodicSchedule.objects.filter(
                pk=schedule.pk, next_due_at=schedule.next_due_at
            ).update(interval=job.every, time_of_day=job.at, next_due_at=next_due_at)
            schedule.refresh_from_db()
            logger.info("Periodic job %s redeclared, next due %s", name, schedule.next_due_at)
        schedules.append(schedule)
    return schedules


def enqueue_due_jobs(
    now: datetime | None = None, *, registry: PeriodicRegistry = registry
) -> list[EnqueuedJob]:
    """Enqueue each declared job whose ``next_due_at`` has come, once, and move it on."""
    now = now or timezone.now()
    jobs = registry.jobs()
    if not jobs:
        return []
    # Read outside a transaction: on SQLite with IMMEDIATE transactions every atomic block takes
    # the write lock, and most passes find nothing due.
    due = list(
        PeriodicSchedule.objects.filter(name__in=list(jobs), next_due_at__lte=now)
        .order_by("next_due_at", "name")
        .values_list("pk", "name", "next_due_at")
    )
    enqueued = []
    for pk, name, slot in due:
        try:
            result = claim_and_enqueue(jobs[name], schedule_id=pk, slot=slot, now=now)
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise
            logger.warning("Periodic job %s not enqueued: the database is locked", name)
            continue
        if result is not None:
            enqueued.append(result)
    return enqueued


def claim_and_enqueue(
    job: PeriodicJob, *, schedule_id: int, slot: datetime, now: datetime
) -> EnqueuedJob | None:
    """Enqueue ``job`` for ``slot`` if the schedule still stands at ``slot``; None otherwise."""
    next_due_at = job.next_due_after(slot, now)
    with transaction.atomic():
        claimed = PeriodicSchedule.objects.filter(pk=schedule_id, next_due_at=slot).update(
            next_due_at=next_due_at, last_enqueued_at=now
        )
        if not claimed:
            # Another worker took this slot, or "run now" moved it since it was read.
            return None
        result = job.task.enqueue()
        PeriodicSchedule.objects.filter(pk=schedule_id).update(last_result_id=str(result.id))
    logger.info(
        "Enqueued periodic job %s (slot %s) as task result %s; next due %s",
        job.name,
        timezone.localtime(slot).isoformat(),
        result.id,
        timezone.localtime(next_due_at).isoformat(),
    )
    return EnqueuedJob(name=job.name, slot=slot, result_id=str(result.id), next_due_at=next_due_at)
