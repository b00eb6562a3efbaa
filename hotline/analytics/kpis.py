"""The KPIs, their breakdowns, the ranking of units and the case volumes, for one user's scope.

The public reads of analytics; the pages, the API, the exports and the dashboard call these::

    kpis(user, KpiFilters(start, end, unit=, category=, kind=, channel=, division=))
    kpi_breakdown(user, filters, by="unit" | "category" | "kind" | "channel" | "division"
                  | "day" | "week" | "month")
    unit_ranking(user, filters, level="" | "prefecture" | "county", order="score" | <kpi key>)
    case_volume(user, filters, by="day" | "month" | "category" | "prefecture" | "county"
                | "employer", limit=10)
    periods("day" | "week" | "month" | "year", today) -> (start, end)

Figures come from the aggregates (``hotline.analytics.reads``), always inside the user's subtree:
``unit`` must be an organization the user may see, ``division`` a division inside theirs, or the
read answers ``NotFound``; the figures of a unit are those of its whole subtree. Days are local
(Asia/Shanghai) and ``end`` is included. The definitions are in ``hotline.analytics.definitions``,
the day and unit each figure belongs to in ``hotline.analytics.facts``. ``source="raw"`` walks
the cases instead of reading the aggregates (for checks; slow).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from hotline.accounts.models import Role
from hotline.cases.states import Channel, Kind
from hotline.core.errors import DomainError
from hotline.organizations.models import Division, DivisionLevel, Level, Organization

from . import reads, recompute
from .definitions import DEFINITIONS, Kpi, build_kpis, score
from .models import COUNTERS
from .reads import AGGREGATES, RAW, Counts, Scope
from .refresh import freshness
from .rollups import month_start, next_month

if TYPE_CHECKING:
    from hotline.accounts.models import User

__all__ = [
    "AGGREGATES",
    "ANALYTICS_ROLES",
    "BREAKDOWNS",
    "RAW",
    "VOLUMES",
    "BreakdownRow",
    "Kpi",
    "KpiFilters",
    "RankingRow",
    "VolumeRow",
    "case_volume",
    "freshness",
    "kpi_breakdown",
    "kpis",
    "period_bounds",
    "periods",
    "require_analytics_role",
    "totals",
    "unit_ranking",
]

# Who looks at figures: leaders and supervisors, at every level, for their own subtree.
ANALYTICS_ROLES = (Role.LEADER, Role.SUPERVISOR)

PERIOD_KINDS = ("day", "week", "month", "year")
BREAKDOWNS = ("unit", "category", "kind", "channel", "division", "day", "week", "month")
VOLUMES = ("day", "month", "category", "prefecture", "county", "employer")
RANKING_LEVELS = ("", Level.PREFECTURE, Level.COUNTY)
# Children listed even when they have no figures: the federations a level down.
FEDERATION_LEVELS = frozenset({Level.PREFECTURE, Level.COUNTY, Level.INDUSTRIAL})


@dataclass(frozen=True)
class KpiFilters:
    """Whose figures and which: local days ``start`` to ``end`` (both included), a unit's subtree
    (default: the user's organization), a category code (a top-level code includes its
    subcategories), a kind, a channel, a workplace division (GB/T 2260 code and below)."""

    start: datetime.date
    end: datetime.date
    unit: int | None = None
    category: str = ""
    kind: str = ""
    channel: str = ""
    division: str = ""


@dataclass(frozen=True)
class BreakdownRow:
    """One row of a breakdown; iterates as ``(label, kpis)``."""

    label: str
    kpis: list[Kpi]
    key: str = ""
    received: int = 0
    counts: dict[str, int] | None = None
    is_own: bool = False  # the unit itself, in a breakdown by unit

    def __iter__(self) -> Iterator[Any]:
        yield self.label
        yield self.kpis


@dataclass(frozen=True)
class RankingRow:
    rank: int | None  # None: no figures to rank by
    unit: Organization
    kpis: list[Kpi]
    score: float | None
    received: int

    @property
    def kpi(self) -> dict[str, Kpi]:
        return {kpi.key: kpi for kpi in self.kpis}


@dataclass(frozen=True)
class VolumeRow:
    key: str
    label: str
    cases: int
    people: int = 0


def periods(kind: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The day, the week (Monday to Sunday), the month or the year ``today`` falls in."""
    if kind == "day":
        return today, today
    if kind == "week":
        monday = today - datetime.timedelta(days=today.weekday())
        return monday, monday + datetime.timedelta(days=6)
    if kind == "month":
        first = month_start(today)
        return first, next_month(first) - datetime.timedelta(days=1)
    if kind == "year":
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    raise DomainError(
        "analytics.invalid_period",
        _("The period is not valid."),
        fields={"period": _("Day, week, month or year.")},
    )


