"""What each case contributes to the figures: one walk over its events, in order.

A figure always belongs to one unit and one local day (Asia/Shanghai), fixed by the event that
puts the case into the KPI's denominator; the outcome that decides the numerator is credited to
that same day and unit, whenever it comes. So a numerator is always part of its denominator:

- ``received``, ``people``: the day the request was received; the unit that handles it (below);
- ``accepted``, ``resolved_directly``: the day of acceptance; the accepting organization;
- ``dispatched``, ``acknowledged``, ``acknowledged_on_time``, ``returned``: the day of the
  hand-over; the unit handed to;
- ``replied``, ``replied_on_time``: the day of the reply; the replying unit;
- ``resolved``, ``followed_up``, ``rated``, the three ratings, ``solved``, ``handling_days``: the
  day of resolution; the unit that handled the case.

The unit that handles a case is the one that has (or last had) the work: the owner until a
dispatch, the unit handed to after a dispatch, reassignment or escalation, the unit it came back
to after a return, the unit that replied after a reply. An intermediate unit approving its
sub-unit's reply (and so replying upward itself) counts a reply of its own but leaves the work
with the sub-unit. That unit always lies in the case's scope (below its owner), so a user's
figures never count a case they could not see.

A hand-over is any event that leaves the case ``dispatched``, waiting for a unit's
acknowledgement: a dispatch, a reassignment, an escalation to a level the case had skipped. An
acknowledgement settles the latest hand-over; a return settles the latest hand-over to the
returning unit. A follow-up (the centre's call or the worker's own rating online) settles the
latest resolution, once. Handling time counts working days (``hotline.workdays.calendar``) from
the acceptance, or from the reopening for a case resolved again, to the resolution. A request
merged into another is the same request registered twice: it is not counted as received.

Only events of ``FACT_ACTIONS`` matter, and the case's dimensions (category, kind, channel,
workplace division, employer, people involved) are fixed at intake; so a case's facts change only
when it gets a new event of those actions, and every fact lies on the day of one of its events.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from django.db.models import Q

from hotline.cases.deadlines import LOCAL_ZONE, local_date
from hotline.cases.models import Case, CaseEvent
from hotline.cases.states import Action, Rating, Status
from hotline.workdays.calendar import working_days_between

from .models import COUNTERS

FACT_ACTIONS: frozenset[str] = frozenset(
    {
        Action.CREATE,
        Action.ACCEPT,
        Action.RESOLVE_DIRECTLY,
        Action.DISPATCH,
        Action.REASSIGN,
        Action.ESCALATE,
        Action.ACKNOWLEDGE,
        Action.RETURN,
        Action.REPLY,
        Action.APPROVE,
        Action.FOLLOW_UP,
        Action.RATE,
        Action.REOPEN,
        Action.MERGE,
    }
)
HAND_OVERS = frozenset({Action.DISPATCH, Action.REASSIGN, Action.ESCALATE})
INDEX = {name: position for position, name in enumerate(COUNTERS)}
CASES_PER_BATCH = 1000


@dataclass(frozen=True, slots=True)
class CaseRow:
    """What the facts need of a case: fixed at intake."""

    id: int
    owner_org_id: int
    created_at: datetime.datetime
    category_id: int
    kind: str
    channel: str
    division: str
    people: int
    employer_key: str
    employer_name: str


@dataclass(frozen=True, slots=True)
class EventRow:
    """What the facts need of an event: its action and the few facts of its ``data``."""

    action: str
    to_status: str
    organization_id: int | None
    created_at: datetime.datetime
    to: int | None = None
    source: int | None = None  # data["from"]
    on_time: bool | None = None
    rating: str = ""
    solved: bool | None = None


# (local day, unit id) -> counters in ``COUNTERS`` order
Facts = dict[tuple[datetime.date, int], list[int]]


@dataclass(slots=True)
class _HandOver:
    key: tuple[datetime.date, int]
    target: int
    settled: bool = False  # acknowledged or returned
    returned: bool = False


@dataclass(slots=True)
class _Walk:
    case: CaseRow
    facts: Facts = field(default_factory=dict)
    worker: int = 0
    handling: int | None = None
    handling_start: datetime.datetime | None = None
    hand_overs: list[_HandOver] = field(default_factory=list)
    accepted_key: tuple[datetime.date, int] | None = None
    resolved_directly: bool = False
    resolution_key: tuple[datetime.date, int] | None = None
    merged: bool = False

    def add(self, key: tuple[datetime.date, int], **amounts: int) -> None:
        row = self.facts.get(key)
        if row is None:
            row = self.facts[key] = [0] * len(COUNTERS)
        for name, amount in amounts.items():
            row[INDEX[name]] += amount

    def event(self, event: EventRow) -> None:
        action = event.action
        day = local_date(event.created_at)
        if action == Action.ACCEPT:
            self.accepted_key = (day, event.organization_id or self.case.owner_org_id)
            self.add(self.accepted_key, accepted=1)
            self.handling_start = event.created_at
        elif action in HAND_OVERS and event.to_status == Status.DISPATCHED and event.to:
            self._hand_over(day, event.to)
        elif action == Action.ACKNOWLEDGE:
            self._acknowledge(event)
        elif action == Action.RETURN:
            self._return(event)
        elif action == Action.ESCALATE and event.to is not None:
            self.worker = self.handling = event.to
        elif action == Action.REPLY:
            unit = event.organization_id or self.handling or self.worker
            self.add((day, unit), replied=1, replied_on_time=int(bool(event.on_time)))
            self.worker = unit
        elif action == Action.APPROVE and event.to_status == Status.REPLIED:
            # An intermediate unit passes its sub-unit's reply up as its own reply.
            unit = event.organization_id or self.handling or self.worker
            self.add((day, unit), replied=1, replied_on_time=int(bool(event.on_time)))
            self.handling = unit
        elif action == Action.RESOLVE_DIRECTLY or (
            action == Action.APPROVE and event.to_status == Status.RESOLVED
        ):
            self._resolve(day, event)
        elif action in (Action.FOLLOW_UP, Action.RATE):
            self._follow_up(event)
        elif action == Action.REOPEN:
            self.handling_start = event.created_at
            self.resolution_key = None
            self.worker = self.handling or self.case.owner_org_id
        elif action == Action.MERGE and event.to_status == Status.MERGED:
            self.merged = True

    def _hand_over(self, day: datetime.date, target: int) -> None:
        key = (day, target)
        self.add(key, dispatched=1)
        self.hand_overs.append(_HandOver(key=key, target=target))
        self.worker = self.handling = target

    def _acknowledge(self, event: EventRow) -> None:
        latest = self.hand_overs[-1] if self.hand_overs else None
        if latest is None or latest.settled:
            return
        latest.settled = True
        self.add(latest.key, acknowledged=1, acknowledged_on_time=int(bool(event.on_time)))

    def _return(self, event: EventRow) -> None:
        returning = event.source
        for hand_over in reversed(self.hand_overs):
            if returning is None or hand_over.target == returning:
                if not hand_over.returned:
                    hand_over.returned = hand_over.settled = True
                    self.add(hand_over.key, returned=1)
                break
        back_to = event.to or self.case.owner_org_id
        self.worker = self.handling = back_to

    def _resolve(self, day: datetime.date, event: EventRow) -> None:
        start = self.handling_start or self.case.created_at
        days = working_days_between(local_date(start), day)
        self.resolution_key = (day, self.worker)
        self.add(self.resolution_key, resolved=1, handling_days=days)
        first_contact = event.action == Action.RESOLVE_DIRECTLY and not self.resolved_directly
        if first_contact and self.accepted_key is not None:
            self.resolved_directly = True
            self.add(self.accepted_key, resolved_directly=1)

    def _follow_up(self, event: EventRow) -> None:
        if self.resolution_key is None:
            return
        key, self.resolution_key = self.resolution_key, None
        rating = event.rating or ""
        self.add(
            key,
            followed_up=1,
            rated=int(bool(rating)),
            satisfied=int(rating == Rating.SATISFIED),
            basically_satisfied=int(rating == Rating.BASICALLY_SATISFIED),
            dissatisfied=int(rating == Rating.DISSATISFIED),
            solved=int(bool(event.solved)),
        )


def case_facts(case: CaseRow, events: Iterable[EventRow]) -> Facts:
    """The counters ``case`` adds, by (local day, unit); ``events`` in sequence order."""
    walk = _Walk(case=case, worker=case.owner_org_id)
    for event in events:
        walk.event(event)
    if not walk.merged:
        walk.add((local_date(case.created_at), walk.worker), received=1, people=case.people)
    return walk.facts


def received_unit(facts: Facts) -> tuple[datetime.date, int] | None:
    """The (day, unit) the case's request is counted at, if it is counted."""
    for key, row in facts.items():
        if row[INDEX["received"]]:
            return key
    return None


