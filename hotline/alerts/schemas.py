"""The risk alert API's typed shapes. Times are given in Asia/Shanghai (``+08:00``).

An alert's cases are listed without any personal data: number, title, employer, people,
status, handling unit.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator

from hotline.cases.models import Case
from hotline.cases.states import Kind, Status

from .models import AlertAction, AlertEvent, AlertStatus, RiskAlert, Rule
from .services import MAX_NOTE
from .texts import describe


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


LocalDateTime = Annotated[datetime.datetime, AfterValidator(_local)]


class AlertUnitOut(Schema):
    id: int
    name: str


class AlertListQuery(Schema):
    """Filters and paging of the alert list; empty filters do not filter."""

    status: AlertStatus | None = None
    rule: Rule | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


class AlertItemOut(Schema):
    """One alert in a list."""

    id: int
    rule: Rule
    rule_label: str
    status: AlertStatus
    status_label: str
    title: str
    summary: str = Field(description="What the rule saw, in one sentence.")
    organization: AlertUnitOut = Field(
        description="The organization whose subtree holds the alert's cases: who sees it."
    )
    case_count: int
    people_involved: int = Field(description="Workers concerned, over all the alert's cases.")
    period_start: datetime.date | None
    period_end: datetime.date | None
    first_seen_at: LocalDateTime
    last_seen_at: LocalDateTime
    acknowledged_at: LocalDateTime | None
    acknowledged_by: str = Field(description="The name of who acknowledged it; empty while open.")
    acknowledgement_note: str

    @staticmethod
    def resolve_rule_label(obj: RiskAlert) -> str:
        return str(obj.get_rule_display())

    @staticmethod
    def resolve_status_label(obj: RiskAlert) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_summary(obj: RiskAlert) -> str:
        return describe(obj)

    @staticmethod
    def resolve_acknowledged_by(obj: RiskAlert) -> str:
        return str(obj.acknowledged_by) if obj.acknowledged_by_id else ""


class AlertPage(Schema):
    """One page of alerts, the latest seen first."""

    count: int
    limit: int
    offset: int
    items: list[AlertItemOut]


class AlertCaseOut(Schema):
    """A case behind an alert, without personal data."""

    number: str
    title: str
    kind: Kind
    status: Status
    status_label: str
    category: str
    employer_name: str
    people_involved: int
    handling_unit: AlertUnitOut | None
    created_at: LocalDateTime

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_category(obj: Case) -> str:
        return str(obj.category)

    @staticmethod
    def resolve_handling_unit(obj: Case) -> Any:
        return obj.handling_org


class AlertEventOut(Schema):
    action: AlertAction
    action_label: str
    actor: str
    at: LocalDateTime
    note: str
    data: dict[str, Any]

    @staticmethod
    def resolve_action_label(obj: AlertEvent) -> str:
        return str(obj.get_action_display())

    @staticmethod
    def resolve_actor(obj: AlertEvent) -> str:
        return str(obj.actor) if obj.actor_id else ""


class AlertDetailOut(AlertItemOut):
    """One alert with the figures the rule saw, its cases and its history."""

    facts: dict[str, Any]
    cases: list[AlertCaseOut] = Field(description="The alert's cases the caller may see.")
    hidden_cases: int = Field(description="The alert's cases outside the caller's scope.")
    events: list[AlertEventOut]

    # Set by ``api.detail``: the visible cases, how many are hidden, the history.
    @staticmethod
    def resolve_cases(obj: RiskAlert) -> Any:
        return obj.shown_cases  # type: ignore[attr-defined]

    @staticmethod
    def resolve_hidden_cases(obj: RiskAlert) -> int:
        return obj.hidden_cases  # type: ignore[attr-defined]

    @staticmethod
    def resolve_events(obj: RiskAlert) -> Any:
        return obj.history  # type: ignore[attr-defined]


class AcknowledgeIn(Schema):
    note: str = Field(
        ...,
        max_length=MAX_NOTE,
        description="What is being done about the alert (required).",
    )
