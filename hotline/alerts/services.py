"""Writes of risk alerts: raise or update an alert from a finding, evaluate new cases and the
Spring Festival season, acknowledge an alert.

Firing once. An alert is about a subject (``RiskAlert.subject_key``); at most one alert per
subject is open, which a partial unique index guarantees. When a rule holds again for a subject
whose alert is open, the new cases join that alert (``updated`` event) and nobody is notified
again. Once acknowledged, the alert keeps the cases it had; the subject fires a new alert only
when cases that no earlier alert of it has seen meet the rule *on their own*: for an employer,
``min_cases`` new requests within the window; a case with many people never fires twice; a
unit's wage surge fires once per festival season. A new alert is notified through the outbox to
its organization and, below a prefecture, to the prefecture federation too (supervisors sit there).

Evaluation. Rules 1 and 2 run on new cases: the periodic job (``tasks.py``) reads the cases
registered since its last run in id order, from a cursor. A case is read once it is
``SETTLE`` old, so that a case whose transaction committed late is not overtaken; the first run
starts from the newest case (no back-fill of history). Rule 3 runs once a day.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import Role, User
from hotline.cases.models import Case
from hotline.core.errors import Conflict, DomainError, NotFound
from hotline.notifications.services import notify_unit
from hotline.organizations.models import PATH_STEP, Level, Organization

from . import rules
from .models import (
    AlertAction,
    AlertCase,
    AlertEvent,
    AlertRule,
    AlertStatus,
    EvaluationCursor,
    RiskAlert,
    Rule,
)
from .rules import CASE_FIELDS, Finding
from .texts import notice_text
from .units import Units

logger = logging.getLogger("hotline.alerts")

ALERT_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
MAX_NOTE = 500
RISK_ALERT_NOTICE = "risk_alert"
INTAKE_CURSOR = "intake"
# A new case is evaluated once it is this old: longer than any intake transaction takes.
SETTLE = datetime.timedelta(minutes=2)
BATCH = 500


# --- raising alerts --------------------------------------------------------------------------


def record_finding(
    finding: Finding, *, units: Units, now: datetime.datetime | None = None
) -> RiskAlert | None:
    """Raise an alert for ``finding``, or add its new cases to the subject's open alert.

    Returns the alert raised or updated; None when nothing changed (no new case, or an
    acknowledged subject whose new cases do not fire again).
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _record(finding, units=units, now=now)
    except IntegrityError:
        # Another evaluation opened the subject's alert between our read and our insert.
        with transaction.atomic():
            return _record(finding, units=units, now=now)


def _record(finding: Finding, *, units: Units, now: datetime.datetime) -> RiskAlert | None:
    same_subject = RiskAlert.objects.filter(rule=finding.rule, subject_key=finding.subject_key)
    alert = same_subject.select_for_update().filter(status=AlertStatus.OPEN).first()
    if alert is not None:
        return _update(alert, finding, units=units, now=now)
    seen = set(AlertCase.objects.filter(alert__in=same_subject).values_list("case_id", flat=True))
    cases = list(finding.cases)
    if seen:
        unseen = [case for case in cases if case.pk not in seen]
        if not unseen or not finding.refires(unseen):
            return None
    organization = finding.organization or units.organization_for(
        units.path_of(case) for case in cases
    )
    start, end = finding.period or (None, None)
    alert = RiskAlert.objects.create(
        rule=finding.rule,
        subject_key=finding.subject_key,
        title=finding.title,
        organization=organization,
        facts=finding.facts,
        period_start=start,
        period_end=end,
        case_count=len(cases),
        people_involved=sum(case.people_involved for case in cases),
        first_seen_at=now,
        last_seen_at=now,
    )
    _link(alert, cases, now)
    AlertEvent.objects.create(
        alert=alert,
        action=AlertAction.FIRED,
        at=now,
        data={"cases": [case.number for case in cases[-20:]], "refired": bool(seen)},
    )
    _notify(alert, latest=max(cases, key=lambda case: (case.created_at, case.pk)))
    return alert


def _update(
    alert: RiskAlert, finding: Finding, *, units: Units, now: datetime.datetime
) -> RiskAlert | None:
    linked = set(alert.links.values_list("case_id", flat=True))
    new = [case for case in finding.cases if case.pk not in linked]
    if not new:
        return None
    _link(alert, new, now)
    alert.case_count = len(linked) + len(new)
    alert.people_involved += sum(case.people_involved for case in new)
    alert.facts = finding.facts
    alert.last_seen_at = now
    if finding.period:
        start, end = finding.period
        alert.period_start = min(filter(None, (alert.period_start, start)))
        alert.period_end = max(filter(None, (alert.period_end, end)))
    if finding.organization is not None:
        alert.organization = finding.organization
    else:
        members = Case.objects.filter(risk_alert_links__alert=alert).only(
            "workplace_division_id", "handling_path", "owner_path"
        )
        alert.organization = units.organization_for(units.path_of(case) for case in members)
    alert.save()
    AlertEvent.objects.create(
        alert=alert,
        action=AlertAction.UPDATED,
        at=now,
        data={"cases": [case.number for case in new[-20:]], "added": len(new)},
    )
    return alert


def _link(alert: RiskAlert, cases: Iterable[Case], now: datetime.datetime) -> None:
    AlertCase.objects.bulk_create(
        [AlertCase(alert=alert, case=case, added_at=now) for case in cases],
        ignore_conflicts=True,
        batch_size=500,
    )


