"""The running clock of a case: how long a stage may take, when it ends, when it is due soon.

A stage of N working days started at moment t ends at 23:59:59 (Asia/Shanghai) of the N-th working
day after t's local date, on the Chinese calendar (``hotline.workdays.calendar``: statutory holidays
and make-up workdays). The last 20 % of that time is ``due_soon``; after the end it is ``overdue``.
How many days a stage takes comes from ``DeadlineRule`` rows, the most specific one winning.

Each clock also keeps what it was set from (its start and its number of working days), so that
when administrators change the calendar, ``services.recompute`` can apply the change to deadlines
already set, on demand and with an event, instead of them moving silently.
"""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from hotline.workdays.calendar import add_working_days, is_workday, working_days_between

from .models import Case, Category, DeadlineRule
from .states import OPEN_STATUSES, Stage

logger = logging.getLogger(__name__)

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
END_OF_DAY = datetime.time(23, 59, 59)
# The share of a stage's time after which it is "due soon".
WARNING_SHARE = 0.8

# Used only when not even a default DeadlineRule exists (the migration loads them).
FALLBACK_DAYS = {
    Stage.ACCEPT: 1,
    Stage.ACKNOWLEDGE: 1,
    Stage.COMPLETE: 15,
    Stage.REVIEW: 2,
    Stage.FOLLOW_UP: 3,
}

OVERDUE = "overdue"
DUE_SOON = "due_soon"
ON_TIME = "on_time"


def rule_days(stage: str, kind: str, category: Category | int | None) -> int:
    """Working days ``stage`` may take for a case of ``kind`` in ``category`` (one query).

    The most specific rule wins: kind + category, kind + the category's parent, category, parent,
    kind alone, then the default (no kind, no category).
    """
    specific = [pk for pk in _category_ids(category) if pk is not None]
    rules = {
        (rule.kind, rule.category_id): rule.working_days
        for rule in DeadlineRule.objects.filter(
            Q(category__isnull=True) | Q(category_id__in=specific),
            stage=stage,
            kind__in=[kind, ""],
        )
    }
    keys = [(kind, pk) for pk in specific] + [("", pk) for pk in specific]
    for key in [*keys, (kind, None), ("", None)]:
        if key in rules:
            return rules[key]
    logger.warning("No deadline rule for stage %s; using %s days.", stage, FALLBACK_DAYS[stage])
    return FALLBACK_DAYS[stage]


def _category_ids(category: Category | int | None) -> tuple[int | None, int | None]:
    if category is None:
        return None, None
    if isinstance(category, Category):
        return category.pk, category.parent_id
    parent_id = Category.objects.filter(pk=category).values_list("parent_id", flat=True).first()
    return category, parent_id


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LOCAL_ZONE).date()


def end_of_day(day: datetime.date) -> datetime.datetime:
    """23:59:59 Asia/Shanghai of ``day``."""
    return datetime.datetime.combine(day, END_OF_DAY, tzinfo=LOCAL_ZONE)


def deadline_for(start: datetime.datetime, working_days: int) -> datetime.datetime:
    """The end of the ``working_days``-th working day after ``start``'s local date."""
    return end_of_day(add_working_days(local_date(start), working_days))


def warning_for(start: datetime.datetime, deadline: datetime.datetime) -> datetime.datetime:
    """When the last 20 % of the time from ``start`` to ``deadline`` begins."""
    if deadline <= start:
        return deadline
    return start + (deadline - start) * WARNING_SHARE


def days_until(start: datetime.datetime, deadline: datetime.datetime) -> int | None:
    """The working days after ``start`` that ``deadline`` is the end of, on today's calendar.

    A deadline on a day off counts as the next working day (the day it would be moved to).
    None when ``deadline`` is no such end: before ``start``'s date, or not at 23:59:59.
    """
    first, last = local_date(start), local_date(deadline)
    if last < first or deadline != end_of_day(last):
        return None
    return working_days_between(first, last) + (0 if is_workday(last) else 1)


def set_clock(
    case: Case,
    stage: str,
    start: datetime.datetime,
    days: int | None = None,
    *,
    deadline: datetime.datetime | None = None,
) -> None:
    """Start ``stage``'s clock on ``case`` (not saved): ``days`` working days from ``start``.

    ``days`` defaults to the stage's rule for the case's kind and category; ``deadline`` sets the
    end directly instead (a clock resumed with a deadline fixed earlier). Reminders already sent
    belong to the old deadline, so they are forgotten.

    The clock's basis is kept for ``recompute_deadlines``: ``start`` and its working days. For a
    ``deadline`` given directly they are counted from ``start`` on the calendar as it is now; a
    later change to dates after ``start`` then moves it exactly as it would move the count the
    deadline was first set from.
    """
    if deadline is None:
        if days is None:
            days = rule_days(stage, case.kind, case.category)
        deadline = deadline_for(start, days)
    else:
        days = days_until(start, deadline)
    case.stage = stage
    case.deadline_at = deadline
    case.warning_at = warning_for(start, deadline)
    case.warned_at = None
    case.overdue_notified_at = None
    case.clock_started_at = start
    case.clock_days = days
    # Only while a unit has yet to acknowledge is the completion deadline set (by the dispatch)
    # and not the running clock; later services change it outside any clock, so it is not kept.
    case.completion_days = (
        days_until(start, case.completion_due_at)
        if stage == Stage.ACKNOWLEDGE and case.completion_due_at is not None
        else None
    )


def clear_clock(case: Case) -> None:
    """No clock runs (a final status, or waiting on nobody)."""
    case.stage = ""
    case.deadline_at = None
    case.warning_at = None
    case.warned_at = None
    case.overdue_notified_at = None
    case.clock_started_at = None
    case.clock_days = None
    case.completion_days = None


def due_state(case: Case, now: datetime.datetime | None = None) -> str:
    """``"overdue"``, ``"due_soon"``, ``"on_time"``, or ``""`` when no clock runs."""
    if case.status not in OPEN_STATUSES or case.deadline_at is None:
        return ""
    now = now or timezone.now()
    if case.deadline_at < now:
        return OVERDUE
    if case.warning_at is not None and case.warning_at <= now:
        return DUE_SOON
    return ON_TIME
