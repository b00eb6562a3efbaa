"""Reads of cases shared by the pages and the API; every one starts from the scope below.

Who sees a case: staff whose organization's subtree holds the case's owner, its handling unit
or one of its assisting units (the provincial federation, the root, sees all); and the lawyer
the case is assigned to. A user who is only a lawyer sees just the cases assigned to them.

Three functions say it, because no single query shape serves every list at a million cases
(docs/benchmarks.md):

- ``visible_cases``: the lists' scope, owner or handling unit in the subtree, or the lawyer. The
  paths are stored on the case, so the filter is a few indexed prefix ranges and never a join.
- ``assisted_cases``: the cases an assisting unit (协办单位) of the subtree helps with, listed on
  their own (the case list's "assisting" tab, the API's ``scope=assisting``). In the lists' OR,
  their sub-select would make PostgreSQL test every case of the table for a small unit.
- ``reachable_cases``: both, for finding one case (by number or id): the detail, its actions,
  attachments and comments stay open to an assisting unit.
"""

from __future__ import annotations

import datetime
import functools
import hmac
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Choices, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hotline.accounts.models import Role
from hotline.core.errors import NotFound
from hotline.organizations.scoping import visible_organizations

from . import crypto
from .deadlines import LOCAL_ZONE
from .matching import employer_key, similarity, words
from .models import Case, CaseAssist, CaseEvent, Category
from .rules import TRANSITIONS, may
from .states import OPEN_STATUSES, Action, Status

if TYPE_CHECKING:
    from hotline.accounts.models import User
    from hotline.organizations.models import Organization

# Columns a case list shows: the foreign keys it prints are fetched in the same query.
LIST_RELATED = ("category", "category__parent", "handling_org", "dispatching_org", "owner_org")
# What a row of the case list (the page and ``CaseItemOut``) reads, and nothing more: the
# description alone is most of a row's bytes. A field left out here and read by a row costs one
# query per row, which the lists' query-count tests catch.
ROW_RELATED = ("category", "category__parent", "handling_org")
ROW_FIELDS = (
    "number",
    "title",
    "channel",
    "kind",
    "status",
    "stage",
    "category__code",
    "category__name",
    "category__parent_id",
    "category__parent__name",
    "handling_org__name",
    "deadline_at",
    "warning_at",
    "supervised",
    "is_anonymous",
    "is_confidential",
    "worker_name",
    "phone",
    "people_involved",
    "extension_state",
    "urge_count",
    "return_count",
    "created_at",
)
_NUMBER = re.compile(r"^\d{13,20}$")

# Lists count their matches only up to this many: past it, "more than 1,000" is all a page needs,
# and an exact count of a prefecture's scope would read each of its hundreds of thousands of rows.
COUNT_CAP = 1000

DUPLICATE_WINDOW = datetime.timedelta(days=30)
DUPLICATE_SIMILARITY = 0.3
DUPLICATE_CANDIDATES = 50


@functools.cache
def _labels(choices: type[Choices], language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def label_of(choices: type[Choices], value: str) -> str:
    """The label of ``value`` among ``choices`` in the active language, as ``get_FOO_display``
    gives it (the value itself when unknown), from a dict built once per language: a page of
    rows would otherwise translate each label of each row again."""
    return _labels(choices, get_language()).get(value, value)


def sees_by_subtree(user: User) -> bool:
    """False for a user whose only role is lawyer: they see assigned cases, not a subtree."""
    return not (user.roles and user.roles <= {Role.LAWYER})


def visible_cases(user: User) -> QuerySet[Case]:
    """The cases of ``user``'s lists: registered or handled in their subtree, or assigned to
    them as lawyer. Not the cases their subtree only assists with: ``assisted_cases``."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    assigned = Q(lawyer_id=user.pk)
    if not sees_by_subtree(user):
        return Case.objects.filter(assigned)
    organization = user.organization
    if organization.parent_id is None:
        return Case.objects.all()
    path = organization.path
    return Case.objects.filter(
        Q(owner_path__startswith=path) | Q(handling_path__startswith=path) | assigned
    )


class _InArray(In):
    """``column IN (subquery)``, written ``column = ANY(ARRAY(subquery))`` on PostgreSQL.

    PostgreSQL then runs the subquery once, finds those cases by primary key and sorts them:
    the cost grows with the subtree's assisted cases (a few ms for a county's hundreds, about
    40 ms for a prefecture's 8,000 at a million cases). Given ``IN (subquery)`` it may instead
    walk the whole table newest first, testing each case, in the hope of meeting a page of them
    soon; where assisted cases are rare among the newest, that read 60,000 cases for a county
    and took 0.4 to 1 s for prefectures (docs/benchmarks.md).
    """

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def assisted_cases(user: User) -> QuerySet[Case]:
    """The cases an assisting unit in ``user``'s subtree helps with (协办), whoever handles
    them. For the root, every case that has an assisting unit; for a lawyer only, none."""
    if not user.is_authenticated or not user.is_active or not sees_by_subtree(user):
        return Case.objects.none()
    return Case.objects.filter(_InArray(F("pk"), _assisted_ids(user)))


def _assisted_ids(user: User) -> QuerySet[CaseAssist]:
    return CaseAssist.objects.filter(path__startswith=user.organization.path).values("case_id")


def reachable_cases(user: User) -> QuerySet[Case]:
    """Every case ``user`` may open: ``visible_cases`` and ``assisted_cases``.

    For finding one case (by number or id): the case comes by its index, and then the
    assisting units are one hashed look-up. Never a list's scope: with the sub-select in the
    OR, PostgreSQL tests every case of the table for a small unit's list.
    """
    cases = visible_cases(user)
    if not user.is_authenticated or not user.is_active or not sees_by_subtree(user):
        return cases
    if user.organization.parent_id is None:
        return cases
    return cases | Case.objects.filter(pk__in=_assisted_ids(user))


def get_visible_case(user: User, number: str) -> Case:
    """The case ``number`` if ``user`` may open it (``reachable_cases``); ``NotFound``
    otherwise."""
    found = (
        reachable_cases(user)
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
    whether a number exists. The category comes joined: the public pages name it.
    """
    found = (
        Case.objects.select_related("category__parent")
        .filter(number=(number or "").strip())
        .first()
    )
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
    # The cases the user's subtree assists with (``assisted_cases``) instead of ``visible_cases``.
    assisting: bool = False


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LOCAL_ZONE)


