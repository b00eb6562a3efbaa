"""The day, month and year rollups, summed by the database from the daily rows.

``INSERT … SELECT … GROUP BY`` in SQL that SQLite and PostgreSQL both run: a year of the hot
employers is tens of thousands of rows, which need not travel through Python to be added up.
A month's rows are summed from the daily bases once per dimension; a year's from its months.
"""

from __future__ import annotations

import datetime

from django.db import connection

from hotline.cases.models import Category

from .facts import day_runs
from .models import COUNTERS, DailyCaseStat, DailyEmployerStat, Dimension, Grain, StatRollup


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def year_start(day: datetime.date) -> datetime.date:
    return day.replace(month=1, day=1)


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def _date(day: datetime.date) -> object:
    return connection.ops.adapt_datefield_value(day)


_TARGET_COLUMNS = ", ".join(
    ["grain", "period", "unit_id", "unit_path", "dimension", "value", "label", *COUNTERS]
)

# Dimension -> (the SQL of its value over the daily base ``b``, the joins it needs).
_BASE_DIMENSIONS: dict[str, tuple[str, str]] = {
    Dimension.NONE: ("''", ""),
    Dimension.CATEGORY: (
        "COALESCE(p.code, c.code)",
        "JOIN {category} c ON c.id = b.category_id LEFT JOIN {category} p ON p.id = c.parent_id",
    ),
    Dimension.KIND: ("b.kind", ""),
    Dimension.CHANNEL: ("b.channel", ""),
    Dimension.DIVISION: ("b.division", ""),
}


def _month_from_base(dimension: str) -> str:
    value, joins = _BASE_DIMENSIONS[dimension]
    # PostgreSQL refuses a constant in GROUP BY: the all-dimensions row groups by unit alone.
    group = f", {value}" if dimension != Dimension.NONE else ""
    sums = ", ".join(f"SUM(b.{name})" for name in COUNTERS)
    return (
        f"INSERT INTO {_table(StatRollup)} ({_TARGET_COLUMNS}) "
        f"SELECT %s, %s, b.unit_id, b.unit_path, %s, {value}, '', {sums} "
        f"FROM {_table(DailyCaseStat)} b {joins.format(category=_table(Category))} "
        f"WHERE b.day >= %s AND b.day < %s "
        f"GROUP BY b.unit_id, b.unit_path{group}"
    )


def _days_from_base() -> str:
    sums = ", ".join(f"SUM(b.{name})" for name in COUNTERS)
    return (
        f"INSERT INTO {_table(StatRollup)} ({_TARGET_COLUMNS}) "
        f"SELECT %s, b.day, b.unit_id, b.unit_path, '', '', '', {sums} "
        f"FROM {_table(DailyCaseStat)} b "
        f"WHERE b.day >= %s AND b.day <= %s "
        f"GROUP BY b.day, b.unit_id, b.unit_path"
    )


def _month_employers() -> str:
    sums = ", ".join(
        f"SUM(b.{name})" if name in ("received", "people") else "0" for name in COUNTERS
    )
    return (
        f"INSERT INTO {_table(StatRollup)} ({_TARGET_COLUMNS}) "
        f"SELECT %s, %s, b.unit_id, b.unit_path, %s, b.employer_key, MAX(b.employer_name), {sums} "
        f"FROM {_table(DailyEmployerStat)} b "
        f"WHERE b.day >= %s AND b.day < %s AND b.employer_key <> '' "
        f"GROUP BY b.unit_id, b.unit_path, b.employer_key"
    )


def _year_from_months() -> str:
    sums = ", ".join(f"SUM(r.{name})" for name in COUNTERS)
    return (
        f"INSERT INTO {_table(StatRollup)} ({_TARGET_COLUMNS}) "
        f"SELECT %s, %s, r.unit_id, r.unit_path, r.dimension, r.value, MAX(r.label), {sums} "
        f"FROM {_table(StatRollup)} r "
        f"WHERE r.grain = %s AND r.period >= %s AND r.period < %s "
        f"GROUP BY r.unit_id, r.unit_path, r.dimension, r.value"
    )


def rollup_month(month: datetime.date) -> None:
    """Replace the month's rollup rows with the sums of its daily rows (``month``: its 1st)."""
    start, end = _date(month), _date(next_month(month))
    StatRollup.objects.filter(grain=Grain.MONTH, period=month).delete()
    with connection.cursor() as cursor:
        for dimension in _BASE_DIMENSIONS:
            cursor.execute(
                _month_from_base(dimension), [Grain.MONTH.value, start, dimension, start, end]
            )
        cursor.execute(
            _month_employers(), [Grain.MONTH.value, start, Dimension.EMPLOYER.value, start, end]
        )


def rollup_year(year: datetime.date) -> None:
    """Replace the year's rollup rows with the sums of its months' (``year``: its 1 January)."""
    start = _date(year)
    end = _date(year.replace(year=year.year + 1))
    StatRollup.objects.filter(grain=Grain.YEAR, period=year).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            _year_from_months(), [Grain.YEAR.value, start, Grain.MONTH.value, start, end]
        )


def rollup_day_rows(days: set[datetime.date]) -> None:
    """Replace the per-day, all-dimensions rollup rows of ``days`` with their daily rows' sums."""
    StatRollup.objects.filter(grain=Grain.DAY, period__in=sorted(days)).delete()
    with connection.cursor() as cursor:
        for first, last in day_runs(days):
            cursor.execute(_days_from_base(), [Grain.DAY.value, _date(first), _date(last)])


def rollup_days(days: set[datetime.date], *, years: bool = True) -> None:
    """Bring the days, months (and years) of ``days`` up to date with their daily rows."""
    rollup_day_rows(days)
    months = sorted({month_start(day) for day in days})
    for month in months:
        rollup_month(month)
    if years:
        for year in sorted({year_start(month) for month in months}):
            rollup_year(year)
