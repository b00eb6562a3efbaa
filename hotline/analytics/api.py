"""The analytics API under /api/v1/analytics/: KPIs, breakdowns, the ranking, the volumes.

Thin over ``hotline.analytics.kpis``: the query names the period (``period`` with a ``date``
inside it, or ``custom`` with ``start`` and ``end``) and the filters; every figure is limited to
the caller's subtree, a unit or division outside it answers 404. Leaders and supervisors only.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from hotline.cases.states import Channel, Kind
from hotline.organizations.scoping import get_visible_organization

from . import kpis as figures
from .definitions import Kpi

router = Router()

Period = Literal["day", "week", "month", "year", "custom"]


class FiguresQuery(Schema):
    """Which figures: a period and filters (empty filters do not filter)."""

    period: Period = Field("month", description="day, week, month or year around date; custom")
    date: datetime.date | None = Field(None, description="A day in the period; default today.")
    start: datetime.date | None = Field(None, description="First day, for period=custom.")
    end: datetime.date | None = Field(None, description="Last day (included), for custom.")
    unit: int | None = Field(None, description="An organization id: its subtree's figures.")
    category: str = Field("", max_length=20, description="A category code (top-level: all).")
    kind: Kind | None = None
    channel: Channel | None = None
    division: str = Field(
        "", pattern=r"^(\d{6})?$", description="A GB/T 2260 code: workplaces in it and below."
    )

    def filters(self) -> figures.KpiFilters:
        start, end = figures.period_bounds(
            self.period,
            today=timezone.localdate(),
            day=self.date,
            start=self.start,
            end=self.end,
        )
        return figures.KpiFilters(
            start=start,
            end=end,
            unit=self.unit,
            category=self.category,
            kind=self.kind or "",
            channel=self.channel or "",
            division=self.division,
        )


class KpiOut(Schema):
    key: str
    label: str
    numerator: float
    denominator: int
    value: float | None = Field(description="A ratio from 0 to 1, or working days; null: 0/0.")
    numerator_label: str
    denominator_label: str
    is_average: bool


class KpisOut(Schema):
    start: datetime.date
    end: datetime.date
    unit: int
    unit_name: str
    refreshed_at: datetime.datetime | None = Field(
        description="Every event recorded before this moment is in the figures."
    )
    received: int
    people: int
    kpis: list[KpiOut]


class BreakdownRowOut(Schema):
    key: str
    label: str
    received: int
    kpis: list[KpiOut]


class BreakdownOut(Schema):
    start: datetime.date
    end: datetime.date
    by: str
    rows: list[BreakdownRowOut]


class RankingRowOut(Schema):
    rank: int | None
    unit: int
    unit_name: str
    level: str
    score: float | None
    received: int
    kpis: list[KpiOut]


class RankingOut(Schema):
    start: datetime.date
    end: datetime.date
    rows: list[RankingRowOut]


class VolumeRowOut(Schema):
    key: str
    label: str
    cases: int
    people: int


class VolumeOut(Schema):
    start: datetime.date
    end: datetime.date
    by: str
    rows: list[VolumeRowOut]


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def _kpi(kpi: Kpi) -> dict[str, Any]:
    definition = kpi.definition
    return {
        "key": kpi.key,
        "label": kpi.label,
        "numerator": kpi.numerator,
        "denominator": kpi.denominator,
        "value": kpi.value,
        "numerator_label": str(definition.numerator_label),
        "denominator_label": str(definition.denominator_label),
        "is_average": definition.average,
    }


def _unit(request: HttpRequest, filters: figures.KpiFilters) -> Any:
    if filters.unit is None:
        return request.auth.organization
    return get_visible_organization(request.auth, filters.unit)


@router.get("/kpis", response=KpisOut)
def kpis(request: HttpRequest, query: Query[FiguresQuery]) -> dict[str, Any]:
    """The eight KPIs of PRODUCT.md, each with its numerator and denominator, and the volume."""
    figures.require_analytics_role(request.auth)
    filters = query.filters()
    counts = figures.totals(request.auth, filters)
    unit = _unit(request, filters)
    return {
        "start": filters.start,
        "end": filters.end,
        "unit": unit.pk,
        "unit_name": unit.name,
        "refreshed_at": _local(figures.freshness()),
        "received": counts["received"],
        "people": counts["people"],
        "kpis": [_kpi(kpi) for kpi in figures.build_kpis(counts)],
    }


@router.get("/breakdown", response=BreakdownOut)
def breakdown(
    request: HttpRequest,
    query: Query[FiguresQuery],
    by: Literal["unit", "category", "kind", "channel", "division", "day", "week", "month"] = (
        "unit"
    ),
) -> dict[str, Any]:
    """The KPIs per unit below, category, kind, channel, workplace division, day, week or month."""
    figures.require_analytics_role(request.auth)
    filters = query.filters()
    rows = figures.kpi_breakdown(request.auth, filters, by)
    return {
        "start": filters.start,
        "end": filters.end,
        "by": by,
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "received": row.received,
                "kpis": [_kpi(kpi) for kpi in row.kpis],
            }
            for row in rows
        ],
    }


@router.get("/ranking", response=RankingOut)
def ranking(
    request: HttpRequest,
    query: Query[FiguresQuery],
    level: Literal["", "prefecture", "county"] = "",
    order: str = Query("score", max_length=30, description="score, or a KPI key"),
) -> dict[str, Any]:
    """The handling units ranked by the assessment score or one KPI (the monthly assessment):
    the units directly below, or every prefecture or county federation in the subtree."""
    figures.require_analytics_role(request.auth)
    filters = query.filters()
    rows = figures.unit_ranking(request.auth, filters, level=level, order=order)
    return {
        "start": filters.start,
        "end": filters.end,
        "rows": [
            {
                "rank": row.rank,
                "unit": row.unit.pk,
                "unit_name": row.unit.name,
                "level": row.unit.level,
                "score": row.score,
                "received": row.received,
                "kpis": [_kpi(kpi) for kpi in row.kpis],
            }
            for row in rows
        ],
    }


@router.get("/volume", response=VolumeOut)
def volume(
    request: HttpRequest,
    query: Query[FiguresQuery],
    by: Literal["day", "month", "category", "prefecture", "county", "employer"] = "day",
    limit: int = Query(10, ge=1, le=100, description="For by=employer: how many."),
) -> dict[str, Any]:
    """Requests received per day or month, top-level category, prefecture or county of the
    workplace (every one in scope), or the employers with the most requests."""
    figures.require_analytics_role(request.auth)
    filters = query.filters()
    rows = figures.case_volume(request.auth, filters, by, limit=limit)
    return {
        "start": filters.start,
        "end": filters.end,
        "by": by,
        "rows": [
            {"key": row.key, "label": row.label, "cases": row.cases, "people": row.people}
            for row in rows
        ],
    }
