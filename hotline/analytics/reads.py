"""Reading the aggregates: the filters checked against the user's scope, the period split into
whole years, whole months and loose days, and each part read from the smallest table that holds it.

Where a part is read from:

- no dimension filter or breakdown: whole years, months and loose days from ``StatRollup``;
- just one (a top-level category, a kind, a channel, a workplace division): whole years and
  months from ``StatRollup``, loose days from ``DailyCaseStat``;
- more than one dimension at once, or a subcategory: ``DailyCaseStat`` for the whole period
  (slower: every daily row of the period, see docs/benchmarks.md).

Every read is limited to the unit's subtree by ``unit_path`` (the unit is the user's own
organization or one they may see, ``hotline.organizations.scoping``). ``source=RAW`` reads the
same figures by walking the cases themselves (``hotline.analytics.recompute``), which is how the
tests prove that the aggregates equal a recomputation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from hotline.cases.models import Category
from hotline.cases.selectors import sees_by_subtree
from hotline.cases.states import Channel, Kind
from hotline.core.errors import DomainError
from hotline.organizations.models import PATH_STEP, Division, DivisionLevel, Organization
from hotline.organizations.scoping import get_visible_division, get_visible_organization

from .models import COUNTERS, DailyCaseStat, DailyEmployerStat, Dimension, Grain, StatRollup
from .rollups import month_start, next_month

if TYPE_CHECKING:
    from hotline.accounts.models import User

AGGREGATES = "aggregates"
RAW = "raw"
# The longest period a read accepts: ten years of days.
MAX_PERIOD_DAYS = 3660

# Breakdowns by a dimension of the case, and by time.
DIMENSION_GROUPS = ("category", "kind", "channel", "division")
TIME_GROUPS = ("day", "week", "month")

Counts = dict[str, int]


@dataclass(frozen=True)
class Categories:
    """The category table, read once: codes, ids and each category's top-level code."""

    by_code: dict[str, tuple[int, int | None]]  # code -> (id, parent id)
    top_code: dict[int, str]  # id -> its top-level category's code
    code_of: dict[int, str]
    name_of: dict[str, str]  # code -> name

    @classmethod
    def load(cls) -> Categories:
        rows = list(Category.objects.values_list("pk", "code", "parent_id", "name"))
        code_of = {pk: code for pk, code, _parent, _name in rows}
        return cls(
            by_code={code: (pk, parent) for pk, code, parent, _name in rows},
            top_code={pk: code_of[parent] if parent else code for pk, code, parent, _name in rows},
            code_of=code_of,
            name_of={code: name for _pk, code, _parent, name in rows},
        )


@dataclass(frozen=True)
class Scope:
    """Checked filters: whose figures, over which days, narrowed by which dimensions."""

    unit: Organization
    start: datetime.date
    end: datetime.date
    category: str = ""
    category_ids: tuple[int, ...] = ()
    category_is_top: bool = False
    kind: str = ""
    channel: str = ""
    division: Division | None = None
    categories: Categories | None = field(default=None, compare=False)

    @property
    def path(self) -> str:
        return self.unit.path

    @property
    def division_prefix(self) -> str:
        if self.division is None or self.division.level == DivisionLevel.PROVINCE:
            return ""
        return self.division.prefix

    def dimensions(self) -> set[str]:
        """The dimensions the figures are narrowed by."""
        found = set()
        if self.category:
            found.add("category" if self.category_is_top else "subcategory")
        if self.kind:
            found.add("kind")
        if self.channel:
            found.add("channel")
        if self.division_prefix:
            found.add("division")
        return found


def _invalid(code: str, message: str, name: str, reason: str) -> DomainError:
    return DomainError(code, message, fields={name: reason})


