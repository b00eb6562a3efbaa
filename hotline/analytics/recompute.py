"""The figures recomputed by walking the cases, not read from the aggregates (``source="raw"``).

Slow (every case with a fact in the period is read with its events): for the tests and the
benchmark's check that the aggregates, as the refreshes keep them, equal a recomputation. The
filters mean exactly what they mean in ``hotline.analytics.reads``, applied here in Python.
"""

from __future__ import annotations

import datetime
from typing import Any

from .models import COUNTERS
from .reads import Categories, Counts, Scope, add_counts
from .refresh import DayRows, compute_days


def _days(scope: Scope) -> DayRows:
    return compute_days(
        {
            scope.start + datetime.timedelta(days=offset)
            for offset in range((scope.end - scope.start).days + 1)
        }
    )


def _kept(scope: Scope, path: str, dims: tuple[int, str, str, str]) -> bool:
    category, kind, channel, division = dims
    if not path.startswith(scope.path):
        return False
    if scope.category_ids and category not in scope.category_ids:
        return False
    if (scope.kind and kind != scope.kind) or (scope.channel and channel != scope.channel):
        return False
    return not (scope.division_prefix and not division.startswith(scope.division_prefix))


def raw_grouped(scope: Scope, group: str | None = None, *, prefix_length: int = 0) -> dict:
    """What ``reads.grouped`` answers, recomputed from the cases and their events."""
    rows = _days(scope)
    categories = scope.categories or Categories.load()
    result: dict[Any, Counts] = {}
    for (day, unit, category, kind, channel, division), counters in rows.base.items():
        path = rows.paths[unit]
        if not _kept(scope, path, (category, kind, channel, division)):
            continue
        if group is None:
            key: Any = None
        elif group == "unit":
            key = path[:prefix_length]
        elif group == "category":
            key = categories.code_of[category] if scope.category else categories.top_code[category]
        elif group in ("kind", "channel", "division"):
            key = {"kind": kind, "channel": channel, "division": division}[group]
        else:
            key = day
        add_counts(result, key, dict(zip(COUNTERS, counters, strict=True)))
    return result


def raw_employer_counts(scope: Scope, limit: int) -> list[tuple[str, str, int, int]]:
    """What ``reads.employer_counts`` answers, recomputed from the cases."""
    rows = _days(scope)
    found: dict[str, list[Any]] = {}
    for key, (count, people, name) in rows.employers.items():
        _day, unit, employer, category, kind, channel, division = key
        if not _kept(scope, rows.paths[unit], (category, kind, channel, division)):
            continue
        entry = found.setdefault(employer, [name, 0, 0])
        entry[0] = max(entry[0], name)
        entry[1] += count
        entry[2] += people
    ranked = sorted(found.items(), key=lambda item: (-item[1][1], item[0]))[:limit]
    return [(key, name, received, people) for key, (name, received, people) in ranked]
