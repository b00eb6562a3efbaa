"""After resolution: the follow-up call (or the worker's own rating online), the supervisor's
review of a dissatisfied rating, and reopening.

A satisfied or basically satisfied rating closes the case. A dissatisfied one leaves it resolved
and puts it before a supervisor of the owner (``rating == dissatisfied`` on a resolved case is
that flag), who closes it with an explanation or reopens it. A case is rated once per
resolution: reopening clears the rating so the new result can be rated in turn.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.errors import Conflict, DomainError
from hotline.notifications.services import notify_unit, queue_sms

from ..deadlines import clear_clock, set_clock
from ..events import record
from ..models import Case
from ..rules import check
from ..selectors import get_public_case
from ..states import Action, Rating, Stage, Status
from .common import (
    MAX_NOTE,
    clean_flag,
    clean_reason,
    clean_text,
    lock,
    locked_for,
    now,
    organization,
    site_text,
)

if TYPE_CHECKING:
    from hotline.accounts.models import User


def _clean_rating(rating: str) -> str:
    if rating not in Rating.values:
        raise DomainError(
            "case.invalid_rating",
            _("Please choose a rating."),
            fields={"rating": _("Satisfied, basically satisfied or dissatisfied.")},
        )
    return rating


def _apply_rating(
    case: Case,
    *,
    actor: User | None,
    action: str,
    rating: str,
    solved: bool,
    note: str,
    moment: datetime.datetime,
) -> None:
    case.rating = rating
    case.solved = solved
    case.followed_up_at = moment
    clear_clock(case)
    if rating != Rating.DISSATISFIED:
        case.status = Status.CLOSED
        case.closed_at = moment
    case.save()
    record(
        case,
        actor=actor,
        action=action,
        from_status=Status.RESOLVED,
        to_status=case.status,
        note=note,
        data={"rating": rating, "solved": solved},
        public=True,
        at=moment,
    )
    if rating == Rating.DISSATISFIED:
        notify_unit(case=case, organization=organization(case.owner_org_id), kind="dissatisfied")


def follow_up(case: Case, *, actor: User, rating: str, solved: bool, note: str = "") -> Case:
    """Record the worker's rating and whether the problem was solved, from the follow-up call."""
    rating = _clean_rating(rating)
    solved = clean_flag(solved, field="solved")
    note = clean_text(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        case = locked_for(Action.FOLLOW_UP, actor, case)
        _apply_rating(
            case,
            actor=actor,
            action=Action.FOLLOW_UP,
            rating=rating,
            solved=solved,
            note=note,
            moment=now(),
        )
    return case


def rate_by_worker(*, number: str, phone: str, rating: str, solved: bool, note: str = "") -> Case:
    """The worker rates the result on the public pages, proven by case number and phone.

    A wrong phone is answered exactly like an unknown number. Only a resolved case, only once.
    """
    rating = _clean_rating(rating)
    solved = clean_flag(solved, field="solved")
    note = clean_text(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        case = lock(get_public_case(number, phone))
        if case.rating:
            # Told plainly even after the rating closed the case: the worker's question is
            # "did my rating count", not what state the case is in.
            raise Conflict("case.already_rated", _("This case has already been rated."))
        check(Action.RATE, None, case)
        case.rated_by_worker = True
        _apply_rating(
            case,
            actor=None,
            action=Action.RATE,
            rating=rating,
            solved=solved,
            note=note,
            moment=now(),
        )
    return case


def close_after_review(case: Case, *, actor: User, explanation: str) -> Case:
    """A supervisor closes a dissatisfied case, saying why nothing more will be done."""
    explanation = clean_reason(explanation, field="explanation", max_length=MAX_NOTE)
    with transaction.atomic():
        case = locked_for(Action.CLOSE, actor, case)
        moment = now()
        case.status = Status.CLOSED
        case.closed_at = moment
        clear_clock(case)
        case.save()
        record(
            case,
            actor=actor,
            action=Action.CLOSE,
            from_status=Status.RESOLVED,
            to_status=Status.CLOSED,
            note=explanation,
            public=True,
            at=moment,
        )
    return case


def reopen(case: Case, *, actor: User, reason: str) -> Case:
    """A supervisor sends a resolved or closed case back to work (重办).

    It goes to the last handling unit, ``in_progress``, with a new completion deadline; the chain
    above that unit is unchanged, so its reply is reviewed by the same units again. A case that
    was resolved on first contact has no handling unit: it goes back to its owner, ``accepted``.
    """
    reason = clean_reason(reason, max_length=MAX_NOTE)
    with transaction.atomic():
        case = locked_for(Action.REOPEN, actor, case)
        moment = now()
        from_status = case.status
        case.status = Status.IN_PROGRESS if case.handling_org_id else Status.ACCEPTED
        set_clock(case, Stage.COMPLETE, moment)
        case.completion_due_at = case.deadline_at
        case.rating = ""
        case.solved = None
        case.rated_by_worker = False
        case.closed_at = None
        case.save()
        record(
            case,
            actor=actor,
            action=Action.REOPEN,
            from_status=from_status,
            to_status=case.status,
            note=reason,
            data={"completion_due_at": case.completion_due_at.isoformat()},
            public=True,
            at=moment,
        )
        unit = case.handling_org_id or case.owner_org_id
        notify_unit(
            case=case, organization=organization(unit), kind="dispatch", text=_reopened(case)
        )
        queue_sms(case=case, template="reopened")
    return case


def _reopened(case: Case) -> str:
    return site_text(
        gettext_lazy("Case %(number)s has been reopened: please handle it again."),
        number=case.number,
    )
