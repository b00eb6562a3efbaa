"""Benchmark: working-day deadlines through ``hotline.workdays.calendar``.

The issue asks for deadline computation for 10,000 cases in well under 100 ms. This script
computes 10,000 deadlines the way the case engine does (the local date of a moment, N working
days later, 23:59:59 Asia/Shanghai that day) for moments spread over 2026 and 2027, so that the
package's years, administrators' entries and year boundaries all take part::

    .venv/bin/python bench/workdays.py [--cases 10000] [--repeat 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench .venv/bin/python bench/workdays.py

Without ``DATABASE_URL`` it uses an SQLite database in memory (the calendar reads its tables
once per run, so the database hardly matters); it refuses the development database
``var/db.sqlite3``. It migrates, then, inside a transaction it rolls back at the end, enters a
2027 schedule of calendar days (illustrative dates, not the official ones) and marks 2027
complete. It prints the machine and a Markdown table: the first (cold) run, which reads the
calendar tables and builds the years, and the median and p95 of the warm runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEV_DATABASE = ROOT / "var" / "db.sqlite3"
SEED = 12351
# Working days of the deadline rules a case meets: acceptance, dispatch, handling, extensions.
RULE_DAYS = [1, 1, 2, 3, 5, 5, 10, 15, 20, 30]

# An illustrative 2027 schedule shaped like a real one. Not the State Council's dates: those are
# published in late 2026 and entered by administrators.
SAMPLE_2027 = [
    *[(date(2027, 1, 1), False, "元旦")],
    *[(date(2027, 2, day), False, "春节") for day in range(6, 14)],
    (date(2027, 2, 14), True, "春节调休上班"),
    *[(date(2027, 4, day), False, "清明节") for day in range(3, 6)],
    *[(date(2027, 5, day), False, "劳动节") for day in range(1, 6)],
    (date(2027, 4, 25), True, "劳动节调休上班"),
    *[(date(2027, 6, day), False, "端午节") for day in range(9, 12)],
    *[(date(2027, 9, day), False, "中秋节") for day in range(15, 18)],
    *[(date(2027, 10, day), False, "国庆节") for day in range(1, 8)],
    (date(2027, 9, 26), True, "国庆节调休上班"),
    (date(2027, 10, 9), True, "国庆节调休上班"),
]


def setup_django() -> None:
    """Point Django at the development settings and the benchmark's own database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = "sqlite://:memory:"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    from django.conf import settings

    database = settings.DATABASES["default"]
    if (
        database["ENGINE"] == "django.db.backends.sqlite3"
        and database["NAME"] != ":memory:"
        and Path(database["NAME"]).resolve() == DEV_DATABASE.resolve()
    ):
        raise SystemExit("Refusing to run on the development database var/db.sqlite3.")


def moments(count: int) -> list[tuple[datetime, int]]:
    """``count`` (moment, working days) pairs, moments spread over 2026 and 2027."""
    from django.utils import timezone

    zone = timezone.get_default_timezone()
    generator = random.Random(SEED)
    start = datetime(2026, 1, 1, tzinfo=zone).timestamp()
    span = datetime(2028, 1, 1, tzinfo=zone).timestamp() - start - 90 * 86400
    return [
        (
            datetime.fromtimestamp(start + generator.random() * span, tz=UTC),
            generator.choice(RULE_DAYS),
        )
        for _ in range(count)
    ]


def deadlines(pairs: list[tuple[datetime, int]]) -> list[datetime]:
    """The deadline of each pair: 23:59:59 local time, N working days after the local date."""
    from django.utils import timezone

    from hotline.workdays.calendar import add_working_days

    zone = timezone.get_default_timezone()
    end_of_day = datetime.min.time().replace(hour=23, minute=59, second=59)
    return [
        datetime.combine(add_working_days(moment.astimezone(zone).date(), days), end_of_day, zone)
        for moment, days in pairs
    ]


def time_runs(run: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    """The first run and ``repeat`` later runs, in milliseconds."""
    started = time.perf_counter()
    run()
    cold = (time.perf_counter() - started) * 1000
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        warm.append((time.perf_counter() - started) * 1000)
    return cold, warm


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    arguments = parser.parse_args()
    setup_django()

    from django.core.management import call_command
    from django.db import connection, transaction

    from hotline.workdays import calendar, services

    call_command("migrate", verbosity=0, interactive=False)
    pairs = moments(arguments.cases)
    days = [moment.date() for moment, _days in pairs]
    rows: list[tuple[str, float, list[float]]] = []
    with transaction.atomic():
        services.import_days(
            [
                services.DayEntry(day=day, is_workday=working, name=name)
                for day, working, name in SAMPLE_2027
            ],
            actor=None,
            complete_years=True,
        )
        calendar.reset_state()
        cold, warm = time_runs(lambda: deadlines(pairs), arguments.repeat)
        rows.append((f"{arguments.cases:,} deadlines (local date + N working days)", cold, warm))
        step_days = [days_to_add for _moment, days_to_add in pairs]
        rows.append(
            (
                f"{arguments.cases:,} × add_working_days alone",
                *time_runs(
                    lambda: [
                        calendar.add_working_days(day, n)
                        for day, n in zip(days, step_days, strict=True)
                    ],
                    arguments.repeat,
                ),
            )
        )
        rows.append(
            (
                f"{arguments.cases:,} × is_workday",
                *time_runs(lambda: [calendar.is_workday(day) for day in days], arguments.repeat),
            )
        )
        ends = [day + timedelta(days=45) for day in days]
        rows.append(
            (
                f"{arguments.cases:,} × working_days_between (45 days apart)",
                *time_runs(
                    lambda: [
                        calendar.working_days_between(day, end)
                        for day, end in zip(days, ends, strict=True)
                    ],
                    arguments.repeat,
                ),
            )
        )
        # Spot check against the calendar's own definition, so a fast wrong answer is noticed.
        assert calendar.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 8)
        assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
        transaction.set_rollback(True)
    calendar.reset_state()

    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    print(f"{connection.vendor}, {arguments.cases:,} cases, {arguments.repeat} warm runs\n")
    print("| what | first run (ms) | warm median (ms) | warm p95 (ms) |")
    print("|---|---:|---:|---:|")
    for label, cold, warm in rows:
        print(f"| {label} | {cold:.1f} | {statistics.median(warm):.1f} | {p95(warm):.1f} |")


if __name__ == "__main__":
    main()