# --- reading cases and events ------------------------------------------------------------------

_CASE_FIELDS = (
    "id",
    "owner_org_id",
    "created_at",
    "category_id",
    "kind",
    "channel",
    "workplace_division_id",
    "people_involved",
    "employer_key",
    "employer_name",
)
_EVENT_FIELDS = (
    "case_id",
    "action",
    "to_status",
    "organization_id",
    "created_at",
    "data__to",
    "data__from",
    "data__on_time",
    "data__rating",
    "data__solved",
)


def _as_int(value: object) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _as_bool(value: object) -> bool | None:
    # SQLite's JSON_EXTRACT gives JSON true as 1; PostgreSQL gives True.
    return None if value is None else bool(value)


def load_cases(case_ids: Sequence[int]) -> Iterator[tuple[CaseRow, list[EventRow]]]:
    """The cases ``case_ids`` with their fact events in order, read in batches (two queries per
    ``CASES_PER_BATCH`` cases)."""
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), CASES_PER_BATCH):
        batch = ids[start : start + CASES_PER_BATCH]
        cases = {
            row[0]: CaseRow(
                id=row[0],
                owner_org_id=row[1],
                created_at=row[2],
                category_id=row[3],
                kind=row[4],
                channel=row[5],
                division=row[6] or "",
                people=row[7],
                employer_key=row[8],
                employer_name=row[9],
            )
            for row in Case.objects.filter(pk__in=batch).values_list(*_CASE_FIELDS)
        }
        events = (
            CaseEvent.objects.filter(case_id__in=batch, action__in=FACT_ACTIONS)
            .order_by("case_id", "sequence")
            .values_list(*_EVENT_FIELDS)
        )
        by_case = {
            case_id: [
                EventRow(
                    action=row[1],
                    to_status=row[2],
                    organization_id=row[3],
                    created_at=row[4],
                    to=_as_int(row[5]),
                    source=_as_int(row[6]),
                    on_time=_as_bool(row[7]),
                    rating=row[8] if isinstance(row[8], str) else "",
                    solved=_as_bool(row[9]),
                )
                for row in rows
            ]
            for case_id, rows in groupby(events.iterator(chunk_size=5000), key=itemgetter(0))
        }
        for case_id in batch:
            case = cases.get(case_id)
            if case is not None:
                yield case, by_case.get(case_id, [])