PERIOD_CHOICES = (*PERIOD_KINDS, "custom")


def period_bounds(
    period: str,
    *,
    today: datetime.date,
    day: datetime.date | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> tuple[datetime.date, datetime.date]:
    """The days a request asks for: the ``period`` (day, week, month, year) around ``day``
    (default ``today``), or ``start`` to ``end`` for ``"custom"``."""
    if period != "custom":
        return periods(period, day or today)
    missing = {
        name: _("Give the first and the last day.")
        for name, value in (("start", start), ("end", end))
        if value is None
    }
    if missing:
        raise DomainError("analytics.invalid_period", _("The period is not valid."), fields=missing)
    assert start is not None and end is not None
    return start, end


def require_analytics_role(user: User) -> None:
    """Figures are for leaders and supervisors: refuse anyone else (403)."""
    if not user.is_authenticated or not user.has_role(*ANALYTICS_ROLES):
        raise DomainError(
            "analytics.role_required", _("Your role does not allow this."), status=403
        )


def _scope(user: User, filters: KpiFilters, *, need_categories: bool = False) -> Scope:
    return reads.resolve_scope(
        user,
        start=filters.start,
        end=filters.end,
        unit=filters.unit,
        category=filters.category,
        kind=filters.kind,
        channel=filters.channel,
        division=filters.division,
        need_categories=need_categories,
    )


def _grouped(scope: Scope, group: str | None, source: str, prefix_length: int = 0) -> dict:
    if source == RAW:
        return recompute.raw_grouped(scope, group, prefix_length=prefix_length)
    if source != AGGREGATES:
        raise ValueError(f"unknown source {source!r}")
    return reads.grouped(scope, group, prefix_length=prefix_length)


def _zero() -> Counts:
    return dict.fromkeys(COUNTERS, 0)


def totals(user: User, filters: KpiFilters, *, source: str = AGGREGATES) -> Counts:
    """Every counter of the filtered figures, summed (the KPIs' numerators and denominators,
    and the volume: ``received``, ``people``)."""
    found = _grouped(_scope(user, filters), None, source)
    return found.get(None) or _zero()


def kpis(user: User, filters: KpiFilters, *, source: str = AGGREGATES) -> list[Kpi]:
    """The eight KPIs of the filtered figures, each with its numerator and denominator."""
    return build_kpis(totals(user, filters, source=source))


def kpi_breakdown(
    user: User, filters: KpiFilters, by: str, *, source: str = AGGREGATES
) -> list[BreakdownRow]:
    """The KPIs per unit (the children of the unit, and the unit itself), category (top-level;
    within a category filter, its subcategories), kind, channel, workplace division (one level
    below the filter's or the unit's division), or per day, week or month of the period."""
    if by not in BREAKDOWNS:
        raise DomainError(
            "analytics.invalid_breakdown",
            _("Unknown breakdown."),
            fields={"by": _("Choose one of: %(expected)s.") % {"expected": ", ".join(BREAKDOWNS)}},
        )
    scope = _scope(user, filters, need_categories=by == "category")
    if by == "unit":
        return _by_unit(scope, source)
    if by == "division":
        return _rows(_by_division(scope, _grouped(scope, "division", source)))
    found = _grouped(scope, by, source)
    if by in reads.TIME_GROUPS:
        return _rows(_by_time(scope, by, found))
    return _rows(_labelled(scope, by, found))


def _rows(entries: list[tuple[str, str, Counts]]) -> list[BreakdownRow]:
    return [
        BreakdownRow(
            label=label,
            kpis=build_kpis(counts),
            key=key,
            received=counts["received"],
            counts=counts,
        )
        for key, label, counts in entries
    ]


def _unit_rows(
    scope: Scope, source: str
) -> tuple[list[Organization], dict[str, Counts], Counts | None]:
    """The unit's children that have figures or are federations, their figures by path, and
    the figures of the unit's own rows (None when it has none)."""
    length = reads.child_prefix_length(scope.unit)
    found = _grouped(scope, "unit", source, prefix_length=length)
    children = [
        child
        for child in Organization.objects.filter(parent=scope.unit).order_by("path")
        if child.path in found or (child.level in FEDERATION_LEVELS and child.is_active)
    ]
    return children, found, found.get(scope.unit.path)


def _by_unit(scope: Scope, source: str) -> list[BreakdownRow]:
    children, found, own = _unit_rows(scope, source)
    rows = []
    if own is not None:
        rows.append(
            BreakdownRow(
                label=_("%(name)s (itself)") % {"name": scope.unit.name},
                kpis=build_kpis(own),
                key=str(scope.unit.pk),
                received=own["received"],
                counts=own,
                is_own=True,
            )
        )
    for child in children:
        counts = found.get(child.path) or _zero()
        rows.append(
            BreakdownRow(
                label=child.name,
                kpis=build_kpis(counts),
                key=str(child.pk),
                received=counts["received"],
                counts=counts,
            )
        )
    return rows


def _labelled(scope: Scope, by: str, found: dict) -> list[tuple[str, str, Counts]]:
    if by == "category":
        categories = scope.categories
        assert categories is not None
        order = list(categories.name_of)
        keys = sorted(found, key=lambda code: order.index(code) if code in order else len(order))
        return [(key, categories.name_of.get(key, key), found[key]) for key in keys]
    choices = Kind if by == "kind" else Channel
    labels = dict(choices.choices)
    order = list(labels)
    keys = sorted(found, key=lambda value: order.index(value) if value in order else len(order))
    return [(key, str(labels.get(key, key)), found[key]) for key in keys]


def _division_level_below(scope: Scope) -> str:
    base = scope.division or scope.unit.division
    if base.level == DivisionLevel.PROVINCE:
        return DivisionLevel.PREFECTURE
    return DivisionLevel.COUNTY


def _division_key(code: str, level: str) -> str:
    if not code:
        return ""
    if level == DivisionLevel.PREFECTURE:
        return code if code.endswith("0000") else code[:4] + "00"
    return code


def _by_division(
    scope: Scope, found: dict, level: str | None = None, *, all_divisions: bool = False
) -> list[tuple[str, str, Counts]]:
    """Figures keyed by workplace division code, summed to ``level`` (default: one level below
    the scope's division); with ``all_divisions``, every division of that level in scope."""
    level = level or _division_level_below(scope)
    summed: dict[str, Counts] = {}
    for code, counts in found.items():
        reads.add_counts(summed, _division_key(code or "", level), counts)
    prefix = scope.division_prefix or (scope.unit.division.prefix if scope.unit.parent_id else "")
    if level == DivisionLevel.PREFECTURE:
        prefix = prefix[:4]
    found_codes = [code for code in summed if code]
    wanted = Q(code__in=found_codes)
    if all_divisions:
        wanted |= Q(level=level, code__startswith=prefix)
    names = dict(Division.objects.filter(wanted).order_by("code").values_list("code", "name"))
    keys = sorted(set(names) | set(found_codes))
    entries = [(code, names.get(code, code), summed.get(code) or _zero()) for code in keys]
    if "" in summed:
        entries.append(("", _("Workplace not given"), summed[""]))
    return entries


def _time_buckets(scope: Scope, by: str) -> list[tuple[datetime.date, str]]:
    """Every day, week (from its Monday) or month of the period, with its label."""
    buckets = []
    if by == "day":
        day = scope.start
        while day <= scope.end:
            buckets.append((day, day.isoformat()))
            day += datetime.timedelta(days=1)
    elif by == "week":
        monday = scope.start - datetime.timedelta(days=scope.start.weekday())
        while monday <= scope.end:
            sunday = monday + datetime.timedelta(days=6)
            buckets.append((monday, f"{monday.isoformat()} ~ {sunday:%m-%d}"))
            monday += datetime.timedelta(days=7)
    else:
        month = month_start(scope.start)
        while month <= scope.end:
            buckets.append((month, f"{month:%Y-%m}"))
            month = next_month(month)
    return buckets


def _bucket_of(day: datetime.date, by: str) -> datetime.date:
    if by == "week":
        return day - datetime.timedelta(days=day.weekday())
    if by == "month":
        return month_start(day)
    return day


def _by_time(scope: Scope, by: str, found: dict) -> list[tuple[str, str, Counts]]:
    summed: dict[datetime.date, Counts] = {}
    for day, counts in found.items():
        reads.add_counts(summed, _bucket_of(day, by), counts)
    return [
        (start.isoformat(), label, summed.get(start) or _zero())
        for start, label in _time_buckets(scope, by)
    ]


def unit_ranking(
    user: User,
    filters: KpiFilters,
    *,
    level: str = "",
    order: str = "score",
    source: str = AGGREGATES,
) -> list[RankingRow]:
    """The handling units ranked (the monthly assessment): the unit's children, or every
    federation of ``level`` in its subtree; by the assessment score (``definitions.score``) or
    by one KPI, best first. Units without figures come last, unranked."""
    if level not in RANKING_LEVELS:
        raise DomainError(
            "analytics.invalid_level",
            _("Unknown level."),
            fields={"level": _("Prefecture or county federations, or the units directly below.")},
        )
    if order != "score" and order not in DEFINITIONS:
        raise DomainError(
            "analytics.invalid_order", _("Unknown order."), fields={"order": _("Unknown order.")}
        )
    scope = _scope(user, filters)
    if level:
        units = list(
            Organization.objects.filter(path__startswith=scope.path, level=level).order_by("path")
        )
        found: dict[str, Counts] = {}
        for length in sorted({len(unit.path) for unit in units}):
            found.update(_grouped(scope, "unit", source, prefix_length=length))
    else:
        units, found, _own = _unit_rows(scope, source)
    rows = []
    for unit in units:
        counts = found.get(unit.path) or _zero()
        unit_kpis = build_kpis(counts)
        rows.append((unit, unit_kpis, score(unit_kpis), counts["received"]))
    return _ranked(rows, order)


def _ranked(rows: list[tuple[Organization, list[Kpi], float | None, int]], order: str) -> list:
    def measure(row: tuple[Organization, list[Kpi], float | None, int]) -> float | None:
        if order == "score":
            return row[2]
        value = next(kpi.value for kpi in row[1] if kpi.key == order)
        if value is None:
            return None
        return value if DEFINITIONS[order].higher_is_better else -value

    ordered = sorted(
        rows, key=lambda row: (measure(row) is None, -(measure(row) or 0.0), row[0].path)
    )
    ranked: list[RankingRow] = []
    previous: float | None = None
    rank = 0
    for position, row in enumerate(ordered, start=1):
        value = measure(row)
        if value is not None and value != previous:
            rank = position
        previous = value
        ranked.append(
            RankingRow(
                rank=rank if value is not None else None,
                unit=row[0],
                kpis=row[1],
                score=row[2],
                received=row[3],
            )
        )
    return ranked


def case_volume(
    user: User,
    filters: KpiFilters,
    by: str = "day",
    *,
    limit: int = 10,
    source: str = AGGREGATES,
) -> list[VolumeRow]:
    """Requests received, per day or month of the period (every one, zeros too), per top-level
    category, per prefecture or county of the workplace (every one in scope, for the map), or
    the ``limit`` employers with the most requests."""
    if by not in VOLUMES:
        raise DomainError(
            "analytics.invalid_breakdown",
            _("Unknown breakdown."),
            fields={"by": _("Choose one of: %(expected)s.") % {"expected": ", ".join(VOLUMES)}},
        )
    scope = _scope(user, filters, need_categories=by == "category")
    if by == "employer":
        read = recompute.raw_employer_counts if source == RAW else reads.employer_counts
        return [
            VolumeRow(key=key, label=name, cases=received, people=people)
            for key, name, received, people in read(scope, max(1, min(limit, 100)))
        ]
    if by in ("prefecture", "county"):
        found = _grouped(scope, "division", source)
        entries = _by_division(scope, found, by, all_divisions=True)
    elif by == "category":
        entries = _labelled(scope, by, _grouped(scope, "category", source))
    else:
        entries = _by_time(scope, by, _grouped(scope, by, source))
    return [
        VolumeRow(key=key, label=label, cases=counts["received"], people=counts["people"])
        for key, label, counts in entries
    ]
