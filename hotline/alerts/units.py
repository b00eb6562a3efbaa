"""Which organization a case belongs to for risk alerts, and so who sees an alert.

Risk is about a place: a case belongs to the federation of the division its workplace is in
(城东区 → 城东区总工会; a division without a federation of its own goes to the one above). A case
without a workplace division belongs to its handling unit, or, before any dispatch, to the
organization that registered it. An alert belongs to the deepest organization whose subtree
holds every one of its cases, so a county sees the alerts about employers in the county, its
prefecture those of all its counties, and the province all of them.

Only paths are compared (cases carry ``handling_path`` and ``owner_path``): one query loads the
federations, and an alert's organization is read once by its path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.db.models import Q

from hotline.organizations.models import PATH_STEP, Division, Level, Organization

FEDERATION_LEVELS = (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)


class CaseLike(Protocol):
    workplace_division_id: str | None
    handling_path: str
    owner_path: str


class Units:
    """The federations by division, read once; build one per evaluation run."""

    def __init__(self) -> None:
        federations: dict[str, Organization] = {}
        rows = Organization.objects.filter(level__in=FEDERATION_LEVELS, is_active=True).order_by(
            "depth", "path"
        )
        for organization in rows:
            # The shallowest federation of a division wins (there is normally one).
            federations.setdefault(organization.division_id, organization)
        self.by_path = {organization.path: organization for organization in federations.values()}
        parents = dict(Division.objects.values_list("code", "parent_id"))
        # Each division's federation path, walking up to a division that has one.
        self.division_paths: dict[str, str] = {}
        for code in parents:
            current: str | None = code
            while current is not None and current not in federations:
                current = parents.get(current)
            if current is not None:
                self.division_paths[code] = federations[current].path

    def path_of(self, case: CaseLike) -> str:
        """The tree path of the organization ``case`` belongs to."""
        if case.workplace_division_id:
            path = self.division_paths.get(case.workplace_division_id)
            if path:
                return path
        return case.handling_path or case.owner_path

    def organization_for(self, paths: Iterable[str]) -> Organization:
        """The deepest organization whose subtree holds every one of ``paths``."""
        path = common_path(paths)
        found = self.by_path.get(path)
        if found is None:
            found = Organization.objects.get(path=path)
            self.by_path[path] = found
        return found

    def in_subtree_q(self, path: str) -> Q:
        """Cases that belong to the subtree at ``path`` (a filter for ``Case``)."""
        mapped = list(self.division_paths)
        inside = [code for code, unit in self.division_paths.items() if unit.startswith(path)]
        unplaced = ~Q(workplace_division_id__in=mapped) & (
            Q(handling_path__startswith=path) | Q(handling_path="", owner_path__startswith=path)
        )
        return Q(workplace_division_id__in=inside) | unplaced


def common_path(paths: Iterable[str]) -> str:
    """The longest whole-segment prefix shared by ``paths`` (at least the root's segment)."""
    items = [path for path in paths if path]
    if not items:
        raise ValueError("No path given")
    shortest, longest = min(items), max(items)
    length = 0
    for first, second in zip(shortest, longest, strict=False):
        if first != second:
            break
        length += 1
    length -= length % PATH_STEP
    return shortest[: max(length, PATH_STEP)]
