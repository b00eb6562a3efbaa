"""Reads of cases shared by the pages and the API; every one starts from ``visible_cases``.

Who sees a case: staff whose organization's subtree holds the case's owner, its handling unit
or one of its assisting units (the provincial federation, the root, sees all); and the lawyer
the case is assigned to. A user who is only a lawyer sees just the cases assigned to them. The
paths are stored on the case, so the filter is a few indexed prefix ranges and never a join.
"""

from __future__ import annotations

import datetime
import functools
import hmac
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import Role
from hotline.core.errors import NotFound
from hotline.organizations.scoping import visible_organizations

from . import crypto
from .deadlines import LOCAL_ZONE
from .matching import employer_key, similarity, words
from .models import Case, CaseAssist, CaseEvent, Category
from .rules import TRANSITIONS, may
from .states import OPEN_STATUSES, Action, Rating, Status

if TYPE_CHECKING:
    from hotline.accounts.models import User

# Columns a case list shows: the foreign keys it prints are fetched in the same query.
LIST_RELATED = ("category", "category__parent", "handling_org", "dispatching_org", "owner_org")
_NUMBER = re.compile(r"^\d{13,20}$")

# Lists count their matches only up to this many: past it, "more than 1,000" is all a page needs,
# and an exact count of a prefecture's scope would read each of its hundreds of thousands of rows.
COUNT_CAP = 1000

DUPLICATE_WINDOW = datetime.timedelta(days=30)
DUPLICATE_SIMILARITY = 0.3
DUPLICATE_CANDIDATES = 50


def sees_by_subtree(user: User) -> bool:
    """False for a user whose only role is lawyer: they see assigned cases, not a subtree."""
    return not (user.roles and user.roles <= {Role.LAWYER})


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case ``user`` may see."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    assigned = Q(lawyer_id=user.pk)
    if not sees_by_subtree(user):
        return Case.objects.filter(assigned)
    organization = user.organization
    if organization.parent_id is None:
        return Case.objects.all()
    path = organization.path
    assisted = CaseAssist.objects.filter(path__startswith=path).values("case_id")
    return Case.objects.filter(
        Q(owner_path__startswith=path)
        | Q(handling_path__startswith=path)
        | Q(pk__in=assisted)
        | assigned
    )


def get_visible_case(user: User, number: str) -> Case:
    """The case ``number`` if ``user`` may see it; ``NotFound`` otherwise."""
    found = (
        visible_cases(user)
        .select_related(*LIST_RELATED, "workplace_division", "lawyer", "merged_into")
        .filter(number=(number or "").strip())
        .first()
    )
    if found is None:
        raise NotFound("case.not_found", _("No such case."))
    return found


def get_public_case(number: str, phone: str) -> Case:
    """The case ``number`` filed from ``phone``, for the worker on the public pages.

    A wrong phone and an unknown number give the same ``NotFound``: the answer must not tell
    whether a number exists.
    """
    found = Case.objects.filter(number=(number or "").strip()).first()
    given = crypto.normalize_phone(phone or "")
    if found is None or not found.phone or not hmac.compare_digest(found.phone, given):
        raise NotFound("case.not_found", _("No case matches this number and phone number."))
    return found


@dataclass(frozen=True)
class CaseFilters:
    """What a case list may be narrowed by; empty values do not filter."""

    status: str = ""
    kind: str = ""
    category: str = ""  # a category code; a top-level code includes its children
    unit: int | None = None  # a handling unit: cases handled in its subtree
    overdue: bool = False
    due_soon: bool = False
    supervised: bool = False
    text: str = ""  # a case number or phone (exact), else words in title, employer, description
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LOCAL_ZONE)


