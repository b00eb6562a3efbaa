"""The API of divisions and the organization tree: reads only, always within the caller's scope.

Anything outside the caller's subtree answers 404, exactly like something that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query, Router

from . import scoping, selectors
from .models import Division, Organization
from .schemas import (
    DivisionOut,
    OrganizationChildrenPage,
    OrganizationChildrenQuery,
    OrganizationOut,
)

DivisionCode = Annotated[str, Path(pattern=r"^[0-9]{6}$", description="GB/T 2260 code")]

division_router = Router()
organization_router = Router()


@division_router.get("/{code}/children", response=list[DivisionOut])
def division_children(request: HttpRequest, code: DivisionCode) -> list[Division]:
    """The divisions directly below the division ``code``."""
    division = scoping.get_visible_division(request.auth, code)
    return selectors.visible_division_children(request.auth, division)


@organization_router.get("/{organization_id}", response=OrganizationOut)
def organization_detail(request: HttpRequest, organization_id: int) -> Organization:
    """One organization, with the counts of what stands below it."""
    organization = scoping.get_visible_organization(request.auth, organization_id)
    selectors.annotate_counts([organization])
    return organization


@organization_router.get("/{organization_id}/children", response=OrganizationChildrenPage)
def organization_children(
    request: HttpRequest, organization_id: int, filters: Query[OrganizationChildrenQuery]
) -> dict[str, object]:
    """The organizations directly below one organization, a page at a time, in tree order."""
    parent = scoping.get_visible_organization(request.auth, organization_id)
    level = filters.level.value if filters.level else None
    return {
        "count": selectors.count_organization_children(parent, level=level),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": selectors.organization_children(
            parent, level=level, offset=filters.offset, limit=filters.limit
        ),
    }
