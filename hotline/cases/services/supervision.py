"""Supervision: urging the handling unit, putting a case under formal supervision, and merging
a duplicate into the case it repeats."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.errors import DomainError, NotFound
from hotline.notifications.services import notify_unit

from ..deadlines import clear_clock
from ..events import record
from ..models import Case
from ..rules import can_see_case, check
from ..states import Action, Status
from .common import (
    MAX_NOTE,
    clean_reason,
    clean_text,
    locked_for,
    now,
    organization,
    site_text,
)

if TYPE_CHECKING:
    from hotline.accounts.models import User


def urge(case: Case, *, actor: User, note: str = "") -> Case:
    """Remind the handling unit (催办): by its dispatching unit or a supervisor above it."""
    note = clean_text(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        case = locked_for(Action.URGE, actor, case)
        case.urge_count += 1
        case.save()
        record(
            case,
            actor=actor,
            action=Action.URGE,
            from_status=case.status,
            to_status=case.status,
            note=note,
            data={"count": case.urge_count},
        )
        notify_unit(
            case=case,
            organization=organization(case.handling_org_id),
            kind="urge",
            text=note and f"{_urge_text(case)} {note}",
        )
    return case


def _urge_text(case: Case) -> str:
    return site_text(
        gettext_lazy("Case %(number)s has been urged: please handle it promptly."),
        number=case.number,
    )


def supervise(case: Case, *, actor: User, note: str) -> Case:
    """Put the case under a supervisor's formal supervision (督办): it shows on every list."""
    note = clean_reason(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        case = locked_for(Action.SUPERVISE, actor, case)
        case.supervised = True
        case.save()
        record(
            case,
            actor=actor,
            action=Action.SUPERVISE,
            from_status=case.status,
            to_status=case.status,
            note=note,
        )
        unit = case.handling_org_id or case.owner_org_id
        notify_unit(
            case=case,
            organization=organization(unit),
            kind="urge",
            text=site_text(
                gettext_lazy("Case %(number)s is now under supervision: %(note)s"),
                number=case.number,
                note=note,
            ),
        )
    return case


def merge(duplicate: Case, *, actor: User, into: Case, note: str = "") -> Case:
    """Close ``duplicate`` as a repeat of ``into`` (合并): any open case, into any unmerged one."""
    note = clean_text(note, field="note", max_length=MAX_NOTE)
    if duplicate.pk == into.pk:
        raise DomainError(
            "case.merge_into_self",
            _("A case cannot be merged into itself."),
            fields={"into": _("Choose another case.")},
        )
    with transaction.atomic():
        # Both rows locked, always in the same order, so two merges cannot deadlock.
        locked = {
            case.pk: case
            for case in Case.objects.select_for_update()
            .filter(pk__in=[duplicate.pk, into.pk])
            .order_by("pk")
        }
        duplicate, original = locked[duplicate.pk], locked[into.pk]
        check(Action.MERGE, actor, duplicate)
        if not can_see_case(actor, original):
            raise NotFound("case.not_found", _("No such case."))
        if original.status == Status.MERGED:
            raise DomainError(
                "case.merge_target_merged",
                _("That case was itself merged; merge into the case it was merged into."),
                fields={"into": _("Choose a case that was not merged.")},
            )
        moment = now()
        from_status = duplicate.status
        duplicate.status = Status.MERGED
        duplicate.merged_into = original
        duplicate.closed_at = moment
        clear_clock(duplicate)
        duplicate.save()
        record(
            duplicate,
            actor=actor,
            action=Action.MERGE,
            from_status=from_status,
            to_status=Status.MERGED,
            note=note,
            data={"into": original.number},
            public=True,
            at=moment,
        )
        record(
            original,
            actor=actor,
            action=Action.MERGE,
            from_status=original.status,
            to_status=original.status,
            note=note,
            data={"duplicate": duplicate.number},
            at=moment,
        )
    return duplicate
