"""The registry of periodic jobs: which task runs how often.

An app declares a periodic job in its own ``tasks.py`` with one line above its task::

    from datetime import time, timedelta

    from django_tasks import task

    from hotline.jobs.periodic import periodic


    @periodic(every=timedelta(minutes=5))
    @task()
    def warn_due_soon_cases() -> int: ...


    @periodic(every=timedelta(days=1), at=time(1, 0))
    @task()
    def aggregate_daily_figures() -> None: ...

``JobsConfig.ready`` imports every installed app's ``tasks.py``, so the declarations are known in
every process (the worker that enqueues them, the admin that shows them). The registry only says
what should run; when each job is next due is kept in the database (``PeriodicSchedule``) by
``hotline.jobs.scheduler``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_tasks.base import Task

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class PeriodicJob:
    """A task enqueued without arguments every ``every``; aligned to ``at`` when given.

    Slots are absolute intervals: a job every 5 minutes falls due 5 minutes after its previous
    slot. With ``at`` (a wall-clock time in ``TIME_ZONE``) the slots are that time of day plus
    whole multiples of ``every``, so a daily job keeps its hour whenever it last ran.
    """

    name: str
    task: Task
    every: timedelta
    at: time | None = None

    def first_due(self, now: datetime) -> datetime:
        """When a job never scheduled before first falls due."""
        if self.at is None:
            # A new job runs on the worker's first pass rather than one interval later.
            return now
        return self._aligned_slot_after(now)

    def next_due_after(self, slot: datetime, now: datetime) -> datetime:
        """The first slot after ``now``, for a job that fell due at ``slot``.

        However many slots were missed while no worker ran, the job is enqueued once and the
        schedule jumps past ``now``.
        """
        if self.at is not None:
            return self._aligned_slot_after(now)
        if slot > now:
            return slot
        missed = (now - slot) // self.every
        return slot + (missed + 1) * self.every

    def _aligned_slot_after(self, now: datetime) -> datetime:
        # The default time zone, not the active one: an admin page activates the user's.
        zone = timezone.get_default_timezone()
        local_now = timezone.localtime(now, zone)
        anchor = timezone.make_aware(datetime.combine(local_now.date(), self.at), zone)
        return anchor + ((now - anchor) // self.every + 1) * self.every


class PeriodicRegistry:
    """Periodic jobs by name. The module-level ``registry`` is the one the worker uses."""

    def __init__(self) -> None:
        self._jobs: dict[str, PeriodicJob] = {}

    def register(
        self,
        task: Task,
        *,
        every: timedelta,
        at: time | None = None,
        name: str | None = None,
    ) -> PeriodicJob:
        """Declare ``task`` periodic; registering the same task again replaces it."""
        if not isinstance(task, Task):
            raise ImproperlyConfigured(
                f"{task!r} is not a django-tasks Task: put @periodic above @task()."
            )
        if not isinstance(every, timedelta) or every <= timedelta(0):
            raise ImproperlyConfigured(f"{task.module_path}: every must be a positive timedelta.")
        if at is not None and ONE_DAY % every:
            raise ImproperlyConfigured(
                f"{task.module_path}: with at=, every must divide one day (it is {every})."
            )
        _require_no_arguments(task)
        name = name or task.module_path
        if len(name) > 200:
            raise ImproperlyConfigured(f"{name}: a periodic job name has at most 200 characters.")
        existing = self._jobs.get(name)
        if existing is not None and existing.task.module_path != task.module_path:
            raise ImproperlyConfigured(
                f"Two periodic jobs are named {name}: {existing.task.module_path} and "
                f"{task.module_path}."
            )
        job = PeriodicJob(name=name, task=task, every=every, at=at)
        self._jobs[name] = job
        return job

    def unregister(self, name: str) -> None:
        self._jobs.pop(name, None)

    def get(self, name: str) -> PeriodicJob | None:
        return self._jobs.get(name)

    def jobs(self) -> dict[str, PeriodicJob]:
        """A copy: callers may iterate while another module registers."""
        return dict(self._jobs)

    def __contains__(self, name: object) -> bool:
        return name in self._jobs

    def __len__(self) -> int:
        return len(self._jobs)


def _require_no_arguments(task: Task) -> None:
    # The scheduler calls task.enqueue() with no arguments; a required parameter would only fail
    # at run time, once a day, so it is refused at import instead.
    parameters = list(inspect.signature(task.func).parameters.values())
    if task.takes_context:
        parameters = parameters[1:]
    required = [
        parameter.name
        for parameter in parameters
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if required:
        raise ImproperlyConfigured(
            f"{task.module_path}: a periodic task is enqueued without arguments, "
            f"but it requires {', '.join(required)}."
        )


registry = PeriodicRegistry()


def periodic(
    *,
    every: timedelta,
    at: time | None = None,
    name: str | None = None,
    registry: PeriodicRegistry = registry,
) -> Callable[[Task], Task]:
    """Decorator: declare the ``@task()`` below it a periodic job; returns the task unchanged."""

    def declare(task: Task) -> Task:
        registry.register(task, every=every, at=at, name=name)
        return task

    return declare
