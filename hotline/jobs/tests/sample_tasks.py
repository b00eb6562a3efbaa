"""Tasks for the tests: module-level, so a worker can import them by their dotted path."""

from __future__ import annotations

from django_tasks import task

RUNS: list[str] = []


@task()
def record_run() -> str:
    RUNS.append("ran")
    return "ran"


@task()
def greet(name: str) -> str:
    return f"hello {name}"
