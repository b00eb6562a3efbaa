"""Periodic jobs: declared in code, due times in the database, each slot enqueued exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hotline.accounts.models import User
from hotline.jobs import services, tasks
from hotline.jobs.models import PeriodicSchedule
from hotline.jobs.periodic import PeriodicRegistry, periodic, registry
from hotline.jobs.scheduler import claim_and_enqueue, enqueue_due_jobs, sync_schedules
from hotline.jobs.tests.sample_tasks import RUNS, greet, record_run
from hotline.organizations.models import Level
from hotline.testing import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_2PM = datetime(2025, 3, 10, 14, 0, tzinfo=SHANGHAI)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def clear_runs() -> Iterator[None]:
    RUNS.clear()
    yield
    RUNS.clear()


@pytest.fixture
def jobs() -> PeriodicRegistry:
    """A registry of its own, so tests neither see nor disturb the platform's jobs."""
    jobs = PeriodicRegistry()
    jobs.register(record_run, every=timedelta(minutes=5), name="record_run")
    return jobs


@pytest.fixture
def admin() -> User:
    """A superuser of the provincial federation; the test's django_db mark opens the database."""
    province = f.organization(
        "青海省总工会", parent=None, level=Level.PROVINCE, division=f.division("630000", "青海省")
    )
    return f.user(province, is_staff=True, is_superuser=True)


def schedule_of(name: str = "record_run") -> PeriodicSchedule:
    return PeriodicSchedule.objects.get(name=name)


# The registry


def test_the_platform_jobs_are_discovered_from_the_apps_tasks_modules():
    assert "hotline.jobs.tasks.clear_expired_sessions" in registry
    assert "hotline.jobs.tasks.prune_task_results" in registry
    assert registry.get("hotline.jobs.tasks.prune_task_results").task is tasks.prune_task_results


def test_periodic_declares_the_task_and_returns_it_unchanged():
    jobs = PeriodicRegistry()
    declared = periodic(every=timedelta(hours=1), registry=jobs)(record_run)
    assert declared is record_run
    job = jobs.get("hotline.jobs.tests.sample_tasks.record_run")
    assert job.every == timedelta(hours=1)
    assert job.task is record_run


def test_periodic_refuses_a_plain_function():
    def not_a_task() -> None: ...

    with pytest.raises(ImproperlyConfigured, match="not a django-tasks Task"):
        periodic(every=timedelta(hours=1), registry=PeriodicRegistry())(not_a_task)


def test_periodic_refuses_a_task_that_needs_arguments():
    with pytest.raises(ImproperlyConfigured, match="requires name"):
        PeriodicRegistry().register(greet, every=timedelta(hours=1))


def test_periodic_refuses_an_interval_that_is_not_positive():
    with pytest.raises(ImproperlyConfigured, match="positive"):
        PeriodicRegistry().register(record_run, every=timedelta(0))


def test_with_a_time_of_day_the_interval_must_divide_a_day():
    jobs = PeriodicRegistry()
    jobs.register(record_run, every=timedelta(hours=6), at=time(0, 0))
    with pytest.raises(ImproperlyConfigured, match="divide one day"):
        jobs.register(record_run, every=timedelta(days=7), at=time(1, 0))


def test_two_different_tasks_cannot_share_a_job_name():
    jobs = PeriodicRegistry()
    jobs.register(record_run, every=timedelta(hours=1), name="nightly")
    jobs.register(record_run, every=timedelta(hours=2), name="nightly")
    assert jobs.get("nightly").every == timedelta(hours=2)
    with pytest.raises(ImproperlyConfigured, match="Two periodic jobs are named nightly"):
        jobs.register(tasks.prune_task_results, every=timedelta(hours=1), name="nightly")


# Schedules


@pytest.mark.django_db
def test_a_new_job_without_a_time_of_day_is_due_at_once(jobs):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    schedule = schedule_of()
    assert schedule.next_due_at == MONDAY_2PM
    assert schedule.interval == timedelta(minutes=5)
    assert schedule.last_enqueued_at is None


