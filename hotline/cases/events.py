"""The append-only history of a case, chained by hash so that tampering is detectable.

Each event's hash is SHA-256 over the previous event's hash and a canonical JSON of what the event
says (case number, sequence, action, actor, organization, statuses, note, data, visibility, time).
The case row holds the head of the chain (``event_count``, ``last_event_hash``): an edited event
no longer matches its hash, a deleted one leaves a gap in the sequence or a head that points past
the last event. ``record`` is only called by services, inside their transaction, on a case row they
have locked, so two events of one case never take the same sequence number.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .models import Case, CaseEvent

if TYPE_CHECKING:
    from hotline.accounts.models import User
    from hotline.organizations.models import Organization


def canonical_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` as it reads back from the JSON column (so the hash survives the round trip)."""
    return json.loads(json.dumps(data or {}, default=str, ensure_ascii=False))


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def event_hash(
    previous_hash: str,
    *,
    number: str,
    sequence: int,
    action: str,
    actor_id: int | None,
    actor_name: str,
    organization_id: int | None,
    from_status: str,
    to_status: str,
    note: str,
    data: dict[str, Any],
    public: bool,
    created_at: datetime.datetime,
) -> str:
    """The hash of one event, chained to ``previous_hash``."""
    body = json.dumps(
        [
            number,
            sequence,
            action,
            actor_id,
            actor_name,
            organization_id,
            from_status,
            to_status,
            note,
            data,
            public,
            _timestamp(created_at),
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((previous_hash + body).encode()).hexdigest()


def record(
    case: Case,
    *,
    actor: User | None,
    action: str,
    from_status: str,
    to_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
    organization: Organization | None = None,
    at: datetime.datetime | None = None,
) -> CaseEvent:
    """Append one event to ``case`` (locked by the caller) and move the chain head.

    ``organization`` defaults to the actor's; a worker acting on the public pages has neither.
    """
    event = next_event(
        case,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        public=public,
        organization=organization,
        at=at,
    )
    event.save(force_insert=True)
    Case.objects.filter(pk=case.pk).update(
        event_count=case.event_count, last_event_hash=case.last_event_hash
    )
    return event


def next_event(
    case: Case,
    *,
    actor: User | None,
    action: str,
    from_status: str,
    to_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
    organization: Organization | None = None,
    at: datetime.datetime | None = None,
) -> CaseEvent:
    """The next event of ``case``, hashed onto its chain but not saved; ``case``'s head moves to
    it in memory only. ``record`` saves both; intake uses it alone, to insert a new case with its
    head already set and then its first event (one write of the case row, not two).
    """
    if organization is None and actor is not None:
        organization = actor.organization
    created_at = at or timezone.now()
    data = canonical_data(data)
    actor_name = (actor.name or actor.username) if actor is not None else ""
    sequence = case.event_count + 1
    previous_hash = case.last_event_hash
    event = CaseEvent(
        case=case,
        sequence=sequence,
        action=action,
        actor=actor,
        actor_name=actor_name,
        organization=organization,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        public=public,
        created_at=created_at,
        previous_hash=previous_hash,
    )
    event.hash = _hash_of(event, case.number)
    case.event_count = sequence
    case.last_event_hash = event.hash
    return event


def _hash_of(event: CaseEvent, number: str) -> str:
    return event_hash(
        event.previous_hash,
        number=number,
        sequence=event.sequence,
        action=event.action,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        organization_id=event.organization_id,
        from_status=event.from_status,
        to_status=event.to_status,
        note=event.note,
        data=event.data,
        public=event.public,
        created_at=event.created_at,
    )


def check_chain(
    number: str, event_count: int, last_event_hash: str, events: Iterable[CaseEvent]
) -> list[str]:
    """Problems in one case's chain; ``events`` are that case's events in sequence order."""
    problems: list[str] = []
    expected_sequence = 1
    running_hash = ""
    seen = 0
    for event in events:
        seen += 1
        if event.sequence != expected_sequence:
            problems.append(
                f"{number}: event #{event.sequence} found where #{expected_sequence} was expected"
                " (an event is missing)"
            )
        if event.previous_hash != running_hash:
            problems.append(f"{number}: event #{event.sequence} does not follow the previous one")
        if _hash_of(event, number) != event.hash:
            problems.append(f"{number}: event #{event.sequence} was altered (hash mismatch)")
        running_hash = event.hash
        expected_sequence = event.sequence + 1
    if seen != event_count:
        problems.append(f"{number}: {seen} events stored, the case counts {event_count}")
    if running_hash != last_event_hash:
        problems.append(f"{number}: the last event is not the head recorded on the case")
    return problems


def verify_case(case: Case) -> list[str]:
    """Problems found in ``case``'s event chain (empty when it is intact)."""
    events = CaseEvent.objects.filter(case_id=case.pk).order_by("sequence")
    return check_chain(
        case.number, case.event_count, case.last_event_hash, events.iterator(chunk_size=500)
    )


def verify_all(*, number: str | None = None, batch_size: int = 500) -> Iterator[str]:
    """Problems in every case's chain (or case ``number``'s), reading ``batch_size`` cases at once.

    Cases are read in primary-key batches and each batch's events are streamed in order and
    checked case by case, so memory stays flat however many cases and events there are.
    """
    heads = Case.objects.order_by("pk").values_list(
        "pk", "number", "event_count", "last_event_hash"
    )
    if number is not None:
        heads = heads.filter(number=number)
    last_pk = 0
    while True:
        batch = {row[0]: row[1:] for row in heads.filter(pk__gt=last_pk)[:batch_size]}
        if not batch:
            return
        last_pk = max(batch)
        events = CaseEvent.objects.filter(case_id__in=list(batch)).order_by("case_id", "sequence")
        for case_pk, case_events in groupby(
            events.iterator(chunk_size=2000), key=attrgetter("case_id")
        ):
            case_number, event_count, head = batch.pop(case_pk)
            yield from check_chain(case_number, event_count, head, case_events)
        # What is left had no event at all.
        for case_number, event_count, head in batch.values():
            yield from check_chain(case_number, event_count, head, [])
