"""The project's one working-day calendar: is a date a working day, and N working days later.

Every deadline in the project counts working days through these functions::

    is_workday(day) -> bool
    add_working_days(start, days) -> date
    working_days_between(start, end) -> int
    year_source(year) -> "table" | "package" | "weekdays"
    uncovered_years_ahead(days=60, today=None) -> list[int]

Where the answer for a date comes from, strongest first:

1. a ``CalendarDay`` row (entered by an administrator or imported): it overrides everything;
2. ``chinesecalendar`` for the years it knows (1.11 knows 2004-2026);
3. Monday to Friday. For a year the package does not know, that is right only if the
   administrators have entered the year's holidays and make-up days and marked the
   ``CalendarYear`` complete; otherwise it is a guess, logged as a warning once per process and
   year, and shown on the admin home while it lies within the next 60 days.

Speed: each year is computed once into a bitmap of its days and a running count of its working
days, so ``is_workday`` is an index and ``add_working_days`` a bisection, whatever ``days`` is.

Staying current across processes: the web servers and the task workers each hold their own
copy, so a version kept in one process's memory (or in the default per-process cache) would not
reach the others. Instead the calendar's version is read from the tables themselves: the row
counts and latest ``updated_at`` of ``CalendarDay`` and ``CalendarYear``, one small query,
made at most once every ``RECHECK_SECONDS`` per process. Any write (admin, import, a bulk
delete, the shell) changes it, so no writer can forget to bump a counter; another process sees
a change within ``RECHECK_SECONDS``, the writing process at once (its services call
``invalidate``). The one assumption is that the servers' clocks agree (NTP), since
``updated_at`` comes from the writer's clock.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from bisect import bisect_left
from calendar import isleap
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Literal

import chinese_calendar
from django.db import connection
from django.utils import timezone

from .models import CalendarDay, CalendarYear

logger = logging.getLogger("hotline.workdays")

YearSource = Literal["table", "package", "weekdays"]

# How stale another process's change may be before this process sees it.
RECHECK_SECONDS = 10.0
# How far ahead the admin home and the daily job look for a year nobody vouches for.
WARNING_DAYS = 60


@dataclass(frozen=True, slots=True)
class _Year:
    """One year's working days, computed once."""

    year: int
    first: int  # the ordinal of 1 January
    workdays: bytes  # 1 for a working day, by day of the year (0 = 1 January)
    counts: list[int]  # counts[i]: working days among the year's first i days

    @property
    def total(self) -> int:
        return self.counts[-1]


@dataclass(slots=True)
class _Snapshot:
    """The calendar tables as last read, and the years computed from them."""

    version: tuple[object, ...]
    entries: dict[date, bool]
    complete_years: frozenset[int]
    years: dict[int, _Year] = field(default_factory=dict)


_lock = threading.Lock()
_snapshot: _Snapshot | None = None
_checked_at = -math.inf
# Per process, never reset by a calendar change: the warning is about the year, not the rows.
_warned_years: set[int] = set()


