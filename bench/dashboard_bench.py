"""Benchmark: the leaders' dashboard (GET /dashboard/) at 1,000,000 cases, on PostgreSQL.

The issue asks that the dashboard for the whole province over a million cases answer under
300 ms median. This script times the whole page through ``django.test.Client`` (session, user,
view, every figure read, templates; server time, no network), with ``DEBUG`` off, on the database
``bench/cases_generate.py`` fills, once its aggregates are built::

    .venv/bin/python bench/cases_generate.py --cases 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench_cases \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench_cases \\
        .venv/bin/python manage.py rebuild_analytics
    .venv/bin/python bench/dashboard_bench.py [--repeat 30] [--match TEXT]

Without ``DATABASE_URL`` it uses ``postgres://postgres@127.0.0.1:5432/hotline_bench_cases``; it
refuses SQLite. Users: ``province_admin`` and ``province_leader`` (the whole province),
``xining_leader`` (a prefecture), and ``bench_county_leader``, a leader of 城东区总工会 (the
busiest county) that the script adds once through ``accounts.services.create_user`` (the
generator makes no county leader), and ``ANALYZE``s the aggregates if they never were (as
autovacuum would); apart from that it only reads. It prints the machine,
the size of the aggregates, the open risk alerts (the generator raises none: the alert rules
run on new cases only), then a Markdown table: median and p95 in milliseconds, the queries of
one request, and the size of the page.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.timing import Timing

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hotline_bench_cases"
WARMUP = 5
SLOW_MS = 1000
SLOW_RUNS = 10


def measure(name: str, run: Callable[[], Any], repeat: int) -> Timing:
    """``bench.timing.measure`` with this benchmark's warm-up and slow-measure settings."""
    from bench.timing import measure as timed_measure

    return timed_measure(name, run, repeat, warmup=WARMUP, slow_ms=SLOW_MS, slow_runs=SLOW_RUNS)


COUNTY_LEADER = "bench_county_leader"
COUNTY = "城东区总工会"


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        raise SystemExit("The dashboard benchmark runs on PostgreSQL only (see bench/README.md).")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def county_leader() -> Any:
    from hotline.accounts import services as account_services
    from hotline.accounts.models import Role, User
    from hotline.organizations.models import Level, Organization

    user = User.objects.filter(username=COUNTY_LEADER).first()
    if user is None:
        county = Organization.objects.get(name=COUNTY, level=Level.COUNTY)
        user = account_services.create_user(
            username=COUNTY_LEADER,
            organization=county,
            roles=(Role.LEADER,),
            password=None,
            name="城东区领导",
        )
    return user


