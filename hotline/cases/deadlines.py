"""The running clock of a case: how long a stage may take, when it ends, when it is due soon.

A stage of N working days started at moment t ends at 23:59:59 (Asia/Shanghai) of the N-th working
day after t's local date, on the Chinese calendar (``hotline.workdays.calendar``: statutory holidays
and make-up workdays). The last 20 % of that time is ``due_soon``; after the end it is ``overdue``.
How many days a stage takes comes from ``DeadlineRule`` rows, the most specific one winning.

The rules are a few dozen rows that only administrators change, read on every intake and stage
change; each process keeps them all in memory. A rule saved or deleted through the ORM (the
admin) clears that copy in its own process at once and again when its transaction commits; other
processes reload theirs when it is ``RULES_MAX_AGE`` seconds old, so a change reaches every
process within a minute (the admin says so). Bulk updates, which send no signals, wait for the
same minute.

Each clock also keeps what it was set from (its start and its number of working days), so that
when administrators change the calendar, ``services.recompute`` can apply the change to deadlines
already set, on demand and with an event, instead of them moving silently.
"""

from __future__ import annotations

import datetime
import logging
import time
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
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


# Seconds a process keeps its copy of the deadline rules (see the module's docstring).
RULES_MAX_AGE = 60.0

RuleKey = tuple[str, str, int | None]
# (when loaded, on time.monotonic; (stage, kind, category id) -> working days), or None.
_rules: tuple[float, dict[RuleKey, int]] | None = None


def all_rules() -> dict[RuleKey, int]:
    """Every deadline rule as (stage, kind, category id) → working days, from this process's copy.

    One query when the copy is missing or older than ``RULES_MAX_AGE`` seconds, none otherwise.
    """
    global _rules
    cached = _rules
    now = time.monotonic()
    if cached is not None and now - cached[0] < RULES_MAX_AGE:
        return cached[1]
    rules = {
        (stage, kind, category_id): days
        for stage, kind, category_id, days in DeadlineRule.objects.values_list(
            "stage", "kind", "category_id", "working_days"
        )
    }
    _rules = (now, rules)
    return rules


def forget_rules() -> None:
    """Drop this process's copy of the deadline rules: the next read loads them again."""
    global _rules
    _rules = None


@receiver(post_save, sender=DeadlineRule, dispatch_uid="deadlines.forget_rules.save")
@receiver(post_delete, sender=DeadlineRule, dispatch_uid="deadlines.forget_rules.delete")
def _rule_changed(**kwargs: Any) -> None:
    # Now, for this transaction's own reads; at commit, for what other threads loaded meanwhile.
    forget_rules()
    transaction.on_commit(forget_rules, using=kwargs.get("using"))


def rule_days(stage: str, kind: str, category: Category | int | None) -> int:
    """Working days ``stage`` may take for a case of ``kind`` in ``category``.

    The most specific rule wins: kind + category, kind + the category's parent, category, parent,
    kind alone, then the default (no kind, no category). Reads the process's copy of the rules
    (``all_rules``); a category given by id costs a query for its parent.
    """
    specific = [pk for pk in _category_ids(category) if pk is not None]
    rules = all_rules()
    keys = [(kind, pk) for pk in specific] + [("", pk) for pk in specific]
    for key_kind, key_category in [*keys, (kind, None), ("", None)]:
        days = rules.get((stage, key_kind, key_category))
        if days is not None:
            return days
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