@pytest.mark.django_db
def test_a_new_job_with_a_time_of_day_is_first_due_at_that_time(jobs):
    jobs.register(record_run, every=timedelta(days=1), at=time(3, 0), name="nightly")
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    assert schedule_of("nightly").next_due_at == datetime(2025, 3, 11, 3, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_syncing_twice_keeps_one_row_and_its_due_time(jobs):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    sync_schedules(now=MONDAY_2PM + timedelta(hours=1), registry=jobs)
    assert PeriodicSchedule.objects.count() == 1
    assert schedule_of().next_due_at == MONDAY_2PM


@pytest.mark.django_db
def test_a_shortened_interval_counts_from_the_last_run_and_a_longer_one_waits_its_slot(jobs):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    enqueue_due_jobs(MONDAY_2PM, registry=jobs)
    jobs.register(record_run, every=timedelta(minutes=2), name="record_run")
    sync_schedules(now=MONDAY_2PM + timedelta(minutes=1), registry=jobs)
    assert schedule_of().next_due_at == MONDAY_2PM + timedelta(minutes=2)

    jobs.register(record_run, every=timedelta(hours=1), name="record_run")
    sync_schedules(now=MONDAY_2PM + timedelta(minutes=1), registry=jobs)
    schedule = schedule_of()
    assert schedule.next_due_at == MONDAY_2PM + timedelta(minutes=2)
    assert schedule.interval == timedelta(hours=1)


@pytest.mark.django_db
def test_a_nightly_job_changed_to_hourly_is_due_at_once():
    jobs = PeriodicRegistry()
    jobs.register(record_run, every=timedelta(days=1), at=time(3, 0), name="report")
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    jobs.register(record_run, every=timedelta(hours=1), name="report")
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    schedule = schedule_of("report")
    assert schedule.next_due_at == MONDAY_2PM
    assert schedule.interval == timedelta(hours=1)
    assert schedule.time_of_day is None


# Enqueuing


@pytest.mark.django_db
def test_a_due_job_is_enqueued_once_and_its_next_due_advances(jobs):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    enqueued = enqueue_due_jobs(MONDAY_2PM + timedelta(seconds=1), registry=jobs)
    assert [job.name for job in enqueued] == ["record_run"]
    assert RUNS == ["ran"]
    schedule = schedule_of()
    assert schedule.next_due_at == MONDAY_2PM + timedelta(minutes=5)
    assert schedule.last_enqueued_at == MONDAY_2PM + timedelta(seconds=1)
    assert schedule.last_result_id == enqueued[0].result_id != ""


@pytest.mark.django_db
def test_a_job_not_yet_due_is_not_enqueued(jobs):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    enqueue_due_jobs(MONDAY_2PM, registry=jobs)
    RUNS.clear()
    assert enqueue_due_jobs(MONDAY_2PM + timedelta(minutes=4, seconds=59), registry=jobs) == []
    assert RUNS == []
    assert schedule_of().next_due_at == MONDAY_2PM + timedelta(minutes=5)


@pytest.mark.django_db
def test_two_passes_for_the_same_slot_enqueue_it_once(jobs):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    first = enqueue_due_jobs(MONDAY_2PM + timedelta(seconds=1), registry=jobs)
    second = enqueue_due_jobs(MONDAY_2PM + timedelta(seconds=1), registry=jobs)
    assert len(first) == 1
    assert second == []
    assert RUNS == ["ran"]


@pytest.mark.django_db
def test_a_worker_that_read_the_slot_before_another_claimed_it_does_not_enqueue_it(jobs):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    stale = schedule_of()
    enqueue_due_jobs(MONDAY_2PM, registry=jobs)
    again = claim_and_enqueue(
        jobs.get("record_run"), schedule_id=stale.pk, slot=stale.next_due_at, now=MONDAY_2PM
    )
    assert again is None
    assert RUNS == ["ran"]
    assert schedule_of().next_due_at == MONDAY_2PM + timedelta(minutes=5)


@pytest.mark.django_db
def test_a_job_missed_for_many_intervals_runs_once_and_its_next_due_passes_now(jobs):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    back_after_a_day = MONDAY_2PM + timedelta(days=1, minutes=2)
    enqueued = enqueue_due_jobs(back_after_a_day, registry=jobs)
    assert len(enqueued) == 1
    assert RUNS == ["ran"]
    # Still on the 5-minute grid of the first slot, and the first point of it after now.
    assert schedule_of().next_due_at == MONDAY_2PM + timedelta(days=1, minutes=5)
    assert enqueue_due_jobs(back_after_a_day + timedelta(seconds=30), registry=jobs) == []


@pytest.mark.django_db
def test_a_job_with_a_time_of_day_keeps_its_hour_after_a_late_run():
    jobs = PeriodicRegistry()
    jobs.register(record_run, every=timedelta(days=1), at=time(3, 0), name="nightly")
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    # The worker was down that night and comes back at 9:40 on Tuesday.
    tuesday_morning = datetime(2025, 3, 11, 9, 40, tzinfo=SHANGHAI)
    assert len(enqueue_due_jobs(tuesday_morning, registry=jobs)) == 1
    assert schedule_of("nightly").next_due_at == datetime(2025, 3, 12, 3, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_a_job_no_longer_declared_is_not_enqueued(jobs):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    jobs.unregister("record_run")
    assert enqueue_due_jobs(MONDAY_2PM + timedelta(hours=1), registry=jobs) == []
    assert RUNS == []
    assert schedule_of().last_enqueued_at is None


@pytest.mark.django_db
def test_enqueuing_logs_the_job_and_its_next_due(jobs, caplog):
    caplog.set_level("INFO", logger="hotline.jobs")
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    enqueue_due_jobs(MONDAY_2PM, registry=jobs)
    assert any(
        "Enqueued periodic job record_run" in line and "next due" in line
        for line in caplog.messages
    )


# Run now


@pytest.mark.django_db
def test_run_now_makes_a_job_due_and_the_next_pass_enqueues_it(jobs, admin):
    sync_schedules(now=timezone.now() - timedelta(minutes=1), registry=jobs)
    enqueue_due_jobs(registry=jobs)
    RUNS.clear()
    assert services.run_now(names=["record_run"], actor=admin, registry=jobs) == 1
    assert schedule_of().next_due_at <= timezone.now()
    assert len(enqueue_due_jobs(registry=jobs)) == 1
    assert RUNS == ["ran"]


@pytest.mark.django_db
def test_run_now_refuses_a_job_no_longer_declared_and_changes_nothing(jobs, admin):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    jobs.register(record_run, every=timedelta(hours=1), name="gone")
    sync_schedules(now=MONDAY_2PM + timedelta(hours=1), registry=jobs)
    jobs.unregister("gone")
    with pytest.raises(services.DomainError) as refused:
        services.run_now(names=["record_run", "gone"], actor=admin, registry=jobs)
    assert refused.value.code == "periodic_job.not_declared"
    assert schedule_of("gone").next_due_at == MONDAY_2PM + timedelta(hours=1)
    assert schedule_of().next_due_at == MONDAY_2PM


# Two workers at once, on a database where they really are concurrent


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)
@override_settings(TASKS=DATABASE_TASKS)
def test_two_workers_claiming_the_same_slot_at_once_enqueue_it_once(jobs):
    sync_schedules(now=MONDAY_2PM, registry=jobs)
    schedule = schedule_of()
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(
                claim_and_enqueue(
                    jobs.get("record_run"),
                    schedule_id=schedule.pk,
                    slot=schedule.next_due_at,
                    now=MONDAY_2PM,
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome is None for outcome in outcomes) == [False, True]
    assert DBTaskResult.objects.count() == 1


# The worker command


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_run_worker_once_runs_the_tasks_waiting_in_the_database():
    result = record_run.enqueue()
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY
    call_command("run_worker", "--once", verbosity=0)
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == "ran"
    assert RUNS == ["ran"]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_run_worker_once_enqueues_a_due_periodic_job_and_runs_it(admin):
    expired = _session(expire_in=timedelta(hours=-1))
    live = _session(expire_in=timedelta(hours=1))
    call_command("run_worker", "--once", verbosity=0)
    # The first pass schedules the nightly jobs for their hour; "run now" brings one forward.
    name = "hotline.jobs.tasks.clear_expired_sessions"
    assert schedule_of(name).next_due_at > timezone.now()
    assert not DBTaskResult.objects.filter(task_path=name).exists()
    services.run_now(names=[name], actor=admin)

    call_command("run_worker", "--once", verbosity=0)

    schedule = schedule_of(name)
    row = DBTaskResult.objects.get(id=schedule.last_result_id)
    assert row.task_path == name
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert schedule.next_due_at > timezone.now()
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_run_worker_once_records_a_failing_task_as_failed():
    result = greet.enqueue()  # missing its argument: the call raises TypeError
    call_command("run_worker", "--once", verbosity=0)
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "builtins.TypeError"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_run_worker_leaves_periodic_jobs_alone_without_the_scheduler():
    call_command("run_worker", "--once", "--no-scheduler", verbosity=0)
    assert not PeriodicSchedule.objects.exists()


@pytest.mark.django_db
def test_run_worker_refuses_a_backend_that_is_not_a_database_backend():
    # The test settings use the immediate backend, which has no queue to work on.
    with pytest.raises(CommandError, match="not a database backend"):
        call_command("run_worker", "--once")


# The platform's jobs


def _session(*, expire_in: timedelta) -> str:
    store = SessionStore()
    store["seen"] = True
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expire_in
    )
    return store.session_key


@pytest.mark.django_db
def test_clear_expired_sessions_removes_an_expired_session_and_keeps_a_live_one():
    expired = _session(expire_in=timedelta(minutes=-1))
    live = _session(expire_in=timedelta(minutes=1))
    result = tasks.clear_expired_sessions.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()


def _result(status: str, *, finished_days_ago: float | None) -> DBTaskResult:
    finished_at = (
        None if finished_days_ago is None else timezone.now() - timedelta(days=finished_days_ago)
    )
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="hotline.jobs.tests.sample_tasks.record_run",
        backend_name="default",
        finished_at=finished_at,
    )


@pytest.mark.django_db
def test_prune_task_results_deletes_old_successes_and_keeps_recent_and_failed_ones():
    old_success = _result(TaskResultStatus.SUCCESSFUL, finished_days_ago=31)
    recent_success = _result(TaskResultStatus.SUCCESSFUL, finished_days_ago=29)
    failed_two_months_ago = _result(TaskResultStatus.FAILED, finished_days_ago=60)
    failed_long_ago = _result(TaskResultStatus.FAILED, finished_days_ago=91)
    waiting = _result(TaskResultStatus.READY, finished_days_ago=None)

    outcome = tasks.prune_task_results.call()

    assert outcome == {"deleted": 2}
    remaining = set(DBTaskResult.objects.values_list("id", flat=True))
    assert remaining == {recent_success.id, failed_two_months_ago.id, waiting.id}
    assert old_success.id not in remaining
    assert failed_long_ago.id not in remaining
