"""The task worker with the periodic-job scheduler in its loop.

Why in the loop and not in a thread: the scheduler needs a database connection, and so does the
worker. In one thread they share one connection and take turns, so on SQLite the process never
contends with itself for the write lock, a broken connection is cleaned up by the same
``close_old_connections`` call, and SIGINT/SIGTERM (delivered to the main thread only) stop both at
once: a signal that lands during the scheduler's transaction rolls it back, and the claimed slot
and its enqueued task vanish together. The cost is that a long task delays the next scheduler tick
by its run time; each pass runs at most ``TASKS_PER_PASS`` tasks so a backlog cannot starve the
scheduler, and when several workers run, any of them may enqueue a due job (exactly once, see
``hotline.jobs.scheduler``).

Each pass reuses django_tasks_db's ``Worker.run`` unchanged in batch mode (claim, run and record
ready tasks until none is left or the pass limit is reached), so task locking and result handling
stay upstream's.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime

from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from .periodic import PeriodicRegistry, registry
from .scheduler import enqueue_due_jobs, sync_schedules

logger = logging.getLogger("hotline.jobs")

# Enough to drain an ordinary queue in one pass, few enough that a due job waits at most this
# many tasks before it is enqueued.
TASKS_PER_PASS = 50


class SchedulingWorker(Worker):
    """django_tasks_db's worker, which also enqueues due periodic jobs before each pass."""

    def __init__(
        self,
        *,
        queue_names: list[str],
        interval: float,
        backend_name: str,
        worker_id: str,
        startup_delay: bool = True,
        scheduler: bool = True,
        registry: PeriodicRegistry = registry,
    ) -> None:
        super().__init__(
            queue_names=queue_names,
            interval=interval,
            # Batch mode makes Worker.run return when the queue is empty: that is a pass.
            batch=True,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        self.delay_start = startup_delay
        self.scheduler = scheduler
        self.registry = registry
        self.synced = False

    def tick(self, now: datetime | None = None, *, keep_going: bool = True) -> None:
        """Enqueue the due periodic jobs.

        With ``keep_going`` a failure is logged and retried on the next pass: a broken schedule
        must not stop the tasks from running.
        """
        if not self.scheduler:
            return
        now = now or timezone.now()
        try:
            if not self.synced:
                sync_schedules(now=now, registry=self.registry)
                self.synced = True
            enqueue_due_jobs(now, registry=self.registry)
        except Exception:
            if not keep_going:
                raise
            logger.exception("Enqueuing the due periodic jobs failed; retrying on the next pass")

    def run_pass(self, *, limit: int | None) -> None:
        """Run ready tasks until none is left, or ``limit`` of them have run."""
        # Worker.run stops once its run counter reaches max_tasks, and the counter never resets.
        self.max_tasks = None if limit is None else self._run_tasks + limit
        super().run()

    def start(self) -> None:
        logger.info(
            "Starting worker %s: queues %s on backend %s, periodic jobs %s",
            self.worker_id,
            ",".join(self.queue_names),
            self.backend_name,
            "on" if self.scheduler else "off",
        )

    def run_once(self) -> None:
        """Enqueue the due jobs, run every ready task, return; a scheduling failure is raised."""
        self.start()
        self.tick(keep_going=False)
        self.run_pass(limit=None)

    def run_forever(self) -> None:
        """Pass after pass until a signal clears ``running``."""
        self.start()
        if self.delay_start and self.interval:
            # Workers started together should not all poll in step.
            time.sleep(random.random())
        while self.running:
            close_old_connections()
            self.tick()
            self.run_pass(limit=TASKS_PER_PASS)
            close_old_connections()
            if self.running and not self.ran_a_full_pass():
                time.sleep(self.interval)

    def ran_a_full_pass(self) -> bool:
        # A pass that hit its limit left tasks waiting: go on without sleeping.
        return self.max_tasks is not None and self._run_tasks >= self.max_tasks
