"""Keeping the aggregates equal to the cases: recompute whole days from the cases' events.

A day's rows are always recomputed from scratch (every case with a fact on that day, walked
through all its events), never patched; so a refresh cannot drift, and running one twice changes
nothing. Which days to recompute:

- ``refresh()``, every five minutes (``hotline.analytics.tasks``): the cases that got a fact event
  since the last refresh (with a ten-minute overlap for transactions still open then), and every
  day on which those cases have facts (a follow-up today changes the day of the resolution; a
  dispatch moves the request to another unit on the day it was received).
- ``refresh(since=...)`` nightly over the last two days, as a safety net: what the events of
  those days touched, and those days themselves.
- ``rebuild(first, last)``: every day of a range (``manage.py rebuild_analytics``); the whole
  history when the figures were never built (the first refresh does it).

Each refresh runs in one transaction holding ``AggregateState``'s row lock: readers see the old
figures until it commits, and two refreshes never interleave. The months and years of the
recomputed days follow in the same transaction: moved by the days' difference
(``hotline.analytics.deltas``) every five minutes, summed again from the daily rows by the nightly
refresh and by a rebuild.

What writes history behind the services with moments in the past (the demo loader, the benchmark
generator) must rebuild afterwards: a refresh only looks at events recorded since the last one.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.cases.deadlines import local_date
from hotline.cases.models import Case, CaseEvent
from hotline.organizations.models import Organization

from . import deltas
from .facts import (
    FACT_ACTIONS,
    INDEX,
    case_facts,
    cases_with_facts_on,
    fact_days_of,
    load_cases,
)
from .models import COUNTERS, AggregateState, DailyCaseStat, DailyEmployerStat, StatRollup
from .reads import Categories
from .rollups import month_start, next_month, rollup_days, rollup_year

logger = logging.getLogger("hotline.analytics")

# Transactions that recorded events may still be open when a refresh starts: look this far back.
OVERLAP = datetime.timedelta(minutes=10)
BATCH = 2000

# (day, unit, category, kind, channel, division)
BaseKey = tuple[datetime.date, int, int, str, str, str]
# (day, unit, employer key, category, kind, channel, division)
EmployerKey = tuple[datetime.date, int, str, int, str, str, str]


@dataclass
class DayRows:
    """The daily rows of some days, as computed from the cases (not yet written)."""

    base: dict[BaseKey, list[int]]
    employers: dict[EmployerKey, list[object]]  # [received, people, employer name]
    paths: dict[int, str]
    cases: int = 0


def compute_days(days: Collection[datetime.date]) -> DayRows:
    """The daily rows of ``days``, from every case with a fact on one of them."""
    wanted = set(days)
    base: dict[BaseKey, list[int]] = {}
    employers: dict[EmployerKey, list[object]] = {}
    case_ids = cases_with_facts_on(wanted)
    received, people = INDEX["received"], INDEX["people"]
    for case, events in load_cases(case_ids):
        dims = (case.category_id, case.kind, case.channel, case.division)
        for (day, unit), counters in case_facts(case, events).items():
            if day not in wanted:
                continue
            key = (day, unit, *dims)
            row = base.get(key)
            if row is None:
                base[key] = list(counters)
            else:
                for position, amount in enumerate(counters):
                    row[position] += amount
            if counters[received] and case.employer_key:
                employer_key = (day, unit, case.employer_key, *dims)
                entry = employers.get(employer_key)
                if entry is None:
                    employers[employer_key] = [1, counters[people], case.employer_name]
                else:
                    entry[0] += 1  # type: ignore[operator]
                    entry[1] += counters[people]  # type: ignore[operator]
    units = {key[1] for key in base}
    paths = dict(Organization.objects.filter(pk__in=units).values_list("pk", "path"))
    return DayRows(base=base, employers=employers, paths=paths, cases=len(case_ids))


def _write_days(days: Collection[datetime.date], rows: DayRows) -> None:
    """Replace the daily rows of ``days`` with ``rows``."""
    day_list = sorted(set(days))
    DailyCaseStat.objects.filter(day__in=day_list).delete()
    DailyEmployerStat.objects.filter(day__in=day_list).delete()
    DailyCaseStat.objects.bulk_create(
        (
            DailyCaseStat(
                day=day,
                unit_id=unit,
                unit_path=rows.paths[unit],
                category_id=category,
                kind=kind,
                channel=channel,
                division=division,
                **dict(zip(COUNTERS, counters, strict=True)),
            )
            for (day, unit, category, kind, channel, division), counters in rows.base.items()
        ),
        batch_size=BATCH,
    )
    DailyEmployerStat.objects.bulk_create(
        (
            DailyEmployerStat(
                day=day,
                unit_id=unit,
                unit_path=rows.paths[unit],
                employer_key=employer_key,
                employer_name=str(name)[:200],
                category_id=category,
                kind=kind,
                channel=channel,
                division=division,
                received=count,
                people=people,
            )
            for (day, unit, employer_key, category, kind, channel, division), (
                count,
                people,
                name,
            ) in rows.employers.items()
        ),
        batch_size=BATCH,
    )


def recompute_days(
    days: Collection[datetime.date], *, years: bool = True, moved: bool = False
) -> int:
    """Recompute the daily rows of ``days`` and their rollups (inside the caller's
    transaction); the number of cases walked.

    The months' and (unless ``years`` is false) the years' rollups are summed again from the
    daily rows; with ``moved``, they are instead moved by the difference between the days' old
    and new rows (``hotline.analytics.deltas``: what the five-minute refresh does).
    """
    wanted = set(days)
    if not wanted:
        return 0
    old = deltas.old_rows(wanted) if moved else None
    rows = compute_days(wanted)
    _write_days(wanted, rows)
    if old is not None:
        deltas.refresh_rollups(wanted, old, rows, Categories.load().top_code)
    else:
        rollup_days(wanted, years=years)
    return rows.cases


def _locked_state() -> AggregateState:
    AggregateState.objects.get_or_create(pk=1)
    return AggregateState.objects.select_for_update().get(pk=1)


@dataclass(frozen=True)
class RefreshResult:
    days: int
    cases: int
    full: bool = False

    def __str__(self) -> str:
        # A rebuild walks a case once per month it has facts in: walks, not distinct cases.
        kind = "rebuilt" if self.full else "refreshed"
        return f"{kind} {self.days} day(s), {self.cases} case histories walked"


def refresh(*, since: datetime.datetime | None = None) -> RefreshResult:
    """Bring the figures up to date with the events recorded since the last refresh; the first
    refresh ever builds the whole history. With ``since``: the events recorded since then, and
    every day from then to today."""
    with transaction.atomic():
        state = _locked_state()
        started = timezone.now()
        given_since = since is not None
        if state.refreshed_at is None and not given_since:
            return _rebuild_locked(state, None, None, started, progress=None)
        since = since if since is not None else state.refreshed_at - OVERLAP  # type: ignore[operator]
        changed = set(
            CaseEvent.objects.filter(created_at__gte=since, action__in=FACT_ACTIONS)
            .order_by()
            .values_list("case_id", flat=True)
            .distinct()
        )
        changed |= set(Case.objects.filter(created_at__gte=since).values_list("pk", flat=True))
        days = fact_days_of(changed)
        if given_since:
            # Every day since then as well: what no event points at (a case deleted behind the
            # services' back, as the benchmarks do) is recomputed too.
            first = local_date(since)
            days |= {
                first + datetime.timedelta(days=offset)
                for offset in range((local_date(started) - first).days + 1)
            }
        # The nightly run sums the rollups again from scratch: nothing drifts past a day.
        cases = recompute_days(days, moved=not given_since)
        if state.refreshed_at is None or state.refreshed_at < started:
            state.refreshed_at = started
            state.save(update_fields=["refreshed_at"])
    return RefreshResult(days=len(days), cases=cases)


def rebuild(
    first: datetime.date | None = None,
    last: datetime.date | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> RefreshResult:
    """Recompute every day from ``first`` to ``last`` (default: the whole history, and the
    figures are then as fresh as the start of the rebuild), one month at a time, in one
    transaction."""
    with transaction.atomic():
        state = _locked_state()
        return _rebuild_locked(state, first, last, timezone.now(), progress=progress)


def _history_bounds(moment: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    first_case = Case.objects.order_by("created_at").values_list("created_at", flat=True).first()
    first_event = (
        CaseEvent.objects.order_by("created_at").values_list("created_at", flat=True).first()
    )
    moments = [value for value in (first_case, first_event) if value is not None]
    today = local_date(moment)
    return (local_date(min(moments)) if moments else today), today


def _rebuild_locked(
    state: AggregateState,
    first: datetime.date | None,
    last: datetime.date | None,
    started: datetime.datetime,
    *,
    progress: Callable[[str], None] | None,
) -> RefreshResult:
    whole = first is None and last is None
    history_first, history_last = _history_bounds(started)
    first = first or history_first
    last = last or history_last
    if whole:
        # Nothing outside the history may survive (figures of deleted test data, say).
        DailyCaseStat.objects.all().delete()
        DailyEmployerStat.objects.all().delete()
        StatRollup.objects.all().delete()
    days = cases = 0
    month = month_start(first)
    while month <= last:
        span_first, span_last = max(first, month), min(last, next_month(month) - _ONE_DAY)
        month_days = {
            span_first + datetime.timedelta(days=offset)
            for offset in range((span_last - span_first).days + 1)
        }
        walked = recompute_days(month_days, years=False)
        days += len(month_days)
        cases += walked
        if progress is not None:
            progress(f"{month:%Y-%m}: {len(month_days)} day(s), {walked} case(s)")
        month = next_month(month)
    for year in range(first.year, last.year + 1):
        rollup_year(datetime.date(year, 1, 1))
    state.rebuilt_at = started
    fields = ["rebuilt_at"]
    if whole:
        state.refreshed_at = started
        fields.append("refreshed_at")
    state.save(update_fields=fields)
    logger.info("Analytics rebuilt from %s to %s: %d case histories walked.", first, last, cases)
    return RefreshResult(days=days, cases=cases, full=True)


_ONE_DAY = datetime.timedelta(days=1)


def summary(result: RefreshResult) -> str:
    """One sentence for ``load_demo``'s output."""
    return _("Figures: %(days)s days computed.") % {"days": result.days}


def freshness() -> datetime.datetime | None:
    """Every event recorded before this moment is in the figures (None: never built)."""
    return AggregateState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
