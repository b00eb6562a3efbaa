"""Reads of risk alerts shared by the page and the API; every one starts from ``visible_alerts``.

A supervisor or leader sees the alerts of their organization's subtree (an alert belongs to the
organization whose subtree holds its cases, see ``units``). Of an alert's cases they see those
``visible_cases`` lets them see; the others are only counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from hotline.cases.models import Case
from hotline.cases.selectors import LIST_RELATED, visible_cases
from hotline.core.errors import NotFound
from hotline.organizations.scoping import scope

from .models import AlertEvent, AlertStatus, RiskAlert
from .services import may_handle_alerts

if TYPE_CHECKING:
    from hotline.accounts.models import User

LIST_RELATED_ALERT = ("organization", "acknowledged_by")


def visible_alerts(user: User) -> QuerySet[RiskAlert]:
    """Every alert ``user`` may see: none for roles that do not watch risk."""
    if not may_handle_alerts(user):
        return RiskAlert.objects.none()
    return scope(RiskAlert.objects.all(), user, "organization")


def alert_list(user: User, *, status: str = "", rule: str = "") -> QuerySet[RiskAlert]:
    """The user's alerts, the latest seen first, filtered by status and rule when given."""
    alerts = visible_alerts(user).select_related(*LIST_RELATED_ALERT)
    if status:
        alerts = alerts.filter(status=status)
    if rule:
        alerts = alerts.filter(rule=rule)
    return alerts.order_by("-last_seen_at", "-id")


def alert_counts(user: User) -> dict[str, int]:
    """Open and acknowledged alerts of the user's scope, in one query."""
    counts = visible_alerts(user).aggregate(
        open=Count("pk", filter=Q(status=AlertStatus.OPEN)),
        acknowledged=Count("pk", filter=Q(status=AlertStatus.ACKNOWLEDGED)),
    )
    return {"open": counts["open"], "acknowledged": counts["acknowledged"]}


def get_visible_alert(user: User, pk: int) -> RiskAlert:
    """The alert ``pk`` if ``user`` may see it; ``NotFound`` otherwise."""
    found = visible_alerts(user).select_related(*LIST_RELATED_ALERT).filter(pk=pk).first()
    if found is None:
        raise NotFound("alert.not_found", _("No such risk alert."))
    return found


def alert_cases(user: User, alert: RiskAlert) -> QuerySet[Case]:
    """The alert's cases that ``user`` may see, the newest first."""
    return (
        visible_cases(user)
        .filter(risk_alert_links__alert=alert)
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-id")
    )


def alert_events(alert: RiskAlert) -> QuerySet[AlertEvent]:
    """The alert's history, oldest first."""
    return alert.events.select_related("actor").order_by("at", "id")
