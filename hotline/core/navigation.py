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
    NavItem(
        _("Agent workbench"),
        "cases:workbench",
        "headset",
        roles=frozenset({Role.AGENT, Role.LAWYER, Role.DISPATCHER}),
    ),
    NavItem(_("Cases"), "cases:list", "card-list"),
    NavItem(
        _("Handling unit inbox"),
        "cases:inbox",
        "inbox",
        roles=frozenset({Role.HANDLER, Role.DISPATCHER}),
    ),
    NavItem(
        _("Supervision board"),
        "cases:supervision",
        "alarm",
        roles=frozenset({Role.SUPERVISOR, Role.LEADER}),
    ),
    NavItem(
        _("Leaders' dashboard"),
        "dashboard:dashboard",
        "display",
        roles=frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN}),
    ),
    NavItem(
        _("Risk alerts"),
        "alerts:list",
        "exclamation-triangle",
        roles=frozenset({Role.SUPERVISOR, Role.LEADER}),
    ),
    NavItem(
        _("KPIs"), "analytics:kpis", "speedometer2", roles=frozenset({Role.LEADER, Role.SUPERVISOR})
    ),
    NavItem(
        _("Unit ranking"),
        "analytics:ranking",
        "trophy",
        roles=frozenset({Role.LEADER, Role.SUPERVISOR}),
    ),
    NavItem(
        _("Follow-up queue"), "cases:follow_up", "telephone-outbound", roles=frozenset({Role.AGENT})
    ),
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
    """The entries ``user`` sees; the one whose address is the longest prefix of ``path`` is
    marked active (``/cases/inbox/`` is the inbox, not the case list at ``/cases/``)."""
    visible = [(item, reverse(item.url_name)) for item in NAVIGATION if item.visible_to(user)]
    matches = [
        url for _item, url in visible if path == url or (url != "/" and path.startswith(url))
    ]
    current = max(matches, key=len, default=None)
    return [NavLink(item.label, url, item.icon, url == current) for item, url in visible]