def case_list(user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """``user``'s cases narrowed by ``filters``, newest first, with what a list row shows.

    A page of it is one query whatever its length (the related rows come joined); a page of
    the assisting list (``filters.assisting``) is one query and one per related table. Only the
    columns of ``ROW_FIELDS`` are read (an export reads its own with ``values_list``).
    """
    filters = filters or CaseFilters()
    if filters.assisting:
        # PostgreSQL guesses that ``assisted_cases`` finds ten cases; joined to the related rows
        # on that guess, a prefecture's 8,000 were sorted on disk three times (0.36 s instead of
        # 0.04 s). The related rows come by id instead, for the page's cases only.
        cases = assisted_cases(user).prefetch_related(*ROW_RELATED)
        cases = cases.only(*_own_fields(), "category_id", "handling_org_id")
    else:
        cases = visible_cases(user).select_related(*ROW_RELATED).only(*ROW_FIELDS)
    cases = cases.order_by("-created_at", "-id")
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


def _own_fields() -> list[str]:
    return [name for name in ROW_FIELDS if "__" not in name]


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


# The work tabs of a unit: what is waiting for it, each a status and the unit's place on the case.
WORK_TABS = (
    "to_accept",
    "to_dispatch",
    "to_acknowledge",
    "in_progress",
    "to_review",
    "to_follow_up",
)

# Hand-overs: the actions that give a case to a unit. The latest one says how it got there.
HANDOVERS = (
    Action.DISPATCH,
    Action.REASSIGN,
    Action.ESCALATE,
    Action.RETURN,
    Action.SEND_BACK,
    Action.REOPEN,
    Action.APPROVE,
)
# The hand-overs that bring a case back up to a unit, which must pass it on again or handle it.
CAME_BACK = (Action.RETURN, Action.ESCALATE)


def latest_handover() -> Subquery:
    """The action of the case's latest hand-over (``HANDOVERS``), for a case in a queryset: one
    backward step along the case's events by the (case, sequence) index."""
    return Subquery(
        CaseEvent.objects.filter(case_id=OuterRef("pk"), action__in=HANDOVERS)
        .order_by("-sequence")
        .values("action")[:1]
    )


def work_tab_filter(tab: str, org: Organization) -> Q | None:
    """The condition of the work tab ``tab`` of ``org``; None for a name that is no work tab.

    ``to_accept`` (received by the unit), ``to_dispatch`` (accepted by the unit and not handed
    to anyone, or come back to it from below: it must dispatch or answer them), ``to_acknowledge``
    (dispatched to it), ``in_progress`` (it is handling), ``to_review`` (replies from the units it
    dispatched to), ``to_follow_up`` (resolved cases of the unit still to be followed up).
    """
    if tab == "to_accept":
        return Q(status=Status.RECEIVED, owner_org=org)
    if tab == "to_dispatch":
        # Back at the owner a returned case is "accepted" with no handling unit; an intermediate
        # unit (a prefecture whose county returned it) holds it "in progress" again, told apart
        # from its own handling by how it got there. Both branches are narrow index ranges.
        came_back = Q(status=Status.IN_PROGRESS, handling_org=org) & In(
            latest_handover(), CAME_BACK
        )
        return Q(status=Status.ACCEPTED, owner_org=org) | came_back
    if tab == "to_acknowledge":
        return Q(status=Status.DISPATCHED, handling_org=org)
    if tab == "in_progress":
        return Q(status=Status.IN_PROGRESS, handling_org=org)
    if tab == "to_review":
        return Q(status=Status.REPLIED, dispatching_org=org)
    if tab == "to_follow_up":
        return Q(status=Status.RESOLVED, rating="", owner_org=org)
    return None


def case_counts(user: User, tabs: Sequence[str] = WORK_TABS) -> dict[str, int]:
    """How many cases each of the work ``tabs`` of ``user``'s unit holds, in one query.

    Each tab is one status of the unit's own cases, so the query is an OR of narrow index
    ranges (status, or unit and status) whatever the size of the scope; it never reads the
    unit's closed cases (docs/benchmarks.md).
    """
    org = user.organization
    conditions = {tab: work_tab_filter(tab, org) for tab in tabs}
    wanted = [condition for condition in conditions.values() if condition is not None]
    if not wanted:
        return {}
    unit_cases = visible_cases(user).filter(functools.reduce(operator.or_, wanted))
    return unit_cases.aggregate(
        **{
            tab: Count("pk", filter=condition)
            for tab, condition in conditions.items()
            if condition is not None
        }
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
