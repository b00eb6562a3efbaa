"""Benchmark: the analytics reads at 1,000,000 cases, on PostgreSQL.

The issue asks that the dashboard for the whole province over a million cases answer under
300 ms median. The dashboard is built on ``hotline.analytics.kpis``; this script times those
reads (and the pages and API over them) on the database ``bench/cases_generate.py`` fills, once
its aggregates are built::

    .venv/bin/python bench/cases_generate.py --cases 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench_cases \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench_cases \\
        .venv/bin/python manage.py rebuild_analytics
    .venv/bin/python bench/analytics_bench.py [--repeat 30] [--refresh] [--verify DAYS]

Without ``DATABASE_URL`` it uses ``postgres://postgres@127.0.0.1:5432/hotline_bench_cases``; it
refuses SQLite. It reads only, except with ``--refresh``, which also times an incremental refresh
of the figures after five minutes of intake (it recomputes days from the cases: the figures stay
what they were). ``--verify DAYS`` compares the figures of the last days with a recomputation
from the cases. It prints the machine, the size of the aggregates, and a Markdown table: median
and p95 in milliseconds, and the queries of one run.

"Today" is the day of the newest case, so that "this month" and "this year" are the generator's
last month and year whatever day the script runs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.timing import Timing

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hotline_bench_cases"
WARMUP = 5
SLOW_MS = 400
SLOW_RUNS = 10


def measure(name: str, run: Callable[[], Any], repeat: int) -> Timing:
    """``bench.timing.measure`` with this benchmark's warm-up and slow-measure settings."""
    from bench.timing import measure as timed_measure

    return timed_measure(name, run, repeat, warmup=WARMUP, slow_ms=SLOW_MS, slow_runs=SLOW_RUNS)


# The demo accounts the generator keeps: a province, a prefecture and a county user.
USERS = {
    "province": "province_leader",
    "prefecture": "xining_leader",
    "county": "chengdong_handler",
}


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        raise SystemExit("The analytics benchmark runs on PostgreSQL only (see bench/README.md).")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def dashboard(user: Any, filters: Any) -> None:
    """What a dashboard page for ``user`` reads: the KPI tiles, the daily trend, the categories,
    the map by prefecture and county, the hot employers, the units below and their ranking."""
    from hotline.analytics import kpis as figures

    figures.kpis(user, filters)
    figures.case_volume(user, filters, "day")
    figures.case_volume(user, filters, "category")
    figures.case_volume(user, filters, "prefecture")
    figures.case_volume(user, filters, "county")
    figures.case_volume(user, filters, "employer", limit=10)
    figures.kpi_breakdown(user, filters, "unit")
    figures.unit_ranking(user, filters)


def sizes() -> list[tuple[str, str]]:
    from django.db import connection

    from hotline.analytics.models import DailyCaseStat, DailyEmployerStat, StatRollup

    rows = []
    with connection.cursor() as cursor:
        for model in (DailyCaseStat, DailyEmployerStat, StatRollup):
            table = model._meta.db_table
            cursor.execute(
                "SELECT COUNT(*), pg_size_pretty(pg_total_relation_size(%s)) FROM " + table,
                [table],
            )
            count, size = cursor.fetchone()
            rows.append((table, f"{count:,} rows, {size} with indexes"))
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        rows.append(("cases_case", f"{cursor.fetchone()[0]:,} rows"))
    return rows


def run_measures(repeat: int) -> list[Timing]:
    from django.test import Client

    from hotline.accounts.models import User
    from hotline.analytics import kpis as figures
    from hotline.analytics.kpis import KpiFilters, periods
    from hotline.cases.deadlines import local_date
    from hotline.cases.models import Case

    newest = Case.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    today = local_date(newest)
    month = KpiFilters(*periods("month", today))
    year = KpiFilters(*periods("year", today))
    last_30 = KpiFilters(today - datetime.timedelta(days=29), today)
    users = {scope: User.objects.get(username=name) for scope, name in USERS.items()}
    print(f"Today: {today}; this month {month.start}..{month.end}; this year {year.start}..")
    results: list[Timing] = []

    def add(name: str, run: Callable[[], object]) -> None:
        results.append(measure(name, run, repeat))

    for scope, user in users.items():
        for label, filters in (("month", month), ("year", year), ("last 30 days", last_30)):
            add(f"kpis, {scope}, {label}", lambda u=user, f=filters: figures.kpis(u, f))
    province, prefecture = users["province"], users["prefecture"]
    for label, filters in (("month", month), ("year", year)):
        add(f"dashboard reads, province, {label}", lambda f=filters: dashboard(province, f))
        add(f"dashboard reads, prefecture, {label}", lambda f=filters: dashboard(prefecture, f))
    with_category = KpiFilters(year.start, year.end, category="01")
    two_filters = KpiFilters(year.start, year.end, category="01", kind="complaint")
    add("kpis, province, year, category 01", lambda: figures.kpis(province, with_category))
    add(
        "kpis, province, year, category 01 + complaint (daily rows)",
        lambda: figures.kpis(province, two_filters),
    )
    add(
        "kpis, province, last 30 days, category 01 + complaint (daily rows)",
        lambda: figures.kpis(
            province, KpiFilters(last_30.start, last_30.end, category="01", kind="complaint")
        ),
    )
    for by, filters, label in (
        ("unit", year, "year"),
        ("category", year, "year"),
        ("division", year, "year"),
        ("day", month, "month"),
        ("month", year, "year"),
    ):
        add(
            f"kpi_breakdown by {by}, province, {label}",
            lambda b=by, f=filters: figures.kpi_breakdown(province, f, b),
        )
    add("unit_ranking, province, month", lambda: figures.unit_ranking(province, month))
    add(
        "unit_ranking, province, year, every county",
        lambda: figures.unit_ranking(province, year, level="county"),
    )
    for by, filters, label in (
        ("day", month, "month"),
        ("month", year, "year"),
        ("category", year, "year"),
        ("prefecture", year, "year"),
        ("county", year, "year"),
        ("employer", year, "year"),
        ("employer", month, "month"),
        ("employer", last_30, "last 30 days"),
    ):
        add(
            f"case_volume by {by}, province, {label}",
            lambda b=by, f=filters: figures.case_volume(province, f, b),
        )

    client = Client()
    client.force_login(province)
    month_query = f"period=month&date={today.isoformat()}"
    year_query = f"period=year&date={today.isoformat()}"
    for path in (
        f"/analytics/?{month_query}",
        f"/analytics/?{year_query}&by=category",
        f"/analytics/ranking/?{month_query}&level=county",
        f"/api/v1/analytics/kpis?{year_query}",
        f"/api/v1/analytics/volume?{year_query}&by=employer",
    ):
        add(f"GET {path} (province)", lambda p=path: _ok(client.get(p, HTTP_HOST="127.0.0.1")))
    return results


