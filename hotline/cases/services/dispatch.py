"""Dispatch down the tree: dispatch, acknowledge, return, reassign, escalate.

The chain. ``Case.dispatch_chain`` lists the units above the handling unit, top first, each with
its own completion deadline. Dispatching pushes the dispatching unit (the owner at the first
dispatch; a handling unit passing the case further down its own subtree after that); the last
entry is always ``dispatching_org``, the unit that reviews the handling unit's reply. Coming back
up (a return, an escalation to the dispatching unit, an approved reply) pops it: that unit
handles the case again, with the deadline it had, and the next unit up reviews it.

Time. A dispatch gives the handling unit a completion deadline (the kind's rule, or ``days``)
counted from the dispatch, and one working day to acknowledge. A unit passing the case further
down cannot give more time than it has itself: its sub-unit's deadline is capped at its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.errors import DomainError
from hotline.notifications.services import notify_unit
from hotline.organizations.models import Organization

from ..deadlines import deadline_for, rule_days, set_clock
from ..events import record
from ..models import Case, CaseAssist
from ..states import Action, ExtensionState, Stage, Status
from .common import (
    MAX_NOTE,
    chain_due,
    check_target,
    clean_days,
    clean_reason,
    clean_text,
    iso,
    locked_for,
    now,
    organization,
    pop_chain,
    push_chain,
    set_handling,
    site_text,
)

if TYPE_CHECKING:
    import datetime

    from hotline.accounts.models import User

MAX_ASSISTING = 10


def _completion_deadline(
    case: Case,
    moment: datetime.datetime,
    days: int | None,
    dispatcher: Organization,
    dispatcher_due: datetime.datetime | None,
) -> datetime.datetime:
    """The handling unit's completion deadline for a dispatch by ``dispatcher`` at ``moment``;
    below the owner, never later than ``dispatcher_due``, the dispatcher's own deadline."""
    due = deadline_for(moment, days or rule_days(Stage.COMPLETE, case.kind, case.category_id))
    if dispatcher.pk != case.owner_org_id and dispatcher_due is not None:
        due = min(due, dispatcher_due)
    return due


def _hand_to(case: Case, unit: Organization, moment: datetime.datetime) -> None:
    """``unit`` now holds the case and must acknowledge it, within the completion deadline.

    Set ``case.completion_due_at`` first: the acknowledgement clock never runs past it.
    """
    set_handling(case, unit)
    case.status = Status.DISPATCHED
    case.dispatched_at = moment
    case.acknowledged_at = None
    _withdraw_extension(case)
    set_clock(case, Stage.ACKNOWLEDGE, moment)
    if case.completion_due_at is not None and case.deadline_at > case.completion_due_at:
        set_clock(case, Stage.ACKNOWLEDGE, moment, deadline=case.completion_due_at)


def _assisting_units(
    actor: User, target: Organization, assisting: Sequence[Organization]
) -> list[Organization]:
    units: dict[int, Organization] = {}
    for unit in assisting:
        check_target(actor, unit, field="assisting")
        if unit.pk != target.pk:
            units[unit.pk] = unit
    if len(units) > MAX_ASSISTING:
        raise DomainError(
            "case.too_many_assisting",
            _("At most %(max)d assisting units.") % {"max": MAX_ASSISTING},
            fields={"assisting": _("At most %(max)d units.") % {"max": MAX_ASSISTING}},
        )
    return list(units.values())


def dispatch(
    case: Case,
    *,
    actor: User,
    to: Organization,
    assisting: Sequence[Organization] = (),
    note: str = "",
    days: int | None = None,
) -> Case:
    """Send the case to ``to`` (below the actor's unit), with optional assisting units.

    The owner dispatches an accepted case; a handling unit may pass its case further down its own
    subtree, and the chain keeps who passed it to whom. ``days`` overrides the completion rule.
    """
    note = clean_text(note, field="note", max_length=MAX_NOTE)
    days = clean_days(days)
    with transaction.atomic():
        case = locked_for(Action.DISPATCH, actor, case)
        check_target(actor, to, field="to")
        helpers = _assisting_units(actor, to, assisting)
        moment = now()
        from_status = case.status
        dispatcher = actor.organization
        due = _completion_deadline(case, moment, days, dispatcher, case.completion_due_at)
        push_chain(case, dispatcher)
        case.completion_due_at = due
        _hand_to(case, to, moment)
        case.save()
        CaseAssist.objects.bulk_create(
            [CaseAssist(case=case, organization=unit, path=unit.path) for unit in helpers],
            ignore_conflicts=True,
        )
        record(
            case,
            actor=actor,
            action=Action.DISPATCH,
            from_status=from_status,
            to_status=Status.DISPATCHED,
            note=note,
            data={
                "to": to.pk,
                "to_name": to.name,
                "assisting": [unit.pk for unit in helpers],
                "days": days,
                "completion_due_at": iso(due),
            },
            public=True,
            at=moment,
        )
        notify_unit(case=case, organization=to, kind="dispatch")
        for unit in helpers:
            notify_unit(case=case, organization=unit, kind="dispatch", text=_assist_text(case))
    return case


def _assist_text(case: Case) -> str:
    return site_text(
        gettext_lazy("Your unit has been asked to assist with case %(number)s."),
        number=case.number,
    )


