"""The risk alert API: the scoped list, one alert with its cases, acknowledgement.

For supervisors and leaders: other callers get 403 (``alert.role_required``). An alert outside
the caller's subtree answers 404 exactly like one that does not exist; acknowledging an alert
twice answers 409 (``alert.already_acknowledged``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from hotline.accounts.models import User
from hotline.cases.schemas import documented_errors
from hotline.core.errors import DomainError

from . import selectors, services
from .models import RiskAlert
from .schemas import AcknowledgeIn, AlertDetailOut, AlertListQuery, AlertPage

router = Router()

ROLE_ERROR = {403: "Not a supervisor or leader (alert.role_required)"}


def _require_role(user: User) -> None:
    if not services.may_handle_alerts(user):
        raise DomainError(
            "alert.role_required",
            _("Only supervisors and leaders see risk alerts."),
            status=403,
        )


def detail(user: User, alert: RiskAlert) -> RiskAlert:
    """``alert`` with what its detail shows: the visible cases, the hidden count, the history."""
    cases = list(selectors.alert_cases(user, alert))
    alert.shown_cases = cases  # type: ignore[attr-defined]
    alert.hidden_cases = max(alert.case_count - len(cases), 0)  # type: ignore[attr-defined]
    alert.history = list(selectors.alert_events(alert))  # type: ignore[attr-defined]
    return alert


@router.get("", response=AlertPage, openapi_extra=documented_errors(ROLE_ERROR))
def list_alerts(request: HttpRequest, filters: Query[AlertListQuery]) -> dict[str, Any]:
    """The alerts of the caller's subtree, the latest seen first."""
    _require_role(request.auth)
    alerts = selectors.alert_list(
        request.auth,
        status=filters.status.value if filters.status else "",
        rule=filters.rule.value if filters.rule else "",
    )
    return {
        "count": alerts.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": list(alerts[filters.offset : filters.offset + filters.limit]),
    }


@router.get("/{alert_id}", response=AlertDetailOut, openapi_extra=documented_errors(ROLE_ERROR))
def alert_detail(request: HttpRequest, alert_id: int) -> RiskAlert:
    """One alert with the figures the rule saw, the cases the caller may see, and its history."""
    _require_role(request.auth)
    return detail(request.auth, selectors.get_visible_alert(request.auth, alert_id))


@router.post(
    "/{alert_id}/acknowledge",
    response=AlertDetailOut,
    openapi_extra=documented_errors(
        {
            **ROLE_ERROR,
            400: "No note, or too long (alert.note_required, alert.note_too_long)",
            409: "Already acknowledged (alert.already_acknowledged)",
        }
    ),
)
def acknowledge(request: HttpRequest, alert_id: int, payload: AcknowledgeIn) -> RiskAlert:
    """Record that the caller has seen the alert and what is being done; once per alert."""
    _require_role(request.auth)
    alert = selectors.get_visible_alert(request.auth, alert_id)
    services.acknowledge_alert(alert, actor=request.auth, note=payload.note)
    return detail(request.auth, selectors.get_visible_alert(request.auth, alert_id))