# --- which cases have facts on which days ------------------------------------------------------


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LOCAL_ZONE)


def day_runs(days: Collection[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """``days`` as maximal runs of consecutive days, ``(first, last)``, in order."""
    runs: list[tuple[datetime.date, datetime.date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + datetime.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def moments_q(runs: Iterable[tuple[datetime.date, datetime.date]], field_name: str) -> Q:
    """A filter for ``field_name`` (a datetime) falling on one of the local ``runs`` of days."""
    condition = Q(pk__in=[])
    for first, last in runs:
        condition |= Q(
            **{
                f"{field_name}__gte": local_midnight(first),
                f"{field_name}__lt": local_midnight(last + datetime.timedelta(days=1)),
            }
        )
    return condition


def cases_with_facts_on(days: Collection[datetime.date]) -> list[int]:
    """The cases that may have a fact on one of ``days``: received then, or with a fact event
    then (every fact lies on the day of one of its case's events)."""
    runs = day_runs(days)
    if not runs:
        return []
    from_events = (
        CaseEvent.objects.filter(moments_q(runs, "created_at"), action__in=FACT_ACTIONS)
        .order_by()
        .values_list("case_id", flat=True)
        .distinct()
    )
    received = Case.objects.filter(moments_q(runs, "created_at")).values_list("pk", flat=True)
    return sorted(set(from_events) | set(received))


def fact_days_of(case_ids: Collection[int]) -> set[datetime.date]:
    """Every local day on which one of ``case_ids`` has, or had, a fact."""
    if not case_ids:
        return set()
    ids = list(case_ids)
    moments = set(
        CaseEvent.objects.filter(case_id__in=ids, action__in=FACT_ACTIONS).values_list(
            "created_at", flat=True
        )
    )
    moments |= set(Case.objects.filter(pk__in=ids).values_list("created_at", flat=True))
    return {local_date(moment) for moment in moments}
