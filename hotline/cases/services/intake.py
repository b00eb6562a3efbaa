"""Intake: a request becomes a case (by a worker online or an agent on the phone), then the owner
accepts it, declines it with a referral, resolves it on first contact, or gives it to a lawyer.

Intake is idempotent: a submission carrying an intake key that was already used returns the case
it made, even when the two submissions race (the key is unique in the database).

Case numbers are drawn before the intake's transaction when the caller has none open
(``next_case_number``): the day's counter row is then locked for one statement, not until the case
commits, so concurrent intakes do not queue behind each other. The price is that an intake that
fails after drawing (a database error, a lost race on the intake key, a refused acceptance) leaves
its number unused: numbers rise within a day but may skip one.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from hotline.accounts.models import Role
from hotline.core.errors import DomainError
from hotline.notifications.services import queue_sms
from hotline.organizations.models import Division, Organization
from hotline.organizations.validators import is_valid_credit_code

from .. import crypto
from ..deadlines import clear_clock, local_date, set_clock
from ..events import next_event, record
from ..matching import employer_key
from ..models import Case, Category, DailySequence
from ..rules import INTAKE_ROLES, role_required
from ..states import Action, Channel, Kind, Stage, Status
from .common import (
    MAX_LONG_TEXT,
    MAX_NOTE,
    MAX_REASON,
    clean_text,
    locked_for,
    now,
    set_owner,
)

if TYPE_CHECKING:
    from hotline.accounts.models import User

# Channels a worker can use without an account; the others are staff or system intake.
PUBLIC_CHANNELS = frozenset({Channel.WEB, Channel.WECHAT})
MAX_TITLE = 100
MAX_WORKER_NAME = 50
MAX_EMPLOYER = 200
MAX_INTAKE_KEY = 100
MAX_PEOPLE = 100_000

Row = TypeVar("Row", bound=Model)


def next_case_number(day: datetime.date) -> str:
    """``YYYYMMDD`` + the day's next 5-digit sequence number.

    The day's counter row is incremented and read in one statement, so two intakes never draw the
    same number. Outside a transaction (autocommit) that statement commits at once and the row is
    free again; inside one, the row stays locked until that transaction ends, and every other
    intake of the day waits for it: under load, the time the row is held bounds how many intakes
    a second can commit at all (docs/benchmarks.md).
    """
    last = _increment_day(day)
    if last is None:
        try:
            with transaction.atomic():
                DailySequence.objects.create(day=day, last=1)
            last = 1
        except IntegrityError:
            # Another intake created the day's row first: count on from it.
            last = _increment_day(day)
    return f"{day:%Y%m%d}{last:05d}"


def _increment_day(day: datetime.date) -> int | None:
    """The day's counter, incremented; None when the day has no row yet. (``UPDATE ...
    RETURNING``, which the ORM's ``update()`` cannot express: PostgreSQL, and SQLite 3.35+.)"""
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    unhurried = ""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # A statement in its own transaction: its commit need not wait for the disk, so the row
        # is free again at once rather than after a flush of the log (which would cap the day's
        # intakes at one per flush). Safe: a case that uses the number commits later, in the
        # same write-ahead log, and flushing that commit flushes this one first; if the server
        # stops before, no committed case has the number and it is simply drawn again.
        unhurried = " AND set_config('synchronous_commit', 'off', true) IS NOT NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET "last" = "last" + 1 WHERE "day" = %s{unhurried} RETURNING "last"',
            [connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return row[0] if row is not None else None


@dataclass
class _Intake:
    """The checked fields of a new case."""

    channel: str
    kind: str
    category: Category
    title: str
    description: str
    worker_name: str
    phone: str
    id_number: str
    is_anonymous: bool
    is_confidential: bool
    employer_name: str
    employer_credit_code: str
    workplace_division: Division | None
    people_involved: int


def _one(rows: QuerySet[Row]) -> Row | None:
    """The row a unique key finds, or None: ``first()`` without its ``ORDER BY``, which costs
    Django more to compile than the lookup costs the database (docs/benchmarks.md)."""
    return next(iter(rows.order_by()[:1]), None)


def _choice(value: str, allowed: Collection[str], field: str) -> str:
    if value not in allowed:
        raise DomainError(
            "case.invalid_choice",
            _("Please choose one of the listed values."),
            fields={field: _("Not one of the listed values.")},
        )
    return value


def _category(value: Category | str | None) -> Category:
    code = value.code if isinstance(value, Category) else (value or "").strip()
    found = _one(Category.objects.filter(code=code, is_active=True)) if code else None
    if found is None:
        raise DomainError(
            "case.unknown_category",
            _("Unknown category."),
            fields={"category": _("Choose a category from the list.")},
        )
    return found


def _division(value: Division | str | None) -> Division | None:
    if value is None or value == "":
        return None
    code = value.code if isinstance(value, Division) else str(value).strip()
    found = _one(Division.objects.filter(code=code))
    if found is None:
        raise DomainError(
            "case.unknown_division",
            _("Unknown administrative division."),
            fields={"workplace_division": _("Choose a division from the list.")},
        )
    return found


def _credit_code(value: str) -> str:
    code = (value or "").strip().upper()
    if code and not is_valid_credit_code(code):
        raise DomainError(
            "case.invalid_credit_code",
            _("The unified social credit code is not valid."),
            fields={"employer_credit_code": _("18 characters with the right check character.")},
        )
    return code


def _people(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PEOPLE:
        raise DomainError(
            "case.invalid_people_involved",
            _("The number of people involved is not valid."),
            fields={"people_involved": _("A whole number from 1.")},
        )
    return value


def _check_intake(public: bool, **raw: object) -> _Intake:
    """Check every field; refuse with all the bad fields at once."""
    errors: list[DomainError] = []

    def attempt(check, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return check(*args, **kwargs)
        except DomainError as refused:
            errors.append(refused)
            return None

    channels = PUBLIC_CHANNELS if public else frozenset(Channel.values)
    channel = attempt(_choice, raw["channel"], channels, "channel")
    phone = ""
    if raw["phone"] or public or not raw["is_anonymous"]:
        # A worker online must leave a phone (it proves the case is theirs later); an agent may
        # register an anonymous caller without one.
        phone = attempt(crypto.validate_phone, str(raw["phone"] or "")) or ""
    id_number = str(raw["id_number"] or "").strip()
    intake = _Intake(
        channel=channel or "",
        kind=attempt(_choice, raw["kind"], Kind.values, "kind") or "",
        category=attempt(_category, raw["category"]),  # type: ignore[arg-type]
        title=attempt(clean_text, raw["title"], field="title", max_length=MAX_TITLE, required=True)
        or "",
        description=attempt(
            clean_text,
            raw["description"],
            field="description",
            max_length=MAX_LONG_TEXT,
            required=True,
        )
        or "",
        worker_name=attempt(
            clean_text, raw["worker_name"], field="worker_name", max_length=MAX_WORKER_NAME
        )
        or "",
        phone=phone,
        id_number=(attempt(crypto.validate_id_number, id_number) or "") if id_number else "",
        is_anonymous=bool(raw["is_anonymous"]),
        is_confidential=bool(raw["is_confidential"]),
        employer_name=attempt(
            clean_text, raw["employer_name"], field="employer_name", max_length=MAX_EMPLOYER
        )
        or "",
        employer_credit_code=attempt(_credit_code, raw["employer_credit_code"]) or "",
        workplace_division=attempt(_division, raw["workplace_division"]),
        people_involved=attempt(_people, raw["people_involved"]) or 1,
    )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        fields: dict[str, str] = {}
        for refused in errors:
            fields.update(refused.fields)
        raise DomainError("case.invalid_input", _("Some fields are not valid."), fields=fields)
    return intake


def _owner(actor: User | None, owner_org: Organization | None) -> Organization:
    if actor is None:
        # A worker's own request goes to the provincial hotline centre, the root of the tree.
        return Organization.objects.get(parent__isnull=True)
    if not actor.is_active or not actor.has_role(*INTAKE_ROLES):
        raise role_required()
    if owner_org is None:
        return actor.organization
    if not owner_org.path.startswith(actor.organization.path):
        raise DomainError(
            "case.target_outside_subtree",
            _("The unit must be an active organization below yours."),
            fields={"owner_org": _("Not an active organization below yours.")},
        )
    return owner_org


def _full_intake_key(actor: User | None, phone: str, key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_INTAKE_KEY:
        raise DomainError(
            "case.invalid_intake_key",
            _("The idempotency key must have 1 to %(max)d characters.") % {"max": MAX_INTAKE_KEY},
            fields={"intake_key": _("1 to %(max)d characters.") % {"max": MAX_INTAKE_KEY}},
        )
    # Scoped by who submits: one worker's key can never return another worker's case.
    who = f"user:{actor.pk}" if actor is not None else f"public:{phone}"
    return f"{who}:{key}"


def register_case(
    *,
    actor: User | None,
    channel: str,
    kind: str,
    category: Category | str,
    title: str,
    description: str,
    worker_name: str = "",
    phone: str = "",
    id_number: str = "",
    is_anonymous: bool = False,
    is_confidential: bool = False,
    employer_name: str = "",
    employer_credit_code: str = "",
    workplace_division: Division | str | None = None,
    people_involved: int = 1,
    intake_key: str | None = None,
    owner_org: Organization | None = None,
    accept: bool = False,
) -> tuple[Case, bool]:
    """Register a request; ``(case, created)``. ``created`` is False for a repeated submission.

    ``actor`` None is a worker on the public pages: the case belongs to the provincial centre.
    Staff (agents, dispatchers) register for their own organization, or ``owner_org`` below it.
    The case starts ``received`` with the acceptance clock running; with ``accept``, the actor
    also accepts it in the same transaction (a refused acceptance registers nothing). A repeated
    submission is returned as it stands, never accepted again.

    Called outside a transaction, the case number is drawn and committed first (see the module's
    docstring); inside the caller's transaction, it is drawn there.
    """
    owner = _owner(actor, owner_org)
    intake = _check_intake(
        actor is None,
        channel=channel,
        kind=kind,
        category=category,
        title=title,
        description=description,
        worker_name=worker_name,
        phone=phone,
        id_number=id_number,
        is_anonymous=is_anonymous,
        is_confidential=is_confidential,
        employer_name=employer_name,
        employer_credit_code=employer_credit_code,
        workplace_division=workplace_division,
        people_involved=people_involved,
    )
    key = _full_intake_key(actor, intake.phone, intake_key)
    # The key is new nearly always: a query cheap to build asks first, the case is read if found.
    if key is not None and Case.objects.filter(intake_key=key).exists():
        return Case.objects.get(intake_key=key), False
    moment = now()
    # Outside a transaction this commits at once; inside, the caller's transaction holds the row.
    number = next_case_number(local_date(moment))
    try:
        with transaction.atomic():
            case = _create(actor, owner, intake, key, number, moment)
            if accept:
                if actor is None:
                    raise role_required()
                case = _accept(case, actor=actor)
            return case, True
    except IntegrityError:
        # A concurrent submission with the same key committed first: it made the case.
        existing = Case.objects.filter(intake_key=key).first() if key else None
        if existing is None:
            raise
        return existing, False


def _create(
    actor: User | None,
    owner: Organization,
    intake: _Intake,
    key: str | None,
    number: str,
    moment: datetime.datetime,
) -> Case:
    case = Case(
        number=number,
        channel=intake.channel,
        kind=intake.kind,
        category=intake.category,
        title=intake.title,
        description=intake.description,
        worker_name=intake.worker_name,
        phone=intake.phone,
        id_number_encrypted=crypto.encrypt(intake.id_number) if intake.id_number else "",
        id_number_tail=intake.id_number[-4:],
        is_anonymous=intake.is_anonymous,
        is_confidential=intake.is_confidential,
        employer_name=intake.employer_name,
        employer_key=employer_key(intake.employer_name),
        employer_credit_code=intake.employer_credit_code,
        workplace_division=intake.workplace_division,
        people_involved=intake.people_involved,
        status=Status.RECEIVED,
        created_by=actor,
        intake_key=key,
        created_at=moment,
    )
    set_owner(case, owner)
    set_clock(case, Stage.ACCEPT, moment)
    # The first event is hashed before the row exists, so the case is inserted with its chain
    # head already set: one write of the case row instead of an insert and an update.
    event = next_event(
        case,
        actor=actor,
        action=Action.CREATE,
        from_status="",
        to_status=Status.RECEIVED,
        data={"channel": intake.channel},
        public=True,
        at=moment,
    )
    case.save(force_insert=True)
    event.save(force_insert=True)
    return case


def accept(case: Case, *, actor: User) -> Case:
    """The owner takes the request on: the worker gets the case number by SMS, the clock for the
    whole case starts (``completion_due_at``: the owner's own completion deadline)."""
    with transaction.atomic():
        case = locked_for(Action.ACCEPT, actor, case)
        moment = now()
        case.status = Status.ACCEPTED
        case.accepted_at = moment
        set_clock(case, Stage.COMPLETE, moment)
        case.completion_due_at = case.deadline_at
        case.save()
        record(
            case,
            actor=actor,
            action=Action.ACCEPT,
            from_status=Status.RECEIVED,
            to_status=Status.ACCEPTED,
            public=True,
            at=moment,
        )
        queue_sms(case=case, template="accepted")
    return case


# ``register_case``'s ``accept`` argument hides the function's name inside it.
_accept = accept


def decline(case: Case, *, actor: User, referral: str) -> Case:
    """Outside the union's remit: the worker is told where to go instead (``referral``)."""
    referral = clean_text(
        referral,
        field="referral",
        max_length=MAX_REASON,
        required=True,
        code="case.reason_required",
    )
    with transaction.atomic():
        case = locked_for(Action.DECLINE, actor, case)
        case.status = Status.DECLINED
        case.referral = referral
        case.closed_at = now()
        clear_clock(case)
        case.save()
        record(
            case,
            actor=actor,
            action=Action.DECLINE,
            from_status=Status.RECEIVED,
            to_status=Status.DECLINED,
            note=referral,
            data={"public_text": referral},
            public=True,
            at=case.closed_at,
        )
        queue_sms(case=case, template="declined")
    return case


def resolve_directly(case: Case, *, actor: User, answer: str, article: str = "") -> Case:
    """Answered on first contact (by an agent, or the case's lawyer): resolved, no dispatch.

    ``article`` names the knowledge-base answer used, if any.
    """
    answer = clean_text(answer, field="answer", max_length=MAX_LONG_TEXT, required=True)
    article = clean_text(article, field="article", max_length=MAX_REASON)
    with transaction.atomic():
        case = locked_for(Action.RESOLVE_DIRECTLY, actor, case)
        moment = now()
        case.status = Status.RESOLVED
        case.answer = answer
        case.resolved_at = moment
        set_clock(case, Stage.FOLLOW_UP, moment)
        case.save()
        record(
            case,
            actor=actor,
            action=Action.RESOLVE_DIRECTLY,
            from_status=Status.ACCEPTED,
            to_status=Status.RESOLVED,
            note=answer,
            data={"public_text": answer, "article": article},
            public=True,
            at=moment,
        )
        queue_sms(case=case, template="resolved")
    return case


def assign_lawyer(case: Case, *, actor: User, lawyer: User, note: str = "") -> Case:
    """Give an accepted case to a lawyer of the owner's organization, who sees and answers it."""
    note = clean_text(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        case = locked_for(Action.ASSIGN_LAWYER, actor, case)
        if (
            not lawyer.is_active
            or not lawyer.has_role(Role.LAWYER)
            or lawyer.organization_id != case.owner_org_id
        ):
            raise DomainError(
                "case.not_a_lawyer",
                _("Choose a lawyer of the organization that owns the case."),
                fields={"lawyer": _("Not a lawyer of this organization.")},
            )
        case.lawyer = lawyer
        case.save()
        record(
            case,
            actor=actor,
            action=Action.ASSIGN_LAWYER,
            from_status=case.status,
            to_status=case.status,
            note=note,
            data={"lawyer": lawyer.pk},
        )
    return case
