"""The one place that decides which organizations, and what hangs off them, a user may see.

A user sees their own organization's subtree; the provincial federation is the root, so its staff
see everything. Every list, detail, export and API of every module starts from these functions:
pass the queryset and the name of its organization field, get it back filtered. An object outside
the scope is reported as not found, never as forbidden, so its existence does not leak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from hotline.core.errors import NotFound

from .models import Division, DivisionLevel, Organization

if TYPE_CHECKING:
    from hotline.accounts.models import User

M = TypeVar("M", bound=Model)


def subtree_q(user: User, org_field: str = "") -> Q:
    """A filter for rows whose organization (reached through ``org_field``) is in scope.

    ``org_field`` is the lookup path from the model to an Organization, e.g. ``"handling_org"``;
    empty when the model is Organization itself.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    lookup = f"{org_field}__path__startswith" if org_field else "path__startswith"
    return Q(**{lookup: user.organization.path})


def scope(queryset: QuerySet[M], user: User, org_field: str = "") -> QuerySet[M]:
    """``queryset`` restricted to ``user``'s subtree."""
    return queryset.filter(subtree_q(user, org_field))


def visible_organizations(user: User) -> QuerySet[Organization]:
    """Every organization ``user`` may see."""
    return scope(Organization.objects.all(), user)


def get_visible_organization(user: User, pk: int) -> Organization:
    """The organization ``pk`` if ``user`` may see it; ``NotFound`` otherwise."""
    organization = visible_organizations(user).select_related("division", "parent").filter(pk=pk)
    found = organization.first()
    if found is None:
        raise NotFound("organization.not_found", _("No such organization."))
    return found


def can_see_organization(user: User, organization: Organization) -> bool:
    return bool(user.is_authenticated and organization.path.startswith(user.organization.path))


def visible_divisions(user: User) -> QuerySet[Division]:
    """Divisions inside the user's organization's division (all of them for the province)."""
    if not user.is_authenticated or not user.is_active:
        return Division.objects.none()
    division = user.organization.division
    if division.level == DivisionLevel.PROVINCE:
        return Division.objects.all()
    return Division.objects.filter(code__startswith=division.prefix)


def get_visible_division(user: User, code: str) -> Division:
    """The division ``code`` if ``user`` may see it; ``NotFound`` otherwise."""
    found = visible_divisions(user).filter(code=code).first()
    if found is None:
        raise NotFound("division.not_found", _("No such administrative division."))
    return found