def resolve_scope(
    user: User,
    *,
    start: datetime.date,
    end: datetime.date,
    unit: int | None = None,
    category: str = "",
    kind: str = "",
    channel: str = "",
    division: str = "",
    need_categories: bool = False,
) -> Scope:
    """The filters checked: a unit or division outside the user's scope is not found (404), a
    bad period, kind, channel or category is refused (400) and nothing is read."""
    if not user.is_authenticated or not user.is_active or not sees_by_subtree(user):
        raise DomainError(
            "analytics.no_scope", _("You have no organization's figures to see."), status=403
        )
    if start > end:
        raise _invalid(
            "analytics.invalid_period",
            _("The period is not valid."),
            "end",
            _("The end comes before the start."),
        )
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise _invalid(
            "analytics.invalid_period",
            _("The period is not valid."),
            "start",
            _("At most ten years at once."),
        )
    if kind and kind not in Kind.values:
        raise _invalid("analytics.invalid_filter", _("Unknown kind."), "kind", _("Unknown kind."))
    if channel and channel not in Channel.values:
        raise _invalid(
            "analytics.invalid_filter", _("Unknown channel."), "channel", _("Unknown channel.")
        )
    organization = get_visible_organization(user, unit) if unit else user.organization
    found_division = get_visible_division(user, division) if division else None
    categories = Categories.load() if (category or need_categories) else None
    category_ids: tuple[int, ...] = ()
    is_top = False
    if category:
        assert categories is not None
        entry = categories.by_code.get(category)
        if entry is None:
            raise _invalid(
                "analytics.unknown_category",
                _("Unknown category."),
                "category",
                _("Choose a category from the list."),
            )
        pk, parent = entry
        is_top = parent is None
        category_ids = tuple(
            sorted(cid for cid, top in categories.top_code.items() if top == category)
            if is_top
            else (pk,)
        )
    return Scope(
        unit=organization,
        start=start,
        end=end,
        category=category,
        category_ids=category_ids,
        category_is_top=is_top,
        kind=kind,
        channel=channel,
        division=found_division,
        categories=categories,
    )


# --- splitting a period ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pieces:
    years: list[datetime.date]
    months: list[datetime.date]
    days: list[tuple[datetime.date, datetime.date]]  # runs of loose days


def split(
    start: datetime.date, end: datetime.date, *, years: bool = True, months: bool = True
) -> Pieces:
    """``start``..``end`` as whole years, whole months and the days left over."""
    found = Pieces(years=[], months=[], days=[])
    loose: list[datetime.date] = []
    day = start
    while day <= end:
        if years and day.month == 1 and day.day == 1 and datetime.date(day.year, 12, 31) <= end:
            found.years.append(day)
            day = datetime.date(day.year + 1, 1, 1)
        elif months and day.day == 1 and next_month(day) - datetime.timedelta(days=1) <= end:
            found.months.append(day)
            day = next_month(day)
        else:
            # Jump to the next possible month start rather than stepping day by day.
            stop = min(end, next_month(month_start(day)) - datetime.timedelta(days=1))
            loose.append(day)
            loose.append(stop)
            day = stop + datetime.timedelta(days=1)
    found.days.extend(_runs_from_bounds(loose))
    return found