def _ok(response: Any) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{response.status_code}: {response.content[:300]!r}")


def time_refresh() -> str:
    """An incremental refresh as the periodic job runs it, five minutes after the last one:
    the refresh is told the last one happened five minutes before the newest event."""
    from django.utils import timezone

    from hotline.analytics.models import AggregateState
    from hotline.analytics.refresh import refresh
    from hotline.cases.models import CaseEvent

    newest = CaseEvent.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    AggregateState.objects.update(refreshed_at=newest - datetime.timedelta(minutes=5))
    started = time.perf_counter()
    result = refresh()
    elapsed = time.perf_counter() - started
    AggregateState.objects.update(refreshed_at=timezone.now())
    return f"{result} in {elapsed:.2f} s (events of the last 5 + 10 minutes of the generator)"


def verify(days: int) -> list[str]:
    """The aggregates against a recomputation from the cases (``source="raw"``) over ``days``
    days up to yesterday, for each user: what the tests prove on a small story, at a million
    cases."""
    from hotline.accounts.models import User
    from hotline.analytics import kpis as figures
    from hotline.analytics.kpis import RAW, KpiFilters
    from hotline.cases.deadlines import local_date
    from hotline.cases.models import Case

    # Up to the day before the newest case: today's figures move while the script runs, when
    # another process registers cases (intake_load.py does, and removes them after).
    newest = Case.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    last = local_date(newest) - datetime.timedelta(days=1)
    filters = KpiFilters(last - datetime.timedelta(days=days - 1), last)
    lines = []
    for scope, name in USERS.items():
        user = User.objects.get(username=name)
        started = time.perf_counter()
        raw = figures.totals(user, filters, source=RAW)
        elapsed = time.perf_counter() - started
        same = raw == figures.totals(user, filters)
        verdict = "equal" if same else "DIFFERENT"
        lines.append(
            f"{scope}, {filters.start}..{filters.end}: aggregates and recomputation {verdict} "
            f"({raw['received']:,} received, {raw['dispatched']:,} hand-overs; "
            f"recomputed in {elapsed:.1f} s)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per measure")
    parser.add_argument("--refresh", action="store_true", help="also time an incremental refresh")
    parser.add_argument(
        "--verify", type=int, default=0, metavar="DAYS", help="compare with a recomputation"
    )
    arguments = parser.parse_args()
    setup_django()
    from bench.org_tree import machine
    from hotline.analytics.refresh import freshness

    if freshness() is None:
        raise SystemExit("The figures are not built: run manage.py rebuild_analytics first.")
    results = run_measures(arguments.repeat)
    refreshed = time_refresh() if arguments.refresh else ""
    verified = verify(arguments.verify) if arguments.verify else []
    print("\n## Machine\n")
    for label, value in machine():
        print(f"- {label}: {value}")
    print("\n## Aggregates\n")
    for label, value in sizes():
        print(f"- {label}: {value}")
    if refreshed:
        print(f"- incremental refresh: {refreshed}")
    for line in verified:
        print(f"- {line}")
    print(f"\n## Timings ({arguments.repeat} runs after {WARMUP} warm-up runs)\n")
    width = max(len(result.measure) for result in results)
    print(f"| {'measure':<{width}} | runs | median ms | p95 ms | queries |")
    print(f"|{'-' * (width + 2)}|-----:|----------:|-------:|--------:|")
    for result in results:
        print(
            f"| {result.measure:<{width}} | {result.runs:4d} | {result.median_ms:9.2f} "
            f"| {result.p95_ms:6.2f} | {result.queries:7d} |"
        )


if __name__ == "__main__":
    main()