def case_list(user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """``user``'s cases narrowed by ``filters``, newest first, with what a list row shows.

    A page of it is one query whatever its length (the related rows come joined).
    """
    filters = filters or CaseFilters()
    cases = visible_cases(user).select_related(*LIST_RELATED).order_by("-created_at", "-id")
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.category:
        # The category and its subcategories, by id: an indexed IN rather than a join and an OR.
        code = filters.category
        ids = list(
            Category.objects.filter(Q(code=code) | Q(parent__code=code)).values_list(
                "pk", flat=True
            )
        )
        if not ids:
            return cases.none()
        cases = cases.filter(category_id__in=ids)
    if filters.unit is not None:
        unit = visible_organizations(user).filter(pk=filters.unit).first()
        if unit is None:
            return cases.none()
        cases = cases.filter(handling_path__startswith=unit.path)
    moment = timezone.now()
    if filters.overdue:
        cases = cases.filter(status__in=OPEN_STATUSES, deadline_at__lt=moment)
    if filters.due_soon:
        cases = cases.filter(
            status__in=OPEN_STATUSES, warning_at__lte=moment, deadline_at__gte=moment
        )
    if filters.supervised:
        cases = cases.filter(supervised=True)
    if filters.created_from:
        cases = cases.filter(created_at__gte=_local_midnight(filters.created_from))
    if filters.created_to:
        next_day = filters.created_to + datetime.timedelta(days=1)
        cases = cases.filter(created_at__lt=_local_midnight(next_day))
    text = (filters.text or "").strip()
    if text:
        cases = cases.filter(_text_filter(text))
    return cases


def count_cases(cases: QuerySet[Case], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many cases ``cases`` holds: ``(count, True)`` up to ``cap``, else ``(cap, False)``,
    which a list shows as "more than ``cap``".

    At most ``cap + 1`` matching rows are read, so the cost does not grow with a large scope:
    on PostgreSQL an exact count reads every matching row (the scope's OR cannot be answered
    from an index alone): 0.1 s for a million cases, up to a second for a prefecture's share
    (docs/benchmarks.md). The order is dropped: any ``cap + 1`` rows will do, and a planner that
    underestimates a filter would otherwise sort the whole match to find the newest.
    """
    found = cases.order_by()[: cap + 1].count()
    return (found, True) if found <= cap else (cap, False)


def _text_filter(text: str) -> Q:
    if _NUMBER.match(text):
        return Q(number=text)
    phone = crypto.normalize_phone(text)
    if crypto.is_valid_phone(phone):
        return Q(phone=phone)
    return (
        Q(title__icontains=text) | Q(employer_name__icontains=text) | Q(description__icontains=text)
    )


def case_counts(user: User) -> dict[str, int]:
    """The counts on the work tabs of ``user``'s unit, in one query.

    ``to_accept`` (received by the unit), ``to_acknowledge`` (dispatched to it), ``in_progress``
    (it is handling), ``to_review`` (replies from the units it dispatched to), ``to_follow_up``
    (resolved cases of the unit still to be followed up), ``dissatisfied`` (dissatisfied ratings
    in its subtree awaiting a supervisor).
    """
    org = user.organization
    unit_cases = visible_cases(user).filter(
        Q(owner_org=org)
        | Q(handling_org=org)
        | Q(dispatching_org=org)
        | Q(status=Status.RESOLVED, rating=Rating.DISSATISFIED, owner_path__startswith=org.path)
    )
    return unit_cases.aggregate(
        to_accept=Count("pk", filter=Q(status=Status.RECEIVED, owner_org=org)),
        to_acknowledge=Count("pk", filter=Q(status=Status.DISPATCHED, handling_org=org)),
        in_progress=Count("pk", filter=Q(status=Status.IN_PROGRESS, handling_org=org)),
        to_review=Count("pk", filter=Q(status=Status.REPLIED, dispatching_org=org)),
        to_follow_up=Count("pk", filter=Q(status=Status.RESOLVED, rating="", owner_org=org)),
        dissatisfied=Count(
            "pk",
            filter=Q(
                status=Status.RESOLVED,
                rating=Rating.DISSATISFIED,
                owner_path__startswith=org.path,
            ),
        ),
    )


def screen_pop(phone: str, *, user: User | None = None, limit: int = 10) -> list[Case]:
    """The caller's earlier cases, newest first (those ``user`` may see, when given)."""
    number = crypto.normalize_phone(phone)
    if not crypto.is_valid_phone(number):
        return []
    cases = visible_cases(user) if user is not None else Case.objects.all()
    return list(
        cases.filter(phone=number).select_related(*LIST_RELATED).order_by("-created_at")[:limit]
    )


def duplicate_hints(
    phone: str,
    employer_name: str,
    description: str,
    exclude: Case | None = None,
    *,
    user: User | None = None,
    limit: int = 5,
) -> list[Case]:
    """Recent cases that may be the same request: same phone or same employer in the last 30
    days, with a description similar enough (Jaccard ≥ 0.3 on jieba words), most similar first.

    At most 50 candidates are read (the newest), so the cost does not grow with the history.
    Each returned case carries ``similarity``.
    """
    match = Q()
    number = crypto.normalize_phone(phone)
    if crypto.is_valid_phone(number):
        match |= Q(phone=number)
    key = employer_key(employer_name)
    if key:
        match |= Q(employer_key=key)
    mine = words(description)
    if not match or not mine:
        return []
    cases = visible_cases(user) if user is not None else Case.objects.all()
    cases = cases.filter(match, created_at__gte=timezone.now() - DUPLICATE_WINDOW).exclude(
        status=Status.MERGED
    )
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    scored = []
    for candidate in cases.select_related(*LIST_RELATED).order_by("-created_at")[
        :DUPLICATE_CANDIDATES
    ]:
        score = similarity(mine, _candidate_words(f"{candidate.title} {candidate.description}"))
        if score >= DUPLICATE_SIMILARITY:
            candidate.similarity = score  # type: ignore[attr-defined]
            scored.append(candidate)
    scored.sort(key=lambda case: case.similarity, reverse=True)  # type: ignore[attr-defined]
    return scored[:limit]


@functools.lru_cache(maxsize=2048)
def _candidate_words(text: str) -> frozenset[str]:
    """``words`` of a candidate's title and description, remembered by the process: a busy
    caller's or employer's recent cases are the candidates of every new intake about them, and
    cutting a text with jieba costs more than reading it (docs/benchmarks.md)."""
    return words(text)


# Actions offered on a case page, in the order a page lists them. ``rate`` is the worker's own.
OFFERED_ACTIONS = tuple(action for action in TRANSITIONS if action != Action.RATE)


def allowed_actions(user: User, case: Case) -> list[str]:
    """The actions ``user`` may take on ``case`` now: exactly those the services would allow."""
    return [action for action in OFFERED_ACTIONS if may(action, user, case)]


# --- the worker's view -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    status: str
    status_label: str
    title: str
    text: str


def _public_title(event: CaseEvent) -> str:
    data = event.data or {}
    action = event.action
    if action == Action.CREATE:
        return _("Your request was received.")
    if action == Action.ACCEPT:
        return _("Your request was accepted.")
    if action == Action.DECLINE:
        return _("Your request is outside what the union handles; see where to turn instead.")
    if action == Action.RESOLVE_DIRECTLY:
        return _("Your request was answered.")
    if action == Action.DISPATCH:
        return _("Your request was passed to %(unit)s for handling.") % {
            "unit": data.get("to_name", "")
        }
    if action == Action.ACKNOWLEDGE:
        return _("The handling unit has taken on your request.")
    if action == Action.APPROVE:
        return _("Your request has been resolved.")
    if action in (Action.FOLLOW_UP, Action.RATE):
        return _("Your rating was recorded.")
    if action == Action.CLOSE:
        return _("Your case was closed after review.")
    if action == Action.REOPEN:
        return _("Your request is being handled again.")
    if action == Action.MERGE:
        return _("Your request was joined with an earlier request on the same matter.")
    if action == Action.COMMENT:
        return _("A message from the staff handling your request.")
    return str(Action(action).label)


def public_timeline(case: Case) -> list[TimelineEntry]:
    """What the worker sees of the history: public events only, in plain words, without staff
    names or internal notes (only the text written for the worker: an answer, a referral)."""
    events = CaseEvent.objects.filter(case_id=case.pk, public=True).order_by("sequence")
    return [
        TimelineEntry(
            at=event.created_at,
            status=event.to_status,
            status_label=str(Status(event.to_status).label) if event.to_status else "",
            title=_public_title(event),
            text=str((event.data or {}).get("public_text", "")),
        )
        for event in events.only("action", "to_status", "data", "created_at", "sequence")
    ]