def analyze_aggregates() -> str:
    """``ANALYZE`` the aggregates if they were never analyzed, as autovacuum would do soon after
    ``rebuild_analytics`` (one transaction of millions of rows): without statistics the planner
    guesses one row where there are tens of thousands."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname LIKE 'analytics\\_%%' "
            "AND last_analyze IS NULL AND last_autoanalyze IS NULL"
        )
        tables = [name for (name,) in cursor.fetchall()]
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')
    return f"analyzed {', '.join(tables)}" if tables else "statistics present"


def facts() -> list[tuple[str, str]]:
    from django.db import connection

    from hotline.alerts.models import AlertStatus, RiskAlert
    from hotline.analytics.models import DailyCaseStat, DailyEmployerStat, StatRollup
    from hotline.analytics.refresh import freshness

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
        cursor.execute("SELECT COUNT(*), MAX(created_at) FROM cases_case")
        count, newest = cursor.fetchone()
        rows.append(
            ("cases_case", f"{count:,} rows, the newest registered {newest:%Y-%m-%d %H:%M}")
        )
    rows.append(
        ("open risk alerts", str(RiskAlert.objects.filter(status=AlertStatus.OPEN).count()))
    )
    rows.append(("figures as of", f"{freshness():%Y-%m-%d %H:%M %Z}"))
    return rows


def run_measures(repeat: int, match: str) -> list[Timing]:
    from django.test import Client
    from django.utils import timezone

    from hotline.accounts.models import User
    from hotline.organizations.models import Level, Organization

    users = {
        "province_admin": User.objects.get(username="province_admin"),
        "province_leader": User.objects.get(username="province_leader"),
        "xining_leader": User.objects.get(username="xining_leader"),
        COUNTY_LEADER: county_leader(),
    }
    clients = {}
    for name, user in users.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user, backend="hotline.accounts.backends.UserBackend")
        clients[name] = client
    xining = Organization.objects.get(name="西宁市总工会", level=Level.PREFECTURE)
    chengdong = Organization.objects.get(name=COUNTY, level=Level.COUNTY)
    today = timezone.localdate()
    quarter = f"period=custom&start={today - datetime.timedelta(days=89)}&end={today}"
    # For comparison: this month and this year to yesterday, a range the page reads as it is
    # (its first days from the daily rows), where the month and the year to today are read whole.
    yesterday = today - datetime.timedelta(days=1)
    month_so_far = f"period=custom&start={today.replace(day=1)}&end={yesterday}"
    year_so_far = f"period=custom&start={today.replace(month=1, day=1)}&end={yesterday}"
    print(f"Today: {today}")
    pages = [
        ("province_admin", "/dashboard/", "this month"),
        ("province_leader", "/dashboard/", "this month"),
        ("province_leader", "/dashboard/?period=last_month", "last month"),
        ("province_leader", "/dashboard/?period=year", "this year"),
        ("province_leader", f"/dashboard/?{quarter}", "the last 90 days"),
        ("province_leader", f"/dashboard/?{month_so_far}", "this month to yesterday, as it is"),
        ("province_leader", f"/dashboard/?{year_so_far}", "this year to yesterday, as it is"),
        ("province_leader", "/dashboard/?wall=1", "wall screen, this month"),
        ("province_leader", "/dashboard/?period=year&wall=1", "wall screen, this year"),
        ("province_leader", f"/dashboard/?unit={xining.pk}", "drilled into 西宁市, this month"),
        ("province_leader", f"/dashboard/?unit={chengdong.pk}", "drilled into 城东区, this month"),
        ("xining_leader", "/dashboard/", "this month"),
        ("xining_leader", "/dashboard/?period=year", "this year"),
        (COUNTY_LEADER, "/dashboard/", "this month"),
        (COUNTY_LEADER, "/dashboard/?period=year", "this year"),
    ]
    results = []
    for user, path, label in pages:
        name = f"GET {path} as {user} ({label})"
        if match and match not in name:
            continue
        client = clients[user]
        client.get("/")  # the idle timeout stamps the session once
        results.append(measure(name, lambda c=client, p=path: c.get(p), repeat))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per measure")
    parser.add_argument("--match", default="", help="only the measures whose name holds this")
    arguments = parser.parse_args()
    setup_django()
    from bench.org_tree import machine
    from hotline.analytics.refresh import freshness

    if freshness() is None:
        raise SystemExit("The figures are not built: run manage.py rebuild_analytics first.")
    print(f"Aggregates: {analyze_aggregates()}", flush=True)
    before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    results = run_measures(arguments.repeat, arguments.match)
    print("\n## Machine\n")
    print(f"- load average (1, 5, 15 min) before the runs: {before}")
    for label, value in machine():
        print(f"- {label}: {value}")
    print("\n## Data\n")
    for label, value in facts():
        print(f"- {label}: {value}")
    print(f"\n## Timings ({arguments.repeat} runs after {WARMUP} warm-up runs)\n")
    width = max(len(result.measure) for result in results)
    print(f"| {'measure':<{width}} | runs | median ms | p95 ms | queries | page KB |")
    print(f"|{'-' * (width + 2)}|-----:|----------:|-------:|--------:|--------:|")
    for result in results:
        print(
            f"| {result.measure:<{width}} | {result.runs:4d} | {result.median_ms:9.2f} "
            f"| {result.p95_ms:6.2f} | {result.queries:7d} | {result.size / 1024:7.1f} |"
        )


if __name__ == "__main__":
    main()
