"""The long-running worker loop: passes, the pass limit, and stopping on a signal."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hotline.jobs.models import PeriodicSchedule
from hotline.jobs.periodic import PeriodicRegistry, registry
from hotline.jobs.tests.sample_tasks import RUNS, record_run
from hotline.jobs.worker import SchedulingWorker

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def clear_runs() -> Iterator[None]:
    RUNS.clear()
    yield
    RUNS.clear()


def worker() -> SchedulingWorker:
    return SchedulingWorker(
        queue_names=["default"],
        interval=0,
        backend_name="default",
        worker_id="test-worker",
        startup_delay=False,
        registry=PeriodicRegistry(),
    )


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_pass_stops_at_its_limit_and_the_next_one_goes_on():
    results = [record_run.enqueue() for _ in range(3)]
    looping = worker()

    looping.run_pass(limit=2)
    assert RUNS == ["ran", "ran"]
    assert looping.ran_a_full_pass()

    looping.run_pass(limit=2)
    assert RUNS == ["ran", "ran", "ran"]
    assert not looping.ran_a_full_pass()
    statuses = DBTaskResult.objects.filter(id__in=[result.id for result in results])
    assert set(statuses.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_broken_schedule_is_logged_and_the_tasks_still_run(caplog, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("schedule unreadable")

    monkeypatch.setattr("hotline.jobs.worker.enqueue_due_jobs", broken)
    result = record_run.enqueue()
    looping = worker()

    looping.tick()
    looping.run_pass(limit=10)

    assert "Enqueuing the due periodic jobs failed" in caplog.text
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL
    with pytest.raises(RuntimeError, match="schedule unreadable"):
        looping.run_once()


@pytest.fixture
def hourly_job() -> Iterator[str]:
    """A job in the platform's registry, which the command uses, removed afterwards."""
    registry.register(record_run, every=timedelta(hours=1), name="test.hourly")
    yield "test.hourly"
    registry.unregister("test.hourly")


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_run_worker_keeps_passing_until_sigterm_then_exits_cleanly(hourly_job, monkeypatch):
    waiting = record_run.enqueue()
    handler_before = signal.getsignal(signal.SIGTERM)
    idle_waits = []

    def sleep(seconds: float) -> None:
        # The third time the worker finds nothing to do, systemd stops it.
        idle_waits.append(seconds)
        if len(idle_waits) == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr("hotline.jobs.worker.time.sleep", sleep)
    with pytest.raises(SystemExit) as exited:
        call_command("run_worker", "--interval", "0.05", "--no-startup-delay", verbosity=0)

    assert idle_waits == [0.05, 0.05, 0.05]
    assert exited.value.code == 0
    assert signal.getsignal(signal.SIGTERM) is handler_before
    assert DBTaskResult.objects.get(id=waiting.id).status == TaskResultStatus.SUCCESSFUL
    hourly = PeriodicSchedule.objects.get(name=hourly_job)
    assert hourly.next_due_at > timezone.now()
    result = DBTaskResult.objects.get(id=hourly.last_result_id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert RUNS == ["ran", "ran"]
