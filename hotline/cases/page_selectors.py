"""Reads the staff pages need on top of ``hotline.cases.selectors``; each starts from
``visible_cases`` (or from a case the caller already got from ``get_visible_case``).

The work tabs of the case list, the handling unit's inbox, the supervision board's load by unit,
the follow-up queue, a case's timeline and dispatch path, deadline badges, and who may see a
worker's full personal data. Lists cost a fixed number of queries, whatever their length.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hotline.core.errors import NotFound
from hotline.organizations.models import PATH_STEP, Organization
from hotline.organizations.scoping import visible_organizations
from hotline.workdays.calendar import working_days_between

from . import privacy
from .deadlines import DUE_SOON, OVERDUE, due_state, local_date
from .models import Attachment, Case, CaseAssist, CaseEvent
from .rules import DISPATCH_ROLES, INTAKE_ROLES
from .selectors import (
    LIST_RELATED,
    WORK_TABS,
    CaseFilters,
    case_list,
    latest_handover,
    sees_by_subtree,
    visible_cases,
    work_tab_filter,
)
from .states import OPEN_STATUSES, Action, ExtensionState, Rating, Stage, Status

if TYPE_CHECKING:
    from hotline.accounts.models import User

# --- the work tabs of the case list ------------------------------------------------------------

# A tab lists exactly what its count counts: both come from ``selectors.work_tab_filter``.
TAB_ALL = "all"
# The cases the user's subtree assists with (协办): a scope of its own, not part of "all".
TAB_ASSISTING = "assisting"


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    count: int | None


def offers_assisting_tab(user: User) -> bool:
    """Units below the root may assist; the root's "all" already holds every case."""
    return sees_by_subtree(user) and user.organization.parent_id is not None


def work_tabs(user: User, counts: dict[str, int]) -> list[Tab]:
    """The tabs of the case list for ``user``, with ``counts`` from ``selectors.case_counts``.

    "To accept" is only offered to the roles that accept requests, "to dispatch" to those that
    dispatch; "assisting" to units that may assist (it has no count: like "all", it lists every
    status).
    """
    tabs = []
    if user.has_role(*INTAKE_ROLES):
        tabs.append(Tab("to_accept", _("To accept"), counts.get("to_accept", 0)))
    if user.has_role(*DISPATCH_ROLES):
        tabs.append(Tab("to_dispatch", _("To dispatch"), counts.get("to_dispatch", 0)))
    tabs += [
        Tab("to_acknowledge", _("To acknowledge"), counts.get("to_acknowledge", 0)),
        Tab("in_progress", _("In progress"), counts.get("in_progress", 0)),
        Tab("to_review", _("To review"), counts.get("to_review", 0)),
        Tab("to_follow_up", _("To follow up"), counts.get("to_follow_up", 0)),
        Tab(TAB_ALL, _("All"), None),
    ]
    if offers_assisting_tab(user):
        tabs.append(Tab(TAB_ASSISTING, _("Assisting"), None))
    return tabs


# The tabs only some roles are offered, and those roles.
_ROLE_TABS = {"to_accept": INTAKE_ROLES, "to_dispatch": DISPATCH_ROLES}


def counted_tabs(user: User) -> list[str]:
    """The work tabs ``work_tabs`` shows a count for: what ``case_counts`` has to count."""
    return [tab for tab in WORK_TABS if tab not in _ROLE_TABS or user.has_role(*_ROLE_TABS[tab])]


def tab_cases(user: User, filters: CaseFilters, tab: str) -> QuerySet[Case]:
    """The list of the tab ``tab`` (all for an unknown tab), narrowed by ``filters``."""
    if tab == TAB_ASSISTING:
        return case_list(user, replace(filters, assisting=True))
    condition = work_tab_filter(tab, user.organization)
    cases = case_list(user, filters)
    return cases if condition is None else cases.filter(condition)


# --- units: the picker and the search ----------------------------------------------------------

UNIT_SEARCH_LIMIT = 30
# A county may have hundreds of grassroots unions: the picker lists this many, the search the rest.
UNIT_CHOICES_LIMIT = 100


