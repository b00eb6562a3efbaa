"""Apply a change of the working-day calendar to the deadlines of open cases, on demand.

A deadline is fixed when its clock starts: entering a holiday or a make-up working day later
does not move it by itself, so nobody's deadline changes under their feet without a trace.
When administrators have changed the calendar, ``recompute_deadlines`` (the management command
of the same name) counts every running clock again from its start and its working days (kept by
``deadlines.set_clock``) on the calendar as it is now. A case whose deadline comes out different
gets the new one and a ``deadline_moved`` event saying from what to what; the others are not
touched. Extensions survive: an extended deadline's working days include the extension.

What is recomputed: ``deadline_at`` and ``warning_at`` of the running clock; ``completion_due_at``
when it is that clock's deadline (the completion stage) or while the handling unit has yet to
acknowledge (it was set by the dispatch, from the same moment). The completion deadlines of the
units higher up the dispatch chain are kept as they were.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..deadlines import LOCAL_ZONE, deadline_for, warning_for
from ..events import record
from ..models import Case
from ..states import OPEN_STATUSES, Action, Stage
from .common import iso, site_text

if TYPE_CHECKING:
    from hotline.accounts.models import User

BATCH = 500

# What a case row needs for the recomputation, read in batches without loading whole cases.
_FIELDS = (
    "pk",
    "number",
    "stage",
    "deadline_at",
    "completion_due_at",
    "clock_started_at",
    "clock_days",
    "completion_days",
)


@dataclass(frozen=True)
class MovedDeadline:
    """One case whose deadlines come out different on the current calendar."""

    number: str
    stage: str
    old_deadline: datetime.datetime
    new_deadline: datetime.datetime
    old_completion: datetime.datetime | None
    new_completion: datetime.datetime | None

    @property
    def completion_moved(self) -> bool:
        return self.old_completion != self.new_completion


@dataclass
class RecomputeReport:
    """What one run found: how many clocks it checked, which moved, which it could not count."""

    dry_run: bool
    checked: int = 0
    moved: list[MovedDeadline] = field(default_factory=list)
    # Clocks that are no working-day count (a deadline fixed before its start): left as they are.
    without_basis: int = 0

    def summary(self) -> str:
        text = _(
            "Open cases checked: %(checked)d. Deadlines moved: %(moved)d. Left as they are, "
            "without a working-day count: %(fixed)d."
        ) % {"checked": self.checked, "moved": len(self.moved), "fixed": self.without_basis}
        if self.dry_run:
            text += " " + _("Dry run: nothing was changed.")
        return text


@dataclass(frozen=True)
class _Clock:
    """A case's deadlines as stored, and what they were counted from."""

    stage: str
    deadline_at: datetime.datetime
    completion_due_at: datetime.datetime | None
    clock_started_at: datetime.datetime | None
    clock_days: int | None
    completion_days: int | None


def _recounted(clock: _Clock) -> tuple[datetime.datetime, datetime.datetime | None] | None:
    """The deadline and completion deadline on today's calendar; None without a count."""
    if clock.clock_started_at is None or clock.clock_days is None:
        return None
    deadline = deadline_for(clock.clock_started_at, clock.clock_days)
    completion = clock.completion_due_at
    if clock.stage == Stage.COMPLETE and completion == clock.deadline_at:
        completion = deadline
    elif clock.stage == Stage.ACKNOWLEDGE and clock.completion_days is not None:
        completion = deadline_for(clock.clock_started_at, clock.completion_days)
        # As at the dispatch: acknowledging never gets more time than completing.
        deadline = min(deadline, completion)
    return deadline, completion