def acknowledge(case: Case, *, actor: User, note: str = "") -> Case:
    """The handling unit confirms it has the case: the completion clock runs."""
    note = clean_text(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        case = locked_for(Action.ACKNOWLEDGE, actor, case)
        moment = now()
        on_time = case.deadline_at is None or moment <= case.deadline_at
        case.status = Status.IN_PROGRESS
        case.acknowledged_at = moment
        set_clock(
            case,
            Stage.COMPLETE,
            case.dispatched_at or moment,
            deadline=case.completion_due_at,
        )
        case.save()
        record(
            case,
            actor=actor,
            action=Action.ACKNOWLEDGE,
            from_status=Status.DISPATCHED,
            to_status=Status.IN_PROGRESS,
            note=note,
            data={"on_time": on_time},
            public=True,
            at=moment,
        )
    return case


def _withdraw_extension(case: Case) -> None:
    # A pending request belongs to the unit that is letting the case go.
    if case.extension_state == ExtensionState.REQUESTED:
        case.extension_state = ExtensionState.NONE
        case.extension_days = None
        case.extension_reason = ""


def _hand_back_up(case: Case, moment: datetime.datetime) -> Organization:
    """The case goes back to the unit that dispatched it, with that unit's own deadline.

    Back at the owner it is ``accepted`` again (to be dispatched anew or resolved); an
    intermediate unit had already acknowledged it, so it is ``in_progress`` there.
    """
    entry = pop_chain(case)
    back_to = organization(entry["org"])
    due = chain_due(entry)
    case.completion_due_at = due
    if back_to.pk == case.owner_org_id and not case.dispatch_chain:
        set_handling(case, None)
        case.status = Status.ACCEPTED
    else:
        set_handling(case, back_to)
        case.status = Status.IN_PROGRESS
    if due is not None:
        set_clock(case, Stage.COMPLETE, moment, deadline=due)
    else:
        set_clock(case, Stage.COMPLETE, moment)
        case.completion_due_at = case.deadline_at
    _withdraw_extension(case)
    return back_to


def return_case(case: Case, *, actor: User, reason: str) -> Case:
    """The handling unit sends a misrouted case back to the unit that dispatched it."""
    reason = clean_reason(reason)
    with transaction.atomic():
        case = locked_for(Action.RETURN, actor, case)
        moment = now()
        from_status = case.status
        returned_by = case.handling_org_id
        back_to = _hand_back_up(case, moment)
        case.return_count += 1
        case.save()
        record(
            case,
            actor=actor,
            action=Action.RETURN,
            from_status=from_status,
            to_status=case.status,
            note=reason,
            data={"from": returned_by, "to": back_to.pk},
            at=moment,
        )
        notify_unit(case=case, organization=back_to, kind="returned", text="")
    return case


def reassign(
    case: Case, *, actor: User, to: Organization, reason: str, days: int | None = None
) -> Case:
    """The dispatching unit sends the case to another unit below it instead."""
    reason = clean_reason(reason)
    days = clean_days(days)
    with transaction.atomic():
        case = locked_for(Action.REASSIGN, actor, case)
        check_target(actor, to, field="to")
        if to.pk == case.handling_org_id:
            raise DomainError(
                "case.same_unit",
                _("The case is already with this unit."),
                fields={"to": _("Choose another unit.")},
            )
        moment = now()
        from_status = case.status
        previous = case.handling_org_id
        case.completion_due_at = _completion_deadline(
            case, moment, days, actor.organization, chain_due(case.dispatch_chain[-1])
        )
        _hand_to(case, to, moment)
        case.save()
        record(
            case,
            actor=actor,
            action=Action.REASSIGN,
            from_status=from_status,
            to_status=Status.DISPATCHED,
            note=reason,
            data={
                "from": previous,
                "to": to.pk,
                "to_name": to.name,
                "completion_due_at": iso(case.completion_due_at),
            },
            at=moment,
        )
        notify_unit(case=case, organization=to, kind="dispatch")
    return case


def escalate(case: Case, *, actor: User, note: str) -> Case:
    """The handling unit hands the case up to its parent organization.

    When the parent is the dispatching unit this is a return by another name; when the case had
    skipped a level (province straight to a county), the skipped unit now has to acknowledge it,
    within the deadline the handling unit had.
    """
    note = clean_reason(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        case = locked_for(Action.ESCALATE, actor, case)
        moment = now()
        from_status = case.status
        current = organization(case.handling_org_id)
        parent = current.parent
        if parent is None:
            raise DomainError(
                "case.cannot_escalate", _("This unit has no parent organization to escalate to.")
            )
        if parent.pk == case.dispatching_org_id:
            _hand_back_up(case, moment)
        else:
            _hand_to(case, parent, moment)
        case.save()
        record(
            case,
            actor=actor,
            action=Action.ESCALATE,
            from_status=from_status,
            to_status=case.status,
            note=note,
            data={"from": current.pk, "to": parent.pk},
            at=moment,
        )
        notify_unit(case=case, organization=parent, kind="dispatch", text=_escalated_text(case))
    return case


def _escalated_text(case: Case) -> str:
    return site_text(
        gettext_lazy("Case %(number)s has been escalated to your unit by the unit below."),
        number=case.number,
    )
