"""The left navigation: which modules a role uses.

Each later module adds its entries here, with the roles that use it. A user sees an entry when
they hold one of its roles (or every user, when ``roles`` is empty).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Role, User


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    roles: frozenset[str] = frozenset()
    staff_only: bool = False

    def visible_to(self, user: User) -> bool:
        if self.staff_only and not user.is_staff:
            return False
        return not self.roles or user.has_role(*self.roles)


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Home"), "core:home", "house"),
    NavItem(_("Union organizations"), "organizations:list", "diagram-3"),
    NavItem(
        _("Import grassroots unions"),
        "admin:organizations_organization_import",
        "upload",
        roles=frozenset({Role.ADMIN}),
        staff_only=True,
    ),
    NavItem(
        _("Administration"), "admin:index", "gear", roles=frozenset({Role.ADMIN}), staff_only=True
    ),
    NavItem(_("API documentation"), "api:openapi-view", "braces", roles=frozenset({Role.ADMIN})),
)


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    icon: str
    active: bool


def navigation_for(user: User, path: str) -> list[NavLink]:
    """The entries ``user`` sees, the one containing ``path`` marked active."""
    links = []
    for item in NAVIGATION:
        if not item.visible_to(user):
            continue
        url = reverse(item.url_name)
        active = path == url if url == "/" else path.startswith(url)
        links.append(NavLink(item.label, url, item.icon, active))
    return links