def recompute_deadlines(
    *, actor: User | None, dry_run: bool, since: datetime.date | None = None
) -> RecomputeReport:
    """Count every open case's running clock again on the current calendar; move what differs.

    ``since``: only cases with a deadline on or after that date are looked at. Give the first
    date the calendar change touched: a deadline before it cannot depend on it. ``dry_run``
    reports what would move and writes nothing. Each moved case is written in its own short
    transaction on its locked row, and checked again there.
    """
    report = RecomputeReport(dry_run=dry_run)
    running = Case.objects.filter(status__in=OPEN_STATUSES, deadline_at__isnull=False)
    if since is not None:
        start = datetime.datetime.combine(since, datetime.time(), tzinfo=LOCAL_ZONE)
        running = running.filter(Q(deadline_at__gte=start) | Q(completion_due_at__gte=start))
    rows = running.order_by("pk").values_list(*_FIELDS)
    last_pk = 0
    while True:
        batch = list(rows.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            return report
        last_pk = batch[-1][0]
        for pk, number, *stored in batch:
            report.checked += 1
            clock = _Clock(*stored)
            recounted = _recounted(clock)
            if recounted is None:
                report.without_basis += 1
                continue
            if recounted == (clock.deadline_at, clock.completion_due_at):
                continue
            if dry_run:
                report.moved.append(_moved(number, clock, *recounted))
                continue
            moved = _move(pk, actor)
            if moved is not None:
                report.moved.append(moved)


def _moved(
    number: str,
    clock: _Clock,
    deadline: datetime.datetime,
    completion: datetime.datetime | None,
) -> MovedDeadline:
    return MovedDeadline(
        number=number,
        stage=clock.stage,
        old_deadline=clock.deadline_at,
        new_deadline=deadline,
        old_completion=clock.completion_due_at,
        new_completion=completion,
    )


def _move(pk: int, actor: User | None) -> MovedDeadline | None:
    """Move case ``pk``'s deadlines, if they still differ once its row is locked."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .filter(pk=pk, status__in=OPEN_STATUSES, deadline_at__isnull=False)
            .first()
        )
        if case is None:
            return None
        clock = _Clock(*(getattr(case, name) for name in _FIELDS[2:]))
        recounted = _recounted(clock)
        if recounted is None or recounted == (clock.deadline_at, clock.completion_due_at):
            return None
        moved = _moved(case.number, clock, *recounted)
        case.deadline_at = moved.new_deadline
        case.warning_at = warning_for(case.clock_started_at, moved.new_deadline)
        case.completion_due_at = moved.new_completion
        if moved.new_deadline > moved.old_deadline:
            # The notices sent were about the old deadline; the new one is announced in turn.
            case.warned_at = None
            case.overdue_notified_at = None
        case.save(
            update_fields=[
                "deadline_at",
                "warning_at",
                "completion_due_at",
                "warned_at",
                "overdue_notified_at",
                "updated_at",
            ]
        )
        data = {
            "stage": moved.stage,
            "old_deadline_at": _iso(moved.old_deadline),
            "new_deadline_at": _iso(moved.new_deadline),
            "clock_started_at": _iso(case.clock_started_at),
            "working_days": case.clock_days,
        }
        if moved.completion_moved:
            data["old_completion_due_at"] = _iso(moved.old_completion)
            data["new_completion_due_at"] = _iso(moved.new_completion)
        record(
            case,
            actor=actor,
            action=Action.DEADLINE_MOVED,
            from_status=case.status,
            to_status=case.status,
            note=_note(moved),
            data=data,
        )
    return moved


def _note(moved: MovedDeadline) -> str:
    if moved.new_deadline == moved.old_deadline:
        return site_text(
            gettext_lazy(
                "Completion deadline recomputed on the current working-day calendar: "
                "%(old)s → %(new)s."
            ),
            old=local_text(moved.old_completion),
            new=local_text(moved.new_completion),
        )
    return site_text(
        gettext_lazy("Deadline recomputed on the current working-day calendar: %(old)s → %(new)s."),
        old=local_text(moved.old_deadline),
        new=local_text(moved.new_deadline),
    )


def _iso(moment: datetime.datetime | None) -> str | None:
    # Old (read back in UTC) and new (computed in local time) written alike, as read locally.
    return iso(moment.astimezone(LOCAL_ZONE)) if moment is not None else None


def local_text(moment: datetime.datetime | None) -> str:
    """A deadline as people read it: its local date and time."""
    return timezone.localtime(moment, LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if moment else "-"