def _runs_from_bounds(bounds: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    runs: list[tuple[datetime.date, datetime.date]] = []
    for first, last in zip(bounds[::2], bounds[1::2], strict=True):
        if runs and runs[-1][1] + datetime.timedelta(days=1) == first:
            runs[-1] = (runs[-1][0], last)
        else:
            runs.append((first, last))
    return runs


# --- the reads ---------------------------------------------------------------------------------


def _sums(names: Iterable[str] = COUNTERS) -> dict[str, Sum]:
    return {name: Sum(name) for name in names}


def _counts(row: dict[str, Any], names: Iterable[str] = COUNTERS) -> Counts:
    return {name: int(row.get(name) or 0) for name in names}


def add_counts(into: dict[Any, Counts], key: Any, counts: Counts) -> None:
    existing = into.get(key)
    if existing is None:
        into[key] = dict(counts)
    else:
        for name, amount in counts.items():
            existing[name] = existing.get(name, 0) + amount


def _days_q(runs: Iterable[tuple[datetime.date, datetime.date]], name: str = "day") -> Q:
    condition = Q(pk__in=[])
    for first, last in runs:
        condition |= Q(**{f"{name}__gte": first, f"{name}__lte": last})
    return condition


def _base_rows(
    scope: Scope,
    runs: list[tuple[datetime.date, datetime.date]],
    model: type[DailyCaseStat] | type[DailyEmployerStat] = DailyCaseStat,
) -> QuerySet:
    """The daily rows of ``model`` (the case counters, or the employer counters, which share
    the same keys) for ``runs`` of days inside ``scope`` and its filters."""
    rows = model.objects.filter(_days_q(runs), unit_path__startswith=scope.path)
    if scope.category_ids:
        rows = rows.filter(category_id__in=scope.category_ids)
    if scope.kind:
        rows = rows.filter(kind=scope.kind)
    if scope.channel:
        rows = rows.filter(channel=scope.channel)
    if scope.division_prefix:
        rows = rows.filter(division__startswith=scope.division_prefix)
    return rows


def _rollup_rows(scope: Scope, dimension: str, pieces: Pieces, *, days: bool = False) -> QuerySet:
    """The rollup rows of ``pieces``' years and months (and, with ``days``, of its loose days:
    only the all-dimensions rows have a day grain)."""
    periods = Q(grain=Grain.YEAR, period__in=pieces.years) | Q(
        grain=Grain.MONTH, period__in=pieces.months
    )
    if days:
        for first, last in pieces.days:
            periods |= Q(grain=Grain.DAY, period__gte=first, period__lte=last)
    rows = StatRollup.objects.filter(periods, dimension=dimension, unit_path__startswith=scope.path)
    if dimension == Dimension.CATEGORY and scope.category:
        rows = rows.filter(value=scope.category)
    elif dimension == Dimension.KIND and scope.kind:
        rows = rows.filter(value=scope.kind)
    elif dimension == Dimension.CHANNEL and scope.channel:
        rows = rows.filter(value=scope.channel)
    elif dimension == Dimension.DIVISION and scope.division_prefix:
        rows = rows.filter(value__startswith=scope.division_prefix)
    return rows


def _rollup_dimension(scope: Scope, group: str | None) -> str | None:
    """The one rollup dimension that answers ``scope`` grouped by ``group``; None when the
    daily rows must answer (two dimensions at once, or a subcategory)."""
    wanted = scope.dimensions()
    if group in DIMENSION_GROUPS:
        if group == "category" and scope.category:
            return None  # the subcategories of a category: daily rows
        wanted.add(group)
    if not wanted:
        return Dimension.NONE
    if len(wanted) == 1 and "subcategory" not in wanted:
        return next(iter(wanted))
    return None


# How a group is read: from the rollup (its column) and from the daily rows (their column).
_ROLLUP_GROUP = {
    "category": "value",
    "kind": "value",
    "channel": "value",
    "division": "value",
    "period": "period",
}
_BASE_GROUP = {
    "category": "category_id",
    "kind": "kind",
    "channel": "channel",
    "division": "division",
    "period": "day",
}


def grouped(scope: Scope, group: str | None = None, *, prefix_length: int = 0) -> dict[Any, Counts]:
    """The counters of ``scope``, summed per ``group``: None (one key, None), ``"unit"`` (the
    ``prefix_length`` first characters of the unit's path), a dimension (its value; for a
    category, its top-level code, or its own code within a top-level category), or
    ``"day"``/``"week"``/``"month"`` (keyed by date: the day, or the first day of a rolled-up
    month or year)."""
    period_group = "period" if group in TIME_GROUPS else group
    dimension = _rollup_dimension(scope, group)
    result: dict[Any, Counts] = {}
    if dimension is None:
        pieces = Pieces(years=[], months=[], days=[(scope.start, scope.end)])
    else:
        pieces = split(
            scope.start,
            scope.end,
            years=group not in TIME_GROUPS,
            months=group not in ("day", "week"),
        )
    # Without a dimension, the loose days too come from the rollup (its day rows).
    rollup_days = dimension == Dimension.NONE
    if dimension is not None and (pieces.years or pieces.months or rollup_days):
        rows = _rollup_rows(scope, dimension, pieces, days=rollup_days)
        for key, counts in _group(rows, period_group, _ROLLUP_GROUP, prefix_length):
            add_counts(result, key, counts)
    if pieces.days and not rollup_days:
        rows = _base_rows(scope, pieces.days)
        for key, counts in _group(rows, period_group, _BASE_GROUP, prefix_length):
            add_counts(result, _base_key(scope, group, key), counts)
    return result


def _group(
    rows: QuerySet, group: str | None, columns: dict[str, str], prefix_length: int
) -> Iterable[tuple[Any, Counts]]:
    if group is None:
        yield None, _counts(rows.aggregate(**_sums()))
        return
    if group == "unit":
        rows = rows.annotate(key=Substr("unit_path", 1, prefix_length)).values("key")
        column = "key"
    else:
        column = columns[group]
        rows = rows.values(column)
    for row in rows.annotate(**_sums()).order_by():
        yield row[column], _counts(row)


def _base_key(scope: Scope, group: str | None, key: Any) -> Any:
    """A daily row's group key in the rollup's terms (a category id as its code)."""
    if group == "category" and scope.categories is not None:
        if scope.category:
            return scope.categories.code_of.get(key, "")
        return scope.categories.top_code.get(key, "")
    return key


# --- employers ---------------------------------------------------------------------------------


def employer_counts(scope: Scope, limit: int) -> list[tuple[str, str, int, int]]:
    """The ``limit`` employers with the most requests in ``scope``: (key, name, requests, people),
    most requests first, then by key; the name is the greatest the rows give the key.

    Without a dimension filter, whole years and months come from the employer rollup and the
    loose days from the daily employer rows; with one, the daily rows of the whole period. The
    parts are one ``UNION ALL`` that the database sums per employer, orders and cuts, so that
    only ``limit`` rows leave it: merging in Python meant fetching every employer of the months
    (18,640 for three months of the province at a million cases, docs/benchmarks.md)."""
    if scope.dimensions():
        pieces = Pieces(years=[], months=[], days=[(scope.start, scope.end)])
    else:
        pieces = split(scope.start, scope.end)
    parts: list[QuerySet] = []
    if pieces.years or pieces.months:
        parts.append(
            _rollup_rows(scope, Dimension.EMPLOYER, pieces).values(
                "received", "people", employer=F("value"), name=F("label")
            )
        )
    if pieces.days:
        parts.append(
            _base_rows(scope, pieces.days, DailyEmployerStat).values(
                "received", "people", employer=F("employer_key"), name=F("employer_name")
            )
        )
    if not parts:
        return []
    parts = [part.order_by() for part in parts]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    sql, params = union.query.sql_with_params()
    database = connections[union.db]
    # Keys and names compare by code point, as Python (and the recomputation) compares them,
    # whatever the database's collation.
    binary = ' COLLATE "C"' if database.vendor == "postgresql" else ""
    query = (
        f"SELECT part.employer, MAX(part.name{binary}), SUM(part.received), SUM(part.people) "
        f"FROM ({sql}) part GROUP BY part.employer "
        f"ORDER BY 3 DESC, part.employer{binary} LIMIT %s"
    )
    with database.cursor() as cursor:
        cursor.execute(query, [*params, limit])
        rows = cursor.fetchall()
    return [
        (key, name or "", int(received or 0), int(people or 0))
        for key, name, received, people in rows
    ]


def child_prefix_length(unit: Organization) -> int:
    return len(unit.path) + PATH_STEP