def unit_choices(user: User, selected: Iterable[int] = ()) -> list[Organization]:
    """What a unit picker offers before any search: the user's organization, the first units
    directly below it, and the ``selected`` ones (which may lie deeper), all in ``user``'s
    subtree, in tree order."""
    own = user.organization
    near = list(
        visible_organizations(user)
        .filter(Q(pk=own.pk) | Q(parent_id=own.pk), is_active=True)
        .select_related("parent")
        .order_by("path")[: UNIT_CHOICES_LIMIT + 1]
    )
    known = {unit.pk for unit in near}
    missing = [pk for pk in selected if pk and pk not in known]
    return near + units_by_id(user, missing) if missing else near


def search_units(user: User, text: str, *, limit: int = UNIT_SEARCH_LIMIT) -> list[Organization]:
    """Active units of ``user``'s subtree whose name contains ``text``, in tree order."""
    text = text.strip()
    if not text:
        return unit_choices(user)
    return list(
        visible_organizations(user)
        .filter(name__icontains=text, is_active=True)
        .select_related("parent")
        .order_by("path")[:limit]
    )


def units_by_id(user: User, ids: Iterable[int]) -> list[Organization]:
    """The units ``ids`` that lie in ``user``'s subtree, in tree order."""
    wanted = [pk for pk in ids if pk]
    if not wanted:
        return []
    return list(
        visible_organizations(user).filter(pk__in=wanted).select_related("parent").order_by("path")
    )


# --- deadline badges ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineBadge:
    """What a page shows about a case's running clock."""

    state: str  # "overdue", "due_soon" or "on_time"
    text: str  # "3 working days left", "overdue by 2 working days"
    deadline: datetime.datetime
    stage: str

    @property
    def css(self) -> str:
        return {OVERDUE: "danger", DUE_SOON: "warning"}.get(self.state, "success")

    @property
    def icon(self) -> str:
        return {OVERDUE: "exclamation-octagon", DUE_SOON: "hourglass-split"}.get(
            self.state, "clock"
        )


def deadline_badge(case: Case, now: datetime.datetime | None = None) -> DeadlineBadge | None:
    """The badge of ``case``'s running clock; None when no clock runs (a closed case)."""
    now = now or timezone.now()
    state = due_state(case, now)
    if not state:
        return None
    today = local_date(now)
    last_day = local_date(case.deadline_at)
    if state == OVERDUE:
        late = working_days_between(last_day, today)
        if late:
            text = ngettext(
                "overdue by %(count)d working day", "overdue by %(count)d working days", late
            ) % {"count": late}
        else:
            text = _("overdue")
    else:
        left = working_days_between(today, last_day)
        if left:
            text = ngettext("%(count)d working day left", "%(count)d working days left", left) % {
                "count": left
            }
        else:
            text = _("due today")
    stage = str(Stage(case.stage).label) if case.stage else ""
    return DeadlineBadge(state=state, text=text, deadline=case.deadline_at, stage=stage)


def list_rows(cases: Iterable[Case]) -> list[Case]:
    """``cases`` as a list, each carrying what a list row shows beyond its fields: ``badge`` (a
    ``DeadlineBadge`` or None), ``masked_name`` and ``masked_phone``."""
    now = timezone.now()
    rows = list(cases)
    for case in rows:
        case.badge = deadline_badge(case, now)  # type: ignore[attr-defined]
        case.masked_name = privacy.masked_name(case)  # type: ignore[attr-defined]
        case.masked_phone = privacy.masked_phone(case)  # type: ignore[attr-defined]
    return rows


# --- one case: timeline, dispatch path, assisting units, attachments ---------------------------


def case_timeline(case: Case) -> list[CaseEvent]:
    """Every event of ``case`` in order, with actor, organization and attached files (2 queries)."""
    return list(
        CaseEvent.objects.filter(case_id=case.pk)
        .select_related("organization")
        .prefetch_related("attachments")
        .order_by("sequence")
    )


def dispatch_path(case: Case) -> list[Organization]:
    """The units the case passed through, top first: the dispatch chain, then the handling unit."""
    ids = [entry["org"] for entry in case.dispatch_chain or []]
    if case.handling_org_id and case.handling_org_id not in ids:
        ids.append(case.handling_org_id)
    if not ids:
        return []
    found = Organization.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def assisting_units(case: Case) -> list[Organization]:
    return [
        assist.organization
        for assist in CaseAssist.objects.filter(case_id=case.pk)
        .select_related("organization")
        .order_by("organization__path")
    ]


def case_attachments(case: Case) -> list[Attachment]:
    return list(
        Attachment.objects.filter(case_id=case.pk)
        .select_related("uploaded_by")
        .order_by("created_at", "pk")
    )


