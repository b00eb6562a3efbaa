"""The month and year rollups moved by what a refresh changed, instead of summed again.

A refresh recomputes a few days' daily rows; the current month's and year's rollups summed again
from scratch would rewrite tens of thousands of rows every five minutes at a million cases (three
seconds, and as many dead rows for the database to clean up). Instead the days' old rows are
subtracted and their new rows added, per rollup row: only the units, dimensions and employers of
those days are touched. The arithmetic is exact (whole numbers), and the nightly refresh and every
rebuild sum the rollups from scratch again (``hotline.analytics.rollups``), so nothing can drift
for more than a day.

The rows are written with ``INSERT … ON CONFLICT … DO UPDATE`` (SQLite and PostgreSQL alike), in
the refresh's transaction; a rollup row that falls to zero everywhere is deleted.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from django.db import connection

from .models import COUNTERS, DailyCaseStat, DailyEmployerStat, Dimension, Grain, StatRollup
from .rollups import month_start, rollup_day_rows, rollup_days, year_start

if TYPE_CHECKING:
    from .refresh import DayRows

# (grain, period, unit id, dimension, value) -> [unit path, label, counters]
Deltas = dict[tuple[str, datetime.date, int, str, str], list]
_RECEIVED, _PEOPLE = COUNTERS.index("received"), COUNTERS.index("people")


def _periods(day: datetime.date) -> tuple[tuple[str, datetime.date], ...]:
    return ((Grain.MONTH.value, month_start(day)), (Grain.YEAR.value, year_start(day)))


def _add(
    deltas: Deltas,
    key: tuple[str, datetime.date, int, str, str],
    path: str,
    label: str,
    counters: Iterable[int],
    sign: int,
) -> None:
    entry = deltas.get(key)
    if entry is None:
        entry = deltas[key] = [path, label, [0] * len(COUNTERS)]
    elif label > entry[1]:
        entry[1] = label
    totals = entry[2]
    for position, amount in enumerate(counters):
        if amount:
            totals[position] += sign * amount


def _case_rows(
    deltas: Deltas,
    rows: Iterable[tuple],
    top_code: dict[int, str],
    sign: int,
) -> None:
    """``rows``: (day, unit, path, category, kind, channel, division, counters)."""
    for day, unit, path, category, kind, channel, division, counters in rows:
        values = (
            (Dimension.NONE.value, ""),
            (Dimension.CATEGORY.value, top_code.get(category, "")),
            (Dimension.KIND.value, kind),
            (Dimension.CHANNEL.value, channel),
            (Dimension.DIVISION.value, division),
        )
        for grain, period in _periods(day):
            for dimension, value in values:
                _add(deltas, (grain, period, unit, dimension, value), path, "", counters, sign)


def _employer_rows(deltas: Deltas, rows: Iterable[tuple], sign: int) -> None:
    """``rows``: (day, unit, path, employer key, employer name, received, people)."""
    counters = [0] * len(COUNTERS)
    for day, unit, path, employer, name, received, people in rows:
        if not employer:
            continue
        counters[_RECEIVED], counters[_PEOPLE] = received, people
        label = name if sign > 0 else ""
        for grain, period in _periods(day):
            key = (grain, period, unit, Dimension.EMPLOYER.value, employer)
            _add(deltas, key, path, label, counters, sign)


def old_rows(days: Collection[datetime.date]) -> tuple[list[tuple], list[tuple]]:
    """The daily rows ``days`` hold now, before a refresh replaces them."""
    day_list = sorted(days)
    cases = [
        (*row[:7], row[7:])
        for row in DailyCaseStat.objects.filter(day__in=day_list).values_list(
            "day", "unit_id", "unit_path", "category_id", "kind", "channel", "division", *COUNTERS
        )
    ]
    employers = list(
        DailyEmployerStat.objects.filter(day__in=day_list).values_list(
            "day", "unit_id", "unit_path", "employer_key", "employer_name", "received", "people"
        )
    )
    return cases, employers


def deltas_of(
    old: tuple[list[tuple], list[tuple]], new: DayRows, top_code: dict[int, str]
) -> Deltas:
    """What the rollups must add (negative: subtract) for the new daily rows to replace the
    old ones; keys whose change is nothing are left out."""
    deltas: Deltas = {}
    old_cases, old_employers = old
    _case_rows(deltas, old_cases, top_code, -1)
    _case_rows(
        deltas,
        (
            (day, unit, new.paths[unit], category, kind, channel, division, counters)
            for (day, unit, category, kind, channel, division), counters in new.base.items()
        ),
        top_code,
        1,
    )
    _employer_rows(deltas, old_employers, -1)
    _employer_rows(
        deltas,
        (
            (day, unit, new.paths[unit], employer, name, received, people)
            for (day, unit, employer, *_dims), (received, people, name) in new.employers.items()
        ),
        1,
    )
    return {key: entry for key, entry in deltas.items() if any(entry[2])}


def _upsert_sql() -> str:
    table = connection.ops.quote_name(StatRollup._meta.db_table)
    columns = ["grain", "period", "unit_id", "unit_path", "dimension", "value", "label", *COUNTERS]
    placeholders = ", ".join(["%s"] * len(columns))
    increments = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in COUNTERS)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) "
        f"ON CONFLICT (grain, period, unit_id, dimension, value) DO UPDATE SET {increments}, "
        f"label = CASE WHEN excluded.label > {table}.label THEN excluded.label "
        f"ELSE {table}.label END"
    )


def _delete_zero_sql() -> str:
    table = connection.ops.quote_name(StatRollup._meta.db_table)
    zero = " AND ".join(f"{name} = 0" for name in COUNTERS)
    return (
        f"DELETE FROM {table} WHERE grain = %s AND period = %s AND unit_id = %s "
        f"AND dimension = %s AND value = %s AND {zero}"
    )


def _update_sql() -> str:
    table = connection.ops.quote_name(StatRollup._meta.db_table)
    increments = ", ".join(f"{name} = {name} + %s" for name in COUNTERS)
    return (
        f"UPDATE {table} SET {increments} WHERE grain = %s AND period = %s AND unit_id = %s "
        f"AND dimension = %s AND value = %s"
    )


def apply(deltas: Deltas) -> bool:
    """Add ``deltas`` to the month and year rollups and delete the rows left at zero; False
    when a row to subtract from is missing (the rollups drifted: the caller sums them again).

    A change with a subtraction updates its row in place: an inserted row may not hold a
    negative number, not even on its way to a conflict.
    """
    if not deltas:
        return True
    adapt = connection.ops.adapt_datefield_value
    grows, shrinks = [], []
    for (grain, period, unit, dimension, value), (path, label, totals) in sorted(
        deltas.items(), key=lambda item: item[0]
    ):
        if min(totals) < 0:
            shrinks.append([*totals, grain, adapt(period), unit, dimension, value])
        else:
            grows.append([grain, adapt(period), unit, path, dimension, value, label, *totals])
    with connection.cursor() as cursor:
        if shrinks:
            cursor.executemany(_update_sql(), shrinks)
            if cursor.rowcount != len(shrinks):
                return False
            # Only a row that lost something can have fallen to zero.
            cursor.executemany(_delete_zero_sql(), [row[len(COUNTERS) :] for row in shrinks])
        if grows:
            cursor.executemany(_upsert_sql(), grows)
    return True


def refresh_rollups(
    days: Collection[datetime.date],
    old: tuple[list[tuple], list[tuple]],
    new: DayRows,
    top_code: dict[int, str],
) -> None:
    """The rollups of ``days`` after their daily rows went from ``old`` to ``new``."""
    rollup_day_rows(set(days))
    if not apply(deltas_of(old, new, top_code)):
        rollup_days(set(days))
