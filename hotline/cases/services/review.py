"""The handling unit's reply and its review: reply, approve, send back; extensions.

Approval up the chain. The dispatching unit reviews the reply of the unit it dispatched to.
When that reviewer is the owner (the hotline centre), approval resolves the case and the worker
is told by SMS how to rate it. When the reviewer is an intermediate unit (a prefecture that
passed the case to a county), approving makes the reply that unit's own reply to the unit above
it: the case goes up one step, still ``replied``, with the intermediate unit as handling unit and
its own dispatcher as reviewer, until it reaches the owner. Every level therefore vouches for the
answer before the worker sees it, and each level's deadline is judged on its own reply.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from hotline.notifications.services import notify_unit, queue_sms
from hotline.organizations.models import Organization

from ..deadlines import deadline_for, set_clock
from ..events import record
from ..models import Case
from ..states import Action, ExtensionState, Stage, Status
from .common import (
    MAX_LONG_TEXT,
    MAX_NOTE,
    MAX_REASON,
    chain_due,
    clean_days,
    clean_flag,
    clean_reason,
    clean_text,
    iso,
    locked_for,
    now,
    organization,
    pop_chain,
    set_handling,
    site_text,
)

if TYPE_CHECKING:
    from hotline.accounts.models import User

MAX_EXTENSION_DAYS = 30


def reply(case: Case, *, actor: User, result: str, solved: bool) -> Case:
    """The handling unit reports what it did (``result``) and whether the problem is solved."""
    result = clean_text(result, field="result", max_length=MAX_LONG_TEXT, required=True)
    solved = clean_flag(solved, field="solved")
    with transaction.atomic():
        case = locked_for(Action.REPLY, actor, case)
        moment = now()
        on_time = case.completion_due_at is None or moment <= case.completion_due_at
        case.status = Status.REPLIED
        case.reply_text = result
        case.reply_solved = solved
        case.replied_at = moment
        set_clock(case, Stage.REVIEW, moment)
        case.save()
        record(
            case,
            actor=actor,
            action=Action.REPLY,
            from_status=Status.IN_PROGRESS,
            to_status=Status.REPLIED,
            note=result,
            data={
                "solved": solved,
                "on_time": on_time,
                "completion_due_at": iso(case.completion_due_at),
            },
            at=moment,
        )
        notify_unit(
            case=case,
            organization=organization(case.dispatching_org_id),
            kind="reply_to_review",
        )
    return case


def approve(case: Case, *, actor: User, note: str = "") -> Case:
    """The dispatching unit accepts the reply: resolved at the owner, else passed one step up."""
    note = clean_text(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        case = locked_for(Action.APPROVE, actor, case)
        moment = now()
        if len(case.dispatch_chain) <= 1:
            _resolve(case, actor, note, moment)
        else:
            _forward_up(case, actor, note, moment)
    return case


def _resolve(case: Case, actor: User, note: str, moment: datetime.datetime) -> None:
    case.status = Status.RESOLVED
    case.resolved_at = moment
    set_clock(case, Stage.FOLLOW_UP, moment)
    case.save()
    record(
        case,
        actor=actor,
        action=Action.APPROVE,
        from_status=Status.REPLIED,
        to_status=Status.RESOLVED,
        note=note,
        data={"public_text": case.reply_text, "solved": case.reply_solved},
        public=True,
        at=moment,
    )
    queue_sms(case=case, template="resolved")


def _forward_up(case: Case, actor: User, note: str, moment: datetime.datetime) -> None:
    reviewer = actor.organization
    entry = pop_chain(case)
    set_handling(case, reviewer)
    case.completion_due_at = chain_due(entry)
    on_time = case.completion_due_at is None or moment <= case.completion_due_at
    case.replied_at = moment
    set_clock(case, Stage.REVIEW, moment)
    case.save()
    next_reviewer = organization(case.dispatching_org_id)
    record(
        case,
        actor=actor,
        action=Action.APPROVE,
        from_status=Status.REPLIED,
        to_status=Status.REPLIED,
        note=note,
        data={"forwarded_to": next_reviewer.pk, "on_time": on_time},
        at=moment,
    )
    notify_unit(case=case, organization=next_reviewer, kind="reply_to_review")


def send_back(case: Case, *, actor: User, reason: str, days: int | None = None) -> Case:
    """The dispatching unit refuses the reply: the handling unit works on (退回重办).

    The unit keeps its completion deadline unless ``days`` gives it a new one from now.
    """
    reason = clean_reason(reason, max_length=MAX_NOTE)
    days = clean_days(days)
    with transaction.atomic():
        case = locked_for(Action.SEND_BACK, actor, case)
        moment = now()
        if days is not None:
            case.completion_due_at = deadline_for(moment, days)
        case.status = Status.IN_PROGRESS
        if case.completion_due_at is not None:
            set_clock(case, Stage.COMPLETE, moment, deadline=case.completion_due_at)
        else:
            set_clock(case, Stage.COMPLETE, moment)
            case.completion_due_at = case.deadline_at
        case.save()
        record(
            case,
            actor=actor,
            action=Action.SEND_BACK,
            from_status=Status.REPLIED,
            to_status=Status.IN_PROGRESS,
            note=reason,
            data={"days": days, "completion_due_at": iso(case.completion_due_at)},
            at=moment,
        )
        notify_unit(
            case=case,
            organization=organization(case.handling_org_id),
            kind="returned",
            text=site_text(
                gettext_lazy("The reply to case %(number)s was sent back for rework: %(reason)s"),
                number=case.number,
                reason=reason,
            ),
        )
    return case


def request_extension(case: Case, *, actor: User, days: int, reason: str) -> Case:
    """The handling unit asks its dispatching unit for more time (once per case)."""
    days = clean_days(days, maximum=MAX_EXTENSION_DAYS, required=True)
    reason = clean_reason(reason, max_length=MAX_REASON)
    with transaction.atomic():
        case = locked_for(Action.REQUEST_EXTENSION, actor, case)
        case.extension_state = ExtensionState.REQUESTED
        case.extension_days = days
        case.extension_reason = reason
        case.save()
        record(
            case,
            actor=actor,
            action=Action.REQUEST_EXTENSION,
            from_status=case.status,
            to_status=case.status,
            note=reason,
            data={"days": days},
        )
        notify_unit(
            case=case,
            organization=organization(case.dispatching_org_id),
            kind="extension_request",
        )
    return case


def decide_extension(case: Case, *, actor: User, approve: bool, note: str = "") -> Case:
    """The dispatching unit grants the requested working days (added after the current deadline)
    or refuses them; a refusal needs a reason."""
    approve = clean_flag(approve, field="approve")
    if approve:
        note = clean_text(note, field="note", max_length=MAX_NOTE)
    else:
        note = clean_reason(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        case = locked_for(Action.DECIDE_EXTENSION, actor, case)
        moment = now()
        if approve:
            case.extension_state = ExtensionState.APPROVED
            base = case.completion_due_at or moment
            case.completion_due_at = deadline_for(base, case.extension_days or 0)
            if case.stage == Stage.COMPLETE:
                set_clock(case, Stage.COMPLETE, moment, deadline=case.completion_due_at)
        else:
            case.extension_state = ExtensionState.REFUSED
        case.save()
        record(
            case,
            actor=actor,
            action=Action.DECIDE_EXTENSION,
            from_status=case.status,
            to_status=case.status,
            note=note,
            data={
                "approved": approve,
                "days": case.extension_days,
                "completion_due_at": iso(case.completion_due_at),
            },
            at=moment,
        )
        _notify_decision(case, approve)
    return case


def _notify_decision(case: Case, approved: bool) -> None:
    if approved:
        text = site_text(
            gettext_lazy("The extension for case %(number)s was approved; new deadline %(due)s."),
            number=case.number,
            due=_local(case.completion_due_at),
        )
    else:
        text = site_text(
            gettext_lazy("The extension for case %(number)s was refused."), number=case.number
        )
    handling: Organization = organization(case.handling_org_id)
    notify_unit(case=case, organization=handling, kind="extension_request", text=text)


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
