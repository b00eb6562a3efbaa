"""The periodic jobs of risk alerts: new cases every few minutes, the festival season daily."""

from __future__ import annotations

from datetime import time, timedelta

from django_tasks import task

from hotline.jobs.periodic import periodic

from . import services


@periodic(every=timedelta(minutes=5))
@task()
def evaluate_new_cases() -> dict[str, int]:
    """Rules 1 and 2 (one employer, many people) on the cases registered since the last run."""
    return services.evaluate_new_cases()


@periodic(every=timedelta(days=1), at=time(2, 30))
@task()
def evaluate_wage_surge() -> int:
    """Rule 3 (wage requests before the Spring Festival) for the province and each prefecture."""
    return services.evaluate_wage_surge()
