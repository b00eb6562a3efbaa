"""The periodic jobs in the admin: read-only rows, their last result, and "run now"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hotline.accounts.models import User
from hotline.jobs.models import PeriodicSchedule
from hotline.organizations.models import Level, Organization
from hotline.testing import factories as f

CHANGELIST = "admin:jobs_periodicschedule_changelist"
CLEAR_SESSIONS = "hotline.jobs.tasks.clear_expired_sessions"
PRUNE_RESULTS = "hotline.jobs.tasks.prune_task_results"


@pytest.fixture
def province(db: None) -> Organization:
    return f.organization(
        "青海省总工会", parent=None, level=Level.PROVINCE, division=f.division("630000", "青海省")
    )


@pytest.fixture
def superuser(province: Organization) -> User:
    return f.user(province, is_staff=True, is_superuser=True)


@pytest.fixture
def viewer(province: Organization) -> User:
    """Staff who may look at the periodic jobs but not change them."""
    user = f.user(province, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_periodicschedule"))
    return user


def schedule(name: str, *, due_in: timedelta, last_result_id: str = "") -> PeriodicSchedule:
    return PeriodicSchedule.objects.create(
        name=name,
        interval=timedelta(days=1),
        next_due_at=timezone.now() + due_in,
        last_result_id=last_result_id,
    )


def finished_result(status: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=CLEAR_SESSIONS,
        backend_name="default",
        finished_at=timezone.now(),
    )


def test_the_list_shows_each_job_with_its_last_result(client, superuser):
    failed = finished_result(TaskResultStatus.FAILED)
    schedule(CLEAR_SESSIONS, due_in=timedelta(hours=3), last_result_id=str(failed.id))
    schedule("hotline.gone.tasks.old_job", due_in=timedelta(hours=1))
    client.force_login(superuser)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    page = response.content.decode()
    assert CLEAR_SESSIONS in page
    assert "hotline.gone.tasks.old_job" in page
    result_url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed.pk])
    assert result_url in page
    assert 'value="run_now"' in page


def test_the_list_reads_the_last_results_in_one_query_whatever_the_number_of_jobs(
    client, superuser
):
    client.force_login(superuser)
    first = finished_result(TaskResultStatus.SUCCESSFUL)
    schedule(CLEAR_SESSIONS, due_in=timedelta(hours=3), last_result_id=str(first.id))
    client.get(reverse(CHANGELIST))  # the first request of a session does some writes of its own
    with CaptureQueriesContext(connection) as one_job:
        client.get(reverse(CHANGELIST))

    for number in range(3):
        result = finished_result(TaskResultStatus.SUCCESSFUL)
        schedule(f"job{number}", due_in=timedelta(hours=number), last_result_id=str(result.id))
    with CaptureQueriesContext(connection) as four_jobs:
        response = client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert len(four_jobs) == len(one_job), [query["sql"] for query in four_jobs]
    result_queries = [query for query in four_jobs if DBTaskResult._meta.db_table in query["sql"]]
    assert len(result_queries) == 1


def test_run_now_makes_the_chosen_jobs_due(client, superuser):
    clear = schedule(CLEAR_SESSIONS, due_in=timedelta(hours=3))
    prune = schedule(PRUNE_RESULTS, due_in=timedelta(hours=4))
    client.force_login(superuser)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "run_now", "_selected_action": [clear.pk]},
        follow=True,
    )

    assert response.status_code == 200
    clear.refresh_from_db()
    prune.refresh_from_db()
    assert clear.next_due_at <= timezone.now()
    assert prune.next_due_at > timezone.now() + timedelta(hours=3)


def test_run_now_refuses_a_job_no_longer_declared_and_moves_nothing(client, superuser):
    clear = schedule(CLEAR_SESSIONS, due_in=timedelta(hours=3))
    gone = schedule("hotline.gone.tasks.old_job", due_in=timedelta(hours=3))
    client.force_login(superuser)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "run_now", "_selected_action": [clear.pk, gone.pk]},
        follow=True,
    )

    messages = [str(message) for message in response.context["messages"]]
    assert len(messages) == 1
    assert "hotline.gone.tasks.old_job" in messages[0]
    clear.refresh_from_db()
    assert clear.next_due_at > timezone.now() + timedelta(hours=2)


def test_staff_who_may_only_view_see_the_jobs_but_cannot_run_them(client, viewer):
    clear = schedule(CLEAR_SESSIONS, due_in=timedelta(hours=3))
    client.force_login(viewer)

    page = client.get(reverse(CHANGELIST))
    client.post(reverse(CHANGELIST), {"action": "run_now", "_selected_action": [clear.pk]})

    assert page.status_code == 200
    assert CLEAR_SESSIONS in page.content.decode()
    assert 'value="run_now"' not in page.content.decode()
    clear.refresh_from_db()
    assert clear.next_due_at > timezone.now() + timedelta(hours=2)


def test_a_job_cannot_be_edited_or_added_in_the_admin(client, superuser):
    clear = schedule(CLEAR_SESSIONS, due_in=timedelta(hours=3))
    client.force_login(superuser)
    change_url = reverse("admin:jobs_periodicschedule_change", args=[clear.pk])

    page = client.get(change_url)
    client.post(change_url, {"name": "renamed", "next_due_at": "2020-01-01 00:00:00"})
    add = client.get(reverse("admin:jobs_periodicschedule_add"))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert add.status_code == 403
    clear.refresh_from_db()
    assert clear.name == CLEAR_SESSIONS
