"""Everything the leaders' dashboard shows for one unit and one period, read in a fixed number of
queries whatever the number of cases or units.

Every figure comes from ``hotline.analytics.kpis`` (the daily aggregates, limited to the user's
subtree; a unit outside it is ``NotFound``), the hot employers included; the open risk alerts
come from ``hotline.alerts.selectors`` (nothing for a role that does not watch risk). This module
only chooses which reads to make and puts their answers side by side: the tiles with their
change against the previous period, the trend, the categories, the map by workplace region with
the federation each region drills down to, the units below, the hot employers.

The map counts requests by the *workplace's* division (where the workers are), the units below
by the unit that handles them; a click on a region opens the dashboard of that region's
federation, whose own figures are those its subtree handles.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from hotline.accounts.models import Role
from hotline.alerts.models import AlertStatus, RiskAlert
from hotline.alerts.selectors import alert_list
from hotline.alerts.services import may_handle_alerts
from hotline.alerts.texts import describe
from hotline.analytics.definitions import DEFINITIONS, Kpi, build_kpis
from hotline.analytics.kpis import (
    ANALYTICS_ROLES,
    BreakdownRow,
    KpiFilters,
    VolumeRow,
    case_volume,
    freshness,
    kpi_breakdown,
    totals,
)
from hotline.cases.pages.casework_common import CASE_ROLES
from hotline.organizations.models import DivisionLevel, Level, Organization
from hotline.organizations.scoping import get_visible_organization

from .periods import Period

if TYPE_CHECKING:
    from hotline.accounts.models import User

# Who opens the dashboard: leaders and supervisors (who read the figures pages too) and the
# administrators of the platform.
DASHBOARD_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.ADMIN)
ALERTS_SHOWN = 6
EMPLOYERS_SHOWN = 10
UNITS_SHOWN = 15
CATEGORIES_CHARTED = 10
# A count's change is also given as a percentage once the previous count reaches this.
RELATIVE_FROM = 10
# The KPIs of the units table (the KPI page has all eight).
UNIT_KPIS = ("ack_on_time", "completion_on_time", "satisfaction", "handling_days")
# The map a unit gets, by the level of its division: the province's prefectures, a
# prefecture's counties; a county (or anything below) gets the table of its units instead.
MAP_LEVEL = {DivisionLevel.PROVINCE: Level.PREFECTURE, DivisionLevel.PREFECTURE: Level.COUNTY}


@dataclass(frozen=True)
class Change:
    """How a figure moved against the previous period: ``display`` (``+2.1 pt``), ``direction``
    (``up``, ``down``, ``flat``) and ``tone`` (``better``, ``worse``, ``neutral``)."""

    display: str
    direction: str
    tone: str


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    display: str
    value: float | None
    previous_display: str  # the figure of the period compared with
    change: Change | None
    kpi: Kpi | None = None  # None for the volume tiles, which have no fraction


@dataclass(frozen=True)
class Region:
    """A prefecture or county of the map: requests whose workplace lies there."""

    code: str
    name: str
    cases: int
    people: int
    unit_pk: int | None = None  # its federation below the unit, whose dashboard a click opens


@dataclass(frozen=True)
class UnitRow:
    """A unit below (or the unit's own row) with its requests and the KPIs the table shows."""

    label: str
    unit_pk: int
    received: int
    kpis: list[Kpi]
    is_own: bool = False


@dataclass(frozen=True)
class Employer:
    """A hot employer: its requests and people over the period; ``url`` is the case list
    searched for its name over the period (empty for a user who may not open the case list)."""

    name: str
    cases: int
    people: int
    share: float  # of the hottest employer's requests, 0 to 100, for the bar behind the row
    url: str = ""


@dataclass
class Dashboard:
    unit: Organization
    breadcrumbs: list[Organization]
    period: Period
    tiles: list[Tile]
    trend: list[VolumeRow]
    categories: list[VolumeRow]
    map_level: str
    regions: list[Region]
    unplaced: VolumeRow | None  # requests that named no workplace
    units: list[UnitRow]
    units_hidden: int
    employers: list[Employer]
    alerts_shown: bool
    alerts: list[RiskAlert] = field(default_factory=list)
    alerts_open: int = 0
    refreshed_at: datetime.datetime | None = None
    figures_url: str = ""  # the KPI page of the same unit and period, for who may open it

    @property
    def is_own_unit(self) -> bool:
        return len(self.breadcrumbs) <= 1

    @property
    def units_charted(self) -> bool:
        """Whether the units' bar chart says anything: a unit below has requests."""
        return any(row.received for row in self.units if not row.is_own)

    @property
    def categories_charted(self) -> int:
        """How many categories the chart draws (the largest); the table lists them all."""
        return min(len(self.categories), CATEGORIES_CHARTED)

    def chart_data(self, drill_query: str = "") -> dict[str, Any]:
        """What the charts draw, embedded in the page as JSON (``json_script``); a drill-down
        link keeps ``drill_query`` (the period, the wall screen)."""
        return {
            "trend": {
                "by": self.period.trend_by,
                "labels": [row.label for row in self.trend],
                "values": [row.cases for row in self.trend],
            },
            "categories": {
                "labels": [row.label for row in self.categories[:CATEGORIES_CHARTED]],
                "values": [row.cases for row in self.categories[:CATEGORIES_CHARTED]],
            },
            "map": {
                "level": self.map_level,
                "parent": self.unit.division_id,
                "regions": {
                    region.code: {
                        "name": region.name,
                        "cases": region.cases,
                        "url": drill_url(drill_query, region.unit_pk) if region.unit_pk else "",
                    }
                    for region in self.regions
                },
            }
            if self.map_level
            else None,
            "units": {
                "labels": [row.label for row in self.units],
                "values": [row.received for row in self.units],
                "urls": [
                    "" if row.is_own else drill_url(drill_query, row.unit_pk) for row in self.units
                ],
            },
            "text": {
                "requests": _("Requests"),
                "noData": _("No requests in this period."),
            },
        }


def drill_url(query: str, unit_pk: int) -> str:
    """The dashboard of ``unit_pk`` with the rest of ``query`` (the period, the wall screen)."""
    return f"{reverse('dashboard:dashboard')}?{query + '&' if query else ''}unit={unit_pk}"


def _change(key: str, current: float | None, previous: float | None) -> Change | None:
    """The change of one figure; None when either side has no figures."""
    if current is None or previous is None:
        return None
    if key in ("received", "people"):
        # A count: the difference, and its share of the previous count once that is not tiny
        # (from 1 request to 55 is "+54", not "+5400%").
        amount = current - previous
        text = f"{amount:+,.0f}"
        if previous >= RELATIVE_FROM:
            share = f"{amount / previous * 100:+.1f}"
            text = _("%(difference)s (%(share)s%%)") % {"difference": text, "share": share}
        tone_of_up = "neutral"
    elif DEFINITIONS[key].average:
        amount = current - previous
        text = _("%(change)s working days") % {"change": f"{amount:+.1f}"}
        tone_of_up = "worse"
    else:
        amount = (current - previous) * 100
        text = _("%(change)s pt") % {"change": f"{amount:+.1f}"}
        tone_of_up = "better" if DEFINITIONS[key].higher_is_better else "worse"
    if round(amount, 1) == 0:
        return Change(_("no change"), "flat", "neutral")
    if amount > 0:
        return Change(text, "up", tone_of_up)
    opposite = {"better": "worse", "worse": "better", "neutral": "neutral"}[tone_of_up]
    return Change(text, "down", opposite)


def build_tiles(counts: dict[str, int], previous: dict[str, int]) -> list[Tile]:
    """The volume tiles (requests, people involved) and the eight KPIs, each with its change."""
    tiles = [
        Tile(
            key=key,
            label=label,
            display=str(counts[key]),
            value=counts[key],
            previous_display=str(previous[key]),
            change=_change(key, counts[key], previous[key]),
        )
        for key, label in (
            ("received", _("Requests received")),
            ("people", _("People involved")),
        )
    ]
    before = {kpi.key: kpi for kpi in build_kpis(previous)}
    for kpi in build_kpis(counts):
        tiles.append(
            Tile(
                key=kpi.key,
                label=kpi.label,
                display=kpi.display,
                value=kpi.value,
                previous_display=before[kpi.key].display,
                change=_change(kpi.key, kpi.value, before[kpi.key].value),
                kpi=kpi,
            )
        )
    return tiles


def dashboard_unit(user: User, pk: int | None) -> Organization:
    """The unit whose dashboard is asked for: the user's own organization, or one of its
    subtree (``NotFound`` for any other)."""
    if pk is None or pk == user.organization_id:
        return user.organization
    return get_visible_organization(user, pk)


def _breadcrumbs(user: User, unit: Organization) -> list[Organization]:
    """The user's organization down to ``unit``, each a step of the drill-down."""
    if unit.pk == user.organization_id:
        return [unit]
    home = user.organization.path
    paths = [path for path in unit.ancestor_paths() if path.startswith(home)]
    return [*Organization.objects.filter(path__in=paths).order_by("path"), unit]


def _regions(
    user: User, filters: KpiFilters, unit: Organization, level: str
) -> tuple[list[Region], VolumeRow | None]:
    rows = case_volume(user, filters, level)
    federations = dict(
        Organization.objects.filter(parent=unit, level=level, is_active=True).values_list(
            "division_id", "pk"
        )
    )
    regions = [
        Region(
            code=row.key,
            name=row.label,
            cases=row.cases,
            people=row.people,
            unit_pk=federations.get(row.key),
        )
        for row in rows
        if row.key
    ]
    unplaced = next((row for row in rows if not row.key), None)
    return regions, unplaced


def _unit_row(row: BreakdownRow) -> UnitRow:
    return UnitRow(
        label=row.label,
        unit_pk=int(row.key),
        received=row.received,
        kpis=[kpi for kpi in row.kpis if kpi.key in UNIT_KPIS],
        is_own=row.is_own,
    )


def _units(user: User, filters: KpiFilters) -> tuple[list[UnitRow], int]:
    """The units below with the most requests (the unit's own row first when it has one)."""
    rows = kpi_breakdown(user, filters, "unit")
    own = [row for row in rows if row.is_own]
    children = sorted(
        (row for row in rows if not row.is_own), key=lambda row: (-row.received, row.label)
    )
    shown = [_unit_row(row) for row in own + children[:UNITS_SHOWN]]
    return shown, max(0, len(children) - UNITS_SHOWN)


def _employers(user: User, filters: KpiFilters, period: Period) -> list[Employer]:
    rows = case_volume(user, filters, "employer", limit=EMPLOYERS_SHOWN)
    links = user.has_role(*CASE_ROLES)
    hottest = max((row.cases for row in rows), default=0) or 1
    return [
        Employer(
            name=row.label,
            cases=row.cases,
            people=row.people,
            share=round(100 * row.cases / hottest, 1),
            url=_case_search_url(row.label, period) if links and row.label else "",
        )
        for row in rows
    ]


def _case_search_url(text: str, period: Period) -> str:
    query = urlencode(
        {"q": text, "created_from": period.start.isoformat(), "created_to": period.end.isoformat()}
    )
    return f"{reverse('cases:list')}?{query}"


def _alerts(user: User, unit: Organization) -> tuple[list[RiskAlert], int]:
    alerts = alert_list(user, status=AlertStatus.OPEN)
    if unit.pk != user.organization_id:
        alerts = alerts.filter(organization__path__startswith=unit.path)
    shown = list(alerts[:ALERTS_SHOWN])
    for alert in shown:
        alert.summary = describe(alert)  # type: ignore[attr-defined]
    return shown, alerts.count()


def dashboard(user: User, unit: Organization, period: Period) -> Dashboard:
    """The dashboard of ``unit`` (the user's own organization or one of its subtree, from
    ``dashboard_unit``) over ``period``; ``DomainError`` for a period the figures refuse."""
    own = unit.pk == user.organization_id
    filters = KpiFilters(period.start, period.last_read, unit=None if own else unit.pk)
    previous = KpiFilters(period.previous_start, period.previous_end, unit=filters.unit)
    counts = totals(user, filters)
    tiles = build_tiles(counts, totals(user, previous))
    map_level = MAP_LEVEL.get(unit.division.level, "")
    regions, unplaced = _regions(user, filters, unit, map_level) if map_level else ([], None)
    units, units_hidden = _units(user, filters)
    alerts_shown = may_handle_alerts(user)
    alerts, alerts_open = _alerts(user, unit) if alerts_shown else ([], 0)
    return Dashboard(
        unit=unit,
        breadcrumbs=_breadcrumbs(user, unit),
        period=period,
        tiles=tiles,
        trend=[
            row
            for row in case_volume(user, filters, period.trend_by)
            if row.key <= period.end.isoformat()  # not the days to come of a period read whole
        ],
        categories=sorted(
            case_volume(user, filters, "category"), key=lambda row: (-row.cases, row.key)
        ),
        map_level=map_level,
        regions=regions,
        unplaced=unplaced,
        units=units,
        units_hidden=units_hidden,
        employers=_employers(user, filters, period),
        alerts_shown=alerts_shown,
        alerts=alerts,
        alerts_open=alerts_open,
        refreshed_at=freshness(),
        figures_url=_figures_url(unit, period, own) if user.has_role(*ANALYTICS_ROLES) else "",
    )


def _figures_url(unit: Organization, period: Period, own: bool) -> str:
    query = {
        "period": "custom",
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "by": "unit",
        **({} if own else {"unit": str(unit.pk)}),
    }
    return f"{reverse('analytics:kpis')}?{urlencode(query)}"