def get_case_attachment(case: Case, pk: int) -> Attachment:
    """Attachment ``pk`` of ``case`` (a case the caller may see); ``NotFound`` otherwise."""
    found = Attachment.objects.filter(case_id=case.pk, pk=pk).first()
    if found is None:
        raise NotFound("attachment.not_found", _("No such attachment."))
    return found


# --- the handling unit's inbox -----------------------------------------------------------------

# A case that came back to its unit for more work.
SENT_BACK = (Action.SEND_BACK, Action.RETURN, Action.REOPEN)

INBOX_FILTERS = ("to_acknowledge", "in_progress", "extension", "sent_back")


def _latest_event(action: Sequence[str] | str, column: str) -> Subquery:
    actions = [action] if isinstance(action, str) else list(action)
    return Subquery(
        CaseEvent.objects.filter(case_id=OuterRef("pk"), action__in=actions)
        .order_by("-sequence")
        .values(column)[:1]
    )


def _inbox_q(show: str) -> Q:
    if show == "to_acknowledge":
        return Q(status=Status.DISPATCHED)
    if show == "in_progress":
        return Q(status=Status.IN_PROGRESS)
    if show == "extension":
        return Q(extension_state=ExtensionState.REQUESTED)
    if show == "sent_back":
        return Q(status=Status.IN_PROGRESS, last_handover__in=SENT_BACK)
    return Q()


def _in_unit_hands(user: User) -> QuerySet[Case]:
    return visible_cases(user).filter(
        handling_org_id=user.organization_id,
        status__in=(Status.DISPATCHED, Status.IN_PROGRESS),
    )


def inbox_cases(user: User) -> QuerySet[Case]:
    """The open cases in ``user``'s unit's hands (dispatched to it or being handled there),
    each with ``last_handover`` (how it got there), ``last_urge_note`` and ``last_urge_at``."""
    return (
        _in_unit_hands(user)
        .select_related(*LIST_RELATED)
        .annotate(
            last_handover=latest_handover(),
            last_urge_note=_latest_event(Action.URGE, "note"),
            last_urge_at=_latest_event(Action.URGE, "created_at"),
        )
    )