def is_workday(day: date) -> bool:
    """True if ``day`` is a working day."""
    _require_date(day)
    year = _year(day.year)
    return bool(year.workdays[day.toordinal() - year.first])


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted).

    With ``days`` 0: ``start`` if it is a working day, else the next working day.
    """
    _require_date(start)
    if not isinstance(days, int):
        raise TypeError(f"days must be an int, not {type(days).__name__}")
    if days < 0:
        raise ValueError(f"days must not be negative (got {days})")
    if days == 0:
        if is_workday(start):
            return start
        days = 1
    year = _year(start.year)
    # The running count a date needs: the working days up to and including ``start``, plus days.
    target = year.counts[start.toordinal() - year.first + 1] + days
    while target > year.total:
        target -= year.total
        year = _year(year.year + 1)
    # The first day whose running count reaches the target is a working day: counts step by 1.
    return date.fromordinal(year.first + bisect_left(year.counts, target) - 1)


def working_days_between(start: date, end: date) -> int:
    """The number of working days in (start, end]: after ``start``, up to and including ``end``."""
    _require_date(start)
    _require_date(end)
    if end <= start:
        return 0
    first = _year(start.year)
    before_start = first.counts[start.toordinal() - first.first + 1]
    if start.year == end.year:
        return first.counts[end.toordinal() - first.first + 1] - before_start
    count = first.total - before_start
    for year in range(start.year + 1, end.year):
        count += _year(year).total
    last = _year(end.year)
    return count + last.counts[end.toordinal() - last.first + 1]


def year_source(year: int) -> YearSource:
    """Who vouches for ``year``'s calendar.

    "package" when ``chinesecalendar`` knows the year (single calendar days still override it),
    "table" when administrators marked the year complete in ``CalendarYear``, "weekdays" when
    nobody does and the dates without a calendar day are a Monday-Friday guess.
    """
    if _package_knows(year):
        return "package"
    if year in _current().complete_years:
        return "table"
    return "weekdays"


def uncovered_years_ahead(days: int = WARNING_DAYS, today: date | None = None) -> list[int]:
    """The years within the next ``days`` days (from ``today``) that fall back to Monday-Friday."""
    today = today or timezone.localdate()
    last = today + timedelta(days=days)
    return [year for year in range(today.year, last.year + 1) if year_source(year) == "weekdays"]


def invalidate() -> None:
    """Forget the cached years: the next question reads the tables again.

    The services that write calendar days and years call it, so the writing process sees its
    change at once; other processes see it within ``RECHECK_SECONDS``.
    """
    global _snapshot, _checked_at
    with _lock:
        _snapshot = None
        _checked_at = -math.inf


def reset_state() -> None:
    """For tests: forget the cached years and which years were already warned about."""
    invalidate()
    _warned_years.clear()


def _require_date(day: object) -> None:
    # A datetime is refused: its date in UTC is not the local date a deadline counts from.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, got {type(day).__name__}")


def _year(year: int) -> _Year:
    snapshot = _current()
    built = snapshot.years.get(year)
    if built is None:
        built = snapshot.years[year] = _build_year(year, snapshot)
    return built


def _current() -> _Snapshot:
    snapshot = _snapshot
    if snapshot is not None and time.monotonic() - _checked_at < RECHECK_SECONDS:
        return snapshot
    return _refresh()


def _refresh() -> _Snapshot:
    global _snapshot, _checked_at
    with _lock:
        # Read the version before the rows: rows newer than their version only cause one more
        # reload later, never a missed change.
        version = _read_version()
        snapshot = _snapshot
        if snapshot is None or snapshot.version != version:
            snapshot = _Snapshot(
                version=version,
                entries=dict(CalendarDay.objects.values_list("day", "is_workday")),
                complete_years=frozenset(
                    CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
                ),
            )
            _snapshot = snapshot
        _checked_at = time.monotonic()
        return snapshot


def _read_version() -> tuple[object, ...]:
    # One query for both tables. Raw SQL because the ORM cannot put two tables' aggregates in
    # one statement; the values are only compared with each other, never interpreted.
    quote = connection.ops.quote_name
    parts = []
    for model in (CalendarDay, CalendarYear):
        table = quote(model._meta.db_table)
        column = quote(model._meta.get_field("updated_at").column)
        parts.append(f"(SELECT COUNT(*) FROM {table}), (SELECT MAX({column}) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")
        return tuple(cursor.fetchone())


@cache
def _package_knows(year: int) -> bool:
    # The package's own range check, through its public API: it raises for years without data.
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _build_year(year: int, snapshot: _Snapshot) -> _Year:
    first = date(year, 1, 1).toordinal()
    length = 366 if isleap(year) else 365
    from_package = _package_knows(year)
    # The package's public tables: make-up working days and days off, by date.
    package_workdays, package_holidays = chinese_calendar.workdays, chinese_calendar.holidays
    workdays = bytearray(length)
    counts = [0] * (length + 1)
    for offset in range(length):
        day = date.fromordinal(first + offset)
        working = snapshot.entries.get(day)
        if working is None:
            if from_package:
                working = day in package_workdays or (
                    day.weekday() < 5 and day not in package_holidays
                )
            else:
                working = day.weekday() < 5
        workdays[offset] = working
        counts[offset + 1] = counts[offset] + working
    if not from_package and year not in snapshot.complete_years:
        _warn_once(year, snapshot)
    return _Year(year=year, first=first, workdays=bytes(workdays), counts=counts)


def _warn_once(year: int, snapshot: _Snapshot) -> None:
    with _lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    entered = sum(1 for day in snapshot.entries if day.year == year)
    logger.warning(
        "No official calendar for %d: chinesecalendar does not know the year and the calendar "
        "table does not mark it complete (%d calendar days entered). Dates without an entry "
        "count Monday to Friday as working days. Enter the year's holidays and make-up working "
        "days in the admin (工作日历) and mark the year complete.",
        year,
        entered,
    )
