"""Reads of the organization tree shared by the pages and the API.

Organizations passed in here must come from ``scoping`` (``get_visible_organization`` or the
user's own organization): everything below a visible organization is visible, so the children and
counts read here stay inside the caller's scope.

Counts below an organization come from the materialized path in one grouped query, whatever the
number of organizations listed: never one query per row.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import reduce

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from hotline.accounts.models import User

from .models import PATH_STEP, Division, Level, Organization
from .scoping import visible_divisions, visible_organizations


def organization_children(
    parent: Organization,
    *,
    level: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[Organization]:
    """The direct children of ``parent`` in tree order, each with its counts.

    Every organization returned carries ``child_count`` (organizations directly below it) and
    ``descendant_count`` (organizations anywhere below it, itself excluded), and has its
    ``division`` loaded. ``level`` keeps only children of that level; ``offset`` and ``limit``
    cut one page (all children when ``limit`` is None). Two queries, however many children.
    """
    children = Organization.objects.filter(parent=parent).select_related("division")
    if level:
        children = children.filter(level=level)
    children = children.order_by("path")
    page = list(children[offset : offset + limit] if limit is not None else children[offset:])
    annotate_counts(page)
    return page


def count_organization_children(parent: Organization, *, level: str | None = None) -> int:
    """How many direct children ``parent`` has (of ``level`` only, when given)."""
    children = Organization.objects.filter(parent=parent)
    if level:
        children = children.filter(level=level)
    return children.count()


def annotate_counts(organizations: Sequence[Organization]) -> None:
    """Set ``child_count`` and ``descendant_count`` on each of ``organizations``, in one query.

    The counts are grouped by each row's path cut to the listed organizations' path length.
    That length is the same for organizations at one depth (segments are fixed width), so mixed
    depths are grouped per depth: one query per depth present, never per organization.
    """
    by_depth: dict[int, list[Organization]] = {}
    for organization in organizations:
        by_depth.setdefault(organization.depth, []).append(organization)
    for depth, same_depth in by_depth.items():
        counts = _counts_below(same_depth, depth)
        for organization in same_depth:
            children, descendants = counts.get(organization.path, (0, 0))
            organization.child_count = children  # type: ignore[attr-defined]
            organization.descendant_count = descendants  # type: ignore[attr-defined]


def _counts_below(organizations: list[Organization], depth: int) -> dict[str, tuple[int, int]]:
    """``{path: (child_count, descendant_count)}`` for organizations all at ``depth``."""
    parents = {organization.parent_id for organization in organizations}
    if len(organizations) > 1 and len(parents) == 1:
        # Siblings (a page of children): one prefix range on the parent's path reads exactly
        # their subtrees. An OR of one prefix per sibling costs as many range scans as there are
        # siblings, and SQLite turns a long OR into a full scan.
        parent_path = organizations[0].path[:-PATH_STEP]
        below = Q(path__startswith=parent_path)
    else:
        # Each OR term is one prefix range on the path index, so only these subtrees are read.
        below = reduce(operator.or_, (Q(path__startswith=o.path) for o in organizations))
    prefix_length = len(organizations[0].path)
    rows = (
        Organization.objects.filter(below, depth__gt=depth)
        .annotate(branch=Substr("path", 1, prefix_length))
        .values("branch")
        .annotate(
            descendants=Count("pk"),
            children=Count("pk", filter=Q(depth=depth + 1)),
        )
        .order_by()
    )
    return {row["branch"]: (row["children"], row["descendants"]) for row in rows}


# A page lists this many direct children; the rest are a click away in the organization search.
OVERVIEW_CHILDREN = 50


def organization_overview(organization: Organization) -> dict[str, object]:
    """What a page shows about one organization, as template context.

    ``ancestors`` (root first; their names place the organization in the tree), ``children``
    (the first ``OVERVIEW_CHILDREN``, as ``organization_children``), ``child_count`` (all direct
    children), ``descendant_count`` (organizations strictly below),
    ``grassroots_count`` (grassroots unions in the subtree, itself included) and ``user_count``
    (staff accounts of this organization). Five queries, whatever the size of the subtree.
    """
    totals = Organization.objects.filter(path__startswith=organization.path).aggregate(
        descendants=Count("pk", filter=Q(depth__gt=organization.depth)),
        children=Count("pk", filter=Q(depth=organization.depth + 1)),
        grassroots=Count("pk", filter=Q(level=Level.GRASSROOTS)),
    )
    return {
        "ancestors": list(
            Organization.objects.filter(path__in=organization.ancestor_paths()).order_by("path")
        ),
        "children": organization_children(organization, limit=OVERVIEW_CHILDREN),
        "child_count": totals["children"],
        "descendant_count": totals["descendants"],
        "grassroots_count": totals["grassroots"],
        "user_count": organization.users.count(),
    }


def search_organizations(
    user: User, *, text: str = "", level: str = "", parent: Organization | None = None
) -> QuerySet[Organization]:
    """Organizations in ``user``'s subtree whose name or credit code contains ``text``.

    ``parent`` keeps its direct children only. Ordered by place in the tree, with parent and
    division loaded for listing.
    """
    found = visible_organizations(user).select_related("parent", "division").order_by("path")
    if parent is not None:
        found = found.filter(parent=parent)
    if text:
        found = found.filter(Q(name__icontains=text) | Q(credit_code__icontains=text))
    if level:
        found = found.filter(level=level)
    return found


def visible_division_children(user: User, division: Division) -> list[Division]:
    """The divisions directly below ``division`` that ``user`` may see, by code."""
    return list(visible_divisions(user).filter(parent=division).order_by("code"))