def inbox(user: User, show: str = "") -> QuerySet[Case]:
    """``inbox_cases`` narrowed to one of ``INBOX_FILTERS``; waiting for acknowledgement first,
    then the nearest deadline first."""
    waiting_first = SqlCase(
        When(status=Status.DISPATCHED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        inbox_cases(user)
        .filter(_inbox_q(show))
        .order_by(waiting_first, F("deadline_at").asc(nulls_last=True), "-id")
    )


def inbox_counts(user: User) -> dict[str, int]:
    """How many cases each inbox filter holds, and ``all`` (one query)."""
    cases = _in_unit_hands(user).annotate(last_handover=latest_handover())
    return cases.aggregate(
        all=Count("pk"),
        **{show: Count("pk", filter=_inbox_q(show)) for show in INBOX_FILTERS},
    )


# --- the supervision board ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnitLoad:
    """Overdue and due-soon cases handled in one unit's subtree."""

    unit: Organization
    overdue: int
    due_soon: int
    is_base: bool  # the board's own unit (cases it handles itself, or not yet dispatched)


def _effective_path() -> SqlCase:
    """Where a case waits: with its handling unit while that unit acknowledges, works or its
    reply is reviewed; with its owner before dispatch and for the follow-up."""
    return SqlCase(
        When(stage__in=(Stage.ACCEPT, Stage.FOLLOW_UP), then=F("owner_path")),
        default=Coalesce(NullIf("handling_path", Value("")), "owner_path"),
        output_field=CharField(),
    )


def _waiting_below(user: User, base: Organization, now: datetime.datetime) -> QuerySet[Case]:
    """Open cases due soon or overdue that wait below ``base``, each with its ``place``.

    Below the root every case waits: the filter on ``place`` is left out there, where it would
    only make PostgreSQL guess that one row in a thousand passes it and join the related rows
    to every candidate in nested loops (the province's board: 23 ms for that query alone).
    """
    cases = (
        visible_cases(user)
        .filter(status__in=OPEN_STATUSES, warning_at__lte=now)
        .annotate(place=_effective_path())
    )
    if base.parent_id is None:
        return cases
    return cases.filter(place__startswith=base.path)


def deadline_load(user: User, base: Organization) -> list[UnitLoad]:
    """Overdue and due-soon open cases below ``base`` (a unit ``user`` may see), counted per unit
    directly below it and for ``base`` itself; the worst first. Two queries.

    A case counts where it waits (``_effective_path``).
    """
    now = timezone.now()
    branch_length = len(base.path) + PATH_STEP
    rows = (
        _waiting_below(user, base, now)
        .annotate(branch=Substr("place", 1, branch_length))
        .values("branch")
        .annotate(
            overdue=Count("pk", filter=Q(deadline_at__lt=now)),
            due_soon=Count("pk", filter=Q(deadline_at__gte=now)),
        )
        .order_by()
    )
    counts = {row["branch"]: (row["overdue"], row["due_soon"]) for row in rows}
    units = {unit.path: unit for unit in Organization.objects.filter(path__in=list(counts))}
    loads = [
        UnitLoad(unit=units[path], overdue=overdue, due_soon=due_soon, is_base=path == base.path)
        for path, (overdue, due_soon) in counts.items()
        if path in units
    ]
    # The worst first; of equals, the units below before the base's own cases.
    loads.sort(key=lambda load: (-load.overdue, -load.due_soon, load.is_base, load.unit.path))
    return loads


def watched_cases(user: User, base: Organization, *, limit: int = 50) -> list[Case]:
    """Overdue and due-soon open cases below ``base``, nearest deadline first (longest overdue
    at the top), with the latest urge.

    The page's cases are picked first and only they are joined to their related rows: the
    province has about a thousand cases due soon or overdue, and joining them all before sorting
    took most of the board's query time. Still one query.
    """
    order = ("deadline_at", "id")
    first = _waiting_below(user, base, timezone.now()).order_by(*order).values("pk")[:limit]
    cases = (
        Case.objects.filter(pk__in=first)
        .select_related(*LIST_RELATED)
        .annotate(last_urge_note=_latest_event(Action.URGE, "note"))
        .order_by(*order)
    )
    return list_rows(cases)


def watched_case(user: User, pk: int) -> Case:
    """One case of the board, read again after a one-click action, as ``watched_cases`` has it."""
    return (
        visible_cases(user)
        .select_related(*LIST_RELATED)
        .annotate(last_urge_note=_latest_event(Action.URGE, "note"))
        .get(pk=pk)
    )


def supervised_cases(user: User, *, limit: int = 20) -> list[Case]:
    """Open cases under formal supervision, nearest deadline first."""
    cases = (
        visible_cases(user)
        .filter(supervised=True, status__in=OPEN_STATUSES)
        .select_related(*LIST_RELATED)
        .order_by(F("deadline_at").asc(nulls_last=True), "-id")
    )
    return list_rows(cases[:limit])


def _dissatisfied(user: User) -> Q:
    return Q(
        status=Status.RESOLVED,
        rating=Rating.DISSATISFIED,
        owner_path__startswith=user.organization.path,
    )


def board_counts(user: User) -> dict[str, int]:
    """How many open cases are under supervision and how many dissatisfied ratings wait for a
    decision, in ``user``'s scope.

    Two counts, each narrowed by an index first (supervised cases; resolved cases): one
    aggregate with both as filters would read every case in the scope.
    """
    cases = visible_cases(user)
    return {
        "supervised": cases.filter(supervised=True, status__in=OPEN_STATUSES).count(),
        "dissatisfied": cases.filter(_dissatisfied(user)).count(),
    }


def dissatisfied_cases(user: User, *, limit: int = 20) -> list[Case]:
    """Resolved cases rated dissatisfied, waiting for a supervisor to close or reopen them;
    the longest waiting first."""
    cases = (
        visible_cases(user)
        .filter(_dissatisfied(user))
        .select_related(*LIST_RELATED)
        .order_by("followed_up_at", "id")
    )
    return list(cases[:limit])


# --- the follow-up queue -----------------------------------------------------------------------


def follow_up_queue(user: User) -> QuerySet[Case]:
    """Resolved cases registered in ``user``'s subtree and not yet rated: the calls to make,
    the longest waiting first."""
    return (
        visible_cases(user)
        .filter(status=Status.RESOLVED, rating="", owner_path__startswith=user.organization.path)
        .select_related(*LIST_RELATED)
        .order_by("resolved_at", "id")
    )
