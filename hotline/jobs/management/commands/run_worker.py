"""``manage.py run_worker``: run queued tasks and enqueue periodic jobs when they fall due.

The long-running form is what systemd keeps alive in production; ``--once`` enqueues the due
jobs, runs every ready task and exits (for tests, cron-like use and operators).
"""

from __future__ import annotations

import logging
import signal
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import (
    valid_backend_name,
    valid_interval,
    validate_worker_id,
)

from hotline.jobs.worker import SchedulingWorker

HANDLED_SIGNALS = [signal.SIGINT, signal.SIGTERM] + (
    [signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else []
)


class Command(BaseCommand):
    help = (
        "Run queued background tasks from the database backend and enqueue periodic jobs when "
        "they fall due."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--backend",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            type=valid_backend_name,
            dest="backend_name",
            help="The task backend to work for, a database backend (default: %(default)s).",
        )
        parser.add_argument(
            "--queue-name",
            default=None,
            help="Queues to process, comma-separated, '*' for all "
            "(default: the queues the backend is configured with).",
        )
        parser.add_argument(
            "--interval",
            default=1.0,
            type=valid_interval,
            help="Seconds to wait when there is nothing to do (default: %(default)s).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue the due periodic jobs, run every ready task, then exit.",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Only run tasks; leave the periodic jobs to another worker.",
        )
        parser.add_argument(
            "--no-startup-delay",
            action="store_false",
            dest="startup_delay",
            help="Do not wait a random fraction of a second before the first pass.",
        )
        parser.add_argument(
            "--worker-id",
            type=validate_worker_id,
            default=None,
            help="Unique id of this worker among all workers (default: random).",
        )

    def handle(
        self,
        *,
        backend_name: str,
        queue_name: str | None,
        interval: float,
        once: bool,
        scheduler: bool,
        startup_delay: bool,
        worker_id: str | None,
        verbosity: int,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        worker = SchedulingWorker(
            queue_names=self.queue_names(backend_name, queue_name),
            interval=interval,
            backend_name=backend_name,
            worker_id=worker_id or get_random_string(32),
            startup_delay=startup_delay,
            scheduler=scheduler,
        )
        previous_handlers = {number: signal.getsignal(number) for number in HANDLED_SIGNALS}
        # The first SIGINT/SIGTERM lets the running task finish, a second one aborts it: as
        # db_worker does, with its own handler.
        worker.configure_signals()
        try:
            if once:
                worker.run_once()
            else:
                worker.run_forever()
        finally:
            for number, handler in previous_handlers.items():
                signal.signal(number, handler)

    def queue_names(self, backend_name: str, queue_name: str | None) -> list[str]:
        if queue_name:
            return [name.strip() for name in queue_name.split(",") if name.strip()]
        configured = sorted(task_backends[backend_name].queues)
        # A backend configured without QUEUES accepts tasks on any queue.
        return configured or ["*"]

    def configure_logging(self, verbosity: int) -> None:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        logging.getLogger("hotline.jobs").setLevel(level)
        logging.getLogger(TASKS_LOGGER).setLevel(level)
        # django_tasks_db logs "Starting worker" and "No more tasks" at INFO on every pass of
        # Worker.run, which here is every poll; its warnings and errors still show.
        logging.getLogger("django_tasks_db").setLevel(
            logging.DEBUG if verbosity > 1 else logging.WARNING
        )
        for name in ("hotline.jobs", TASKS_LOGGER, "django_tasks_db"):
            logger = logging.getLogger(name)
            # Without any handler (no LOGGING setting) the lines would go nowhere.
            if not logger.hasHandlers():
                logger.addHandler(logging.StreamHandler(self.stdout))
