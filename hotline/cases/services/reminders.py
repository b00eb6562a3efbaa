"""Deadline reminders: once per clock, a due-soon notice and an overdue notice to whoever the
running stage waits on. Run by the periodic job in ``tasks.py``.

``warned_at`` and ``overdue_notified_at`` say a notice went out for the current deadline; every
new clock clears them (``deadlines.set_clock``), so each deadline is announced at most once per
kind, however often the job runs and however many workers run it. Each case is handled in its
own short transaction on its locked row and re-checked there; rows another worker holds are
skipped and picked up on the next run.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q

from hotline.notifications.services import notify_unit
from hotline.organizations.models import Organization

from ..events import record
from ..models import Case
from ..states import OPEN_STATUSES, Action, Stage
from .common import now, organization

BATCH = 500


def waiting_unit(case: Case) -> Organization:
    """The unit the running stage waits on."""
    if case.stage == Stage.REVIEW and case.dispatching_org_id:
        return organization(case.dispatching_org_id)
    if case.stage in (Stage.ACKNOWLEDGE, Stage.COMPLETE) and case.handling_org_id:
        return organization(case.handling_org_id)
    return organization(case.owner_org_id)


def _due(moment: datetime.datetime) -> Q:
    soon = Q(warning_at__lte=moment, deadline_at__gte=moment, warned_at__isnull=True)
    overdue = Q(deadline_at__lt=moment, overdue_notified_at__isnull=True)
    return Q(status__in=OPEN_STATUSES) & (soon | overdue)


def send_deadline_reminders(*, moment: datetime.datetime | None = None) -> dict[str, int]:
    """Notify the units of cases that became due soon or overdue; ``{"due_soon": n, "overdue": m}``.

    At most ``BATCH`` cases per run: a backlog drains over the following runs.
    """
    moment = moment or now()
    sent = {"due_soon": 0, "overdue": 0}
    ids = list(Case.objects.filter(_due(moment)).order_by("deadline_at").values_list("pk")[:BATCH])
    for (pk,) in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update(skip_locked=True).filter(_due(moment), pk=pk)
            case = case.first()
            if case is None:
                continue
            kind = "overdue" if case.deadline_at < moment else "due_soon"
            if kind == "overdue":
                case.overdue_notified_at = moment
                # An overdue case has been due soon too: no late "due soon" after it.
                case.warned_at = case.warned_at or moment
            else:
                case.warned_at = moment
            case.save(update_fields=["warned_at", "overdue_notified_at", "updated_at"])
            unit = waiting_unit(case)
            record(
                case,
                actor=None,
                action=Action.DEADLINE_WARNING,
                from_status=case.status,
                to_status=case.status,
                data={
                    "kind": kind,
                    "stage": case.stage,
                    "deadline_at": case.deadline_at.isoformat(),
                },
                organization=unit,
                at=moment,
            )
            notify_unit(case=case, organization=unit, kind=kind)
            sent[kind] += 1
    return sent
