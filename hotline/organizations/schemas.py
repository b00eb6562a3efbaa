"""The API's typed shapes for divisions and organizations."""

from __future__ import annotations

from ninja import Field, Schema

from .models import Level, Organization


class DivisionOut(Schema):
    """An administrative division (GB/T 2260)."""

    code: str
    name: str
    level: str


class OrganizationSummaryOut(Schema):
    """An organization as other objects refer to it."""

    id: int
    name: str
    level: str
    level_label: str
    division: DivisionOut

    @staticmethod
    def resolve_level_label(obj: Organization) -> str:
        return str(obj.get_level_display())


class OrganizationChildOut(OrganizationSummaryOut):
    """One child in a list of children, with the size of what hangs below it."""

    formation: str
    credit_code: str | None
    is_active: bool
    child_count: int = Field(description="Organizations directly below this one.")
    descendant_count: int = Field(description="Organizations anywhere below this one.")


class OrganizationOut(OrganizationChildOut):
    """One organization in full."""

    parent_id: int | None


class OrganizationChildrenQuery(Schema):
    """Paging and filtering of a list of children."""

    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)
    level: Level | None = None


class OrganizationChildrenPage(Schema):
    """One page of children, ordered by position in the tree."""

    count: int = Field(description="Children matching the filter, on every page together.")
    limit: int
    offset: int
    items: list[OrganizationChildOut]