def _notify(alert: RiskAlert, *, latest: Case) -> None:
    """Queue the alert's notice to its organization, and to its prefecture when below one."""
    recipients = [alert.organization]
    organization = alert.organization
    if organization.depth > 1:
        prefecture = Organization.objects.filter(
            path=organization.path[: 2 * PATH_STEP], level=Level.PREFECTURE
        ).first()
        if prefecture is not None:
            recipients.append(prefecture)
    text = notice_text(alert)
    for recipient in recipients:
        notify_unit(case=latest, organization=recipient, kind=RISK_ALERT_NOTICE, text=text)


# --- evaluation --------------------------------------------------------------------------------


def evaluate_case(
    case: Case,
    *,
    settings: dict[str, AlertRule],
    units: Units,
    now: datetime.datetime | None = None,
) -> list[RiskAlert]:
    """Rules 1 and 2 on one case; the alerts raised or updated."""
    findings = []
    if Rule.MANY_PEOPLE in settings:
        findings.append(rules.many_people(case, settings[Rule.MANY_PEOPLE]))
    if Rule.EMPLOYER_REPEAT in settings:
        findings.append(rules.employer_repeat(case, settings[Rule.EMPLOYER_REPEAT]))
    alerts = []
    for finding in findings:
        if finding is not None:
            alert = record_finding(finding, units=units, now=now)
            if alert is not None:
                alerts.append(alert)
    return alerts


def evaluate_cases(cases: QuerySet[Case], *, now: datetime.datetime | None = None) -> int:
    """Rules 1 and 2 on ``cases`` in the order they were registered; how many alerts changed.

    For loading data (the demo): the periodic job does this for new cases by itself.
    """
    settings = rules.active_rules()
    units = Units()
    changed = 0
    for case in cases.order_by("created_at", "id").only(*CASE_FIELDS):
        changed += len(evaluate_case(case, settings=settings, units=units, now=now))
    return changed


def evaluate_new_cases(
    *, now: datetime.datetime | None = None, batch: int = BATCH
) -> dict[str, int]:
    """Rules 1 and 2 on the cases registered since the last run; ``{"cases", "alerts"}``."""
    now = now or timezone.now()
    counts = {"cases": 0, "alerts": 0}
    with transaction.atomic():
        cursor, created = EvaluationCursor.objects.select_for_update().get_or_create(
            name=INTAKE_CURSOR,
            defaults={"last_case_id": Case.objects.aggregate(last=Max("id"))["last"] or 0},
        )
        if created:
            return counts
        rows = list(
            Case.objects.filter(pk__gt=cursor.last_case_id)
            .order_by("pk")
            .only(*CASE_FIELDS)[:batch]
        )
        if not rows:
            return counts
        settings = rules.active_rules()
        units = Units()
        for case in rows:
            if case.created_at > now - SETTLE:
                break
            try:
                with transaction.atomic():
                    counts["alerts"] += len(
                        evaluate_case(case, settings=settings, units=units, now=now)
                    )
            except Exception:
                # One bad case must not stop the others; it is logged and passed over.
                logger.exception("Risk rules failed on case %s", case.number)
            cursor.last_case_id = case.pk
            counts["cases"] += 1
        cursor.save(update_fields=["last_case_id", "updated_at"])
    return counts


def evaluate_wage_surge(*, today: datetime.date | None = None) -> int:
    """Rule 3 as of ``today`` (by default the local date); how many alerts changed."""
    settings = rules.active_rules().get(Rule.WAGE_SURGE)
    if settings is None:
        return 0
    today = today or rules.local_date(timezone.now())
    units = Units()
    changed = 0
    for finding in rules.wage_surge(today, settings, units):
        changed += record_finding(finding, units=units) is not None
    return changed


# --- acknowledging -------------------------------------------------------------------------------


def may_handle_alerts(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(*ALERT_ROLES))


def acknowledge_alert(alert: RiskAlert, *, actor: User, note: str) -> RiskAlert:
    """Record that ``actor`` has seen ``alert`` and what is being done, once."""
    if not may_handle_alerts(actor):
        raise DomainError(
            "alert.role_required",
            _("Only supervisors and leaders acknowledge risk alerts."),
            status=403,
        )
    note = (note or "").strip()
    if not note:
        raise DomainError(
            "alert.note_required",
            _("Say what is being done about the alert."),
            fields={"note": _("This field is required.")},
        )
    if len(note) > MAX_NOTE:
        raise DomainError(
            "alert.note_too_long",
            _("The note is too long."),
            fields={"note": _("At most %(max)d characters.") % {"max": MAX_NOTE}},
        )
    with transaction.atomic():
        locked = (
            RiskAlert.objects.select_for_update()
            .filter(pk=alert.pk, organization__path__startswith=actor.organization.path)
            .first()
        )
        if locked is None:
            raise NotFound("alert.not_found", _("No such risk alert."))
        if locked.status != AlertStatus.OPEN:
            raise Conflict(
                "alert.already_acknowledged", _("This risk alert has already been acknowledged.")
            )
        now = timezone.now()
        locked.status = AlertStatus.ACKNOWLEDGED
        locked.acknowledged_at = now
        locked.acknowledged_by = actor
        locked.acknowledgement_note = note
        locked.save(
            update_fields=[
                "status",
                "acknowledged_at",
                "acknowledged_by",
                "acknowledgement_note",
            ]
        )
        AlertEvent.objects.create(
            alert=locked, action=AlertAction.ACKNOWLEDGED, actor=actor, at=now, note=note
        )
    return locked
