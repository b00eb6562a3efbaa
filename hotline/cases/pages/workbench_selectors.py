"""Reads the agent workbench needs beyond ``hotline.cases.selectors``: the taxonomy for the category
picker, the divisions for the workplace picker, the unit a case should be dispatched to, and the
cases a lawyer has to answer. Every read of organizations, divisions and cases starts from the
scoping functions, so a prefecture's dispatcher on the workbench sees only their prefecture.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from hotline.organizations.models import Division, DivisionLevel, Level, Organization
from hotline.organizations.scoping import visible_divisions, visible_organizations

from ..models import Case, Category
from ..page_selectors import deadline_badge
from ..selectors import LIST_RELATED, visible_cases
from ..states import Status

if TYPE_CHECKING:
    from hotline.accounts.models import User


def with_badges(cases: Iterable[Case]) -> list[Case]:
    """``cases`` as a list, each carrying ``badge``: its running clock (None when none runs)."""
    now = timezone.now()
    rows = list(cases)
    for case in rows:
        case.badge = deadline_badge(case, now)  # type: ignore[attr-defined]
    return rows


def category_tree() -> list[Category]:
    """The active top-level categories, each with its active children (two queries)."""
    children = Category.objects.filter(is_active=True).order_by("sort_order", "code")
    return list(
        Category.objects.filter(parent__isnull=True, is_active=True)
        .prefetch_related(Prefetch("children", queryset=children, to_attr="active_children"))
        .order_by("sort_order", "code")
    )


# --- the workplace: prefecture, then county ------------------------------------------------------


def prefectures(user: User) -> list[Division]:
    """The prefectures a user may pick a workplace in (the whole province for the centre)."""
    divisions = visible_divisions(user)
    found = list(divisions.filter(level=DivisionLevel.PREFECTURE).order_by("code"))
    if not found and user.is_authenticated and user.organization.division.parent_id:
        # A county's staff: their own county's prefecture, so the county can be chosen under it.
        found = list(Division.objects.filter(pk=user.organization.division.parent_id))
    return found


def counties(user: User, prefecture_code: str) -> list[Division]:
    """The counties of ``prefecture_code`` that ``user`` may pick (none for an unknown code)."""
    if not prefecture_code:
        return []
    return list(
        visible_divisions(user)
        .filter(parent_id=prefecture_code, level=DivisionLevel.COUNTY)
        .order_by("code")
    )


def workplace_division(user: User, prefecture_code: str, county_code: str) -> Division | None:
    """The division picked: the county if one was chosen under the prefecture, else the
    prefecture; None when nothing was picked. ``LookupError`` for a pick the user may not make
    (a county outside the prefecture, a division outside their scope)."""
    if county_code:
        county = next((c for c in counties(user, prefecture_code) if c.code == county_code), None)
        if county is None:
            raise LookupError(county_code)
        return county
    if prefecture_code:
        prefecture = next((p for p in prefectures(user) if p.code == prefecture_code), None)
        if prefecture is None:
            raise LookupError(prefecture_code)
        return prefecture
    return None


# --- dispatch ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """The unit a case should go to, and why."""

    unit: Organization
    division: Division


def suggested_unit(user: User, division: Division | None) -> Suggestion | None:
    """Where a case from the workplace ``division`` should be dispatched by ``user``.

    The county federation of a county workplace; the prefecture federation when the county has
    none or only the prefecture is known. Only active units strictly below the user's own are
    suggested (a case cannot be dispatched to one's own unit); None when there is no such unit.
    """
    if division is None or division.level == DivisionLevel.PROVINCE:
        return None
    prefecture_code = division.code if division.level == DivisionLevel.PREFECTURE else None
    wanted = Q(level=Level.PREFECTURE, division_id=prefecture_code or division.parent_id)
    if division.level == DivisionLevel.COUNTY:
        wanted |= Q(level=Level.COUNTY, division_id=division.code)
    units = list(
        visible_organizations(user)
        .filter(wanted, is_active=True)
        .exclude(pk=user.organization_id)
        .select_related("division")
        .order_by("path")
    )
    for level in (Level.COUNTY, Level.PREFECTURE):
        for unit in units:
            if unit.level == level:
                return Suggestion(unit=unit, division=division)
    return None


# --- lawyers -------------------------------------------------------------------------------------

LAWYER_QUEUE_LIMIT = 20


def lawyer_queue(user: User) -> QuerySet[Case]:
    """Accepted cases assigned to ``user`` as lawyer, waiting for an answer, oldest first."""
    return (
        visible_cases(user)
        .filter(lawyer_id=user.pk, status=Status.ACCEPTED)
        .select_related(*LIST_RELATED)
        .order_by("created_at", "id")[:LAWYER_QUEUE_LIMIT]
    )
