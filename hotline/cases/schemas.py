"""The case API's typed shapes: what staff and workers send, and what they get back.

Text limits repeat the services' own (imported from them), so the OpenAPI document states them and
an oversized field is refused before any work; the services still check everything themselves.
Times are given in Asia/Shanghai (``+08:00``). Worker names, phones and ID numbers in answers to
staff are masked for everyone (``privacy``); the full ones come one case at a time from the
logged personal-data endpoint.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Path, Schema
from pydantic import AfterValidator

from . import api_support, privacy, selectors
from .deadlines import due_state
from .models import Attachment, Case, CaseEvent, Category
from .services.common import MAX_DAYS, MAX_LONG_TEXT, MAX_NOTE, MAX_REASON
from .services.dispatch import MAX_ASSISTING
from .services.intake import MAX_EMPLOYER, MAX_PEOPLE, MAX_TITLE, MAX_WORKER_NAME
from .services.review import MAX_EXTENSION_DAYS
from .states import Action, Channel, Kind, Rating, Status

# The inputs below are checked by the services; these bounds only stop absurd sizes early.
MAX_PHONE_INPUT = 30
MAX_ID_NUMBER_INPUT = 30
MAX_CODE_INPUT = 20
MAX_SEARCH = 100
CASE_NUMBER_PATTERN = r"^[0-9]{8,20}$"
CaseNumber = Annotated[str, Path(pattern=CASE_NUMBER_PATTERN, description="The case number.")]


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


LocalDateTime = Annotated[datetime.datetime, AfterValidator(_local)]
DueState = Literal["overdue", "due_soon", "on_time"]

# The last path segment of each action's endpoint (``POST /cases/{number}/<segment>``).
ACTION_PATHS: dict[str, str] = {
    Action.ACCEPT: "accept",
    Action.DECLINE: "decline",
    Action.RESOLVE_DIRECTLY: "resolve-directly",
    Action.ASSIGN_LAWYER: "assign-lawyer",
    Action.DISPATCH: "dispatch",
    Action.ACKNOWLEDGE: "acknowledge",
    Action.RETURN: "return",
    Action.REASSIGN: "reassign",
    Action.ESCALATE: "escalate",
    Action.REPLY: "reply",
    Action.APPROVE: "approve",
    Action.SEND_BACK: "send-back",
    Action.REQUEST_EXTENSION: "request-extension",
    Action.DECIDE_EXTENSION: "decide-extension",
    Action.FOLLOW_UP: "follow-up",
    Action.CLOSE: "close-after-review",
    Action.REOPEN: "reopen",
    Action.URGE: "urge",
    Action.SUPERVISE: "supervise",
    Action.MERGE: "merge",
    Action.COMMENT: "comment",
    Action.ATTACH: "attachments",
}


def documented_errors(errors: dict[int, str]) -> dict[str, Any]:
    """``openapi_extra`` listing further error answers (the envelope) of one operation."""
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "responses": {
            status: {"description": description, "content": content}
            for status, description in errors.items()
        }
    }


ACTION_ERRORS = documented_errors(
    {
        400: "Refused input (a domain code); fields names each bad input",
        403: "The caller's role or unit may not take this step (case.role_required, "
        "case.not_your_unit)",
        409: "The case is not in a state that allows the action (case.wrong_status, ...)",
    }
)


def _caller(context: dict[str, Any] | None) -> Any:
    request: HttpRequest = (context or {})["request"]
    return request.auth


# --- shared pieces -----------------------------------------------------------------------------


class UnitOut(Schema):
    """A union organization as a case refers to it."""

    id: int
    name: str


class CategoryRefOut(Schema):
    """A category of the taxonomy as a case refers to it."""

    code: str
    name: str
    full_name: str = Field(description="Parent / name, e.g. 劳动报酬 / 拖欠工资.")

    @staticmethod
    def resolve_full_name(obj: Category) -> str:
        return str(obj)


class DivisionRefOut(Schema):
    code: str
    name: str


# --- lists -------------------------------------------------------------------------------------


class CaseItemOut(Schema):
    """One case in a list. ``worker_name`` and ``phone`` are masked unless the caller's role
    needs them (see docs/api.md)."""

    number: str
    title: str
    channel: Channel
    kind: Kind
    kind_label: str
    category: CategoryRefOut
    status: Status
    status_label: str
    handling_unit: UnitOut | None = Field(description="The unit handling the case now.")
    deadline_at: LocalDateTime | None = Field(description="When the current step is due.")
    due_state: DueState | None = Field(description="None when no clock runs (a final status).")
    supervised: bool
    is_anonymous: bool
    is_confidential: bool
    worker_name: str
    phone: str
    created_at: LocalDateTime

    @staticmethod
    def resolve_kind_label(obj: Case) -> str:
        return selectors.label_of(Kind, obj.kind)

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return selectors.label_of(Status, obj.status)

    @staticmethod
    def resolve_handling_unit(obj: Case) -> Any:
        return obj.handling_org

    @staticmethod
    def resolve_due_state(obj: Case) -> str | None:
        return due_state(obj) or None

    @staticmethod
    def resolve_worker_name(obj: Case) -> str:
        return privacy.masked_name(obj)

    @staticmethod
    def resolve_phone(obj: Case) -> str:
        return privacy.masked_phone(obj)


class CaseListQuery(Schema):
    """Filters and paging of the case list; empty filters do not filter."""

    scope: Literal["own", "assisting"] = Field(
        "own",
        description="own: cases registered or handled in the caller's subtree, or assigned to "
        "the caller as lawyer; assisting: cases an assisting unit of the caller's subtree helps "
        "with, whoever handles them.",
    )
    status: Status | None = None
    kind: Kind | None = None
    category: str = Field(
        "",
        max_length=MAX_CODE_INPUT,
        description="A category code; a top-level code includes "
        "its subcategories. An unknown code matches nothing.",
    )
    unit: int | None = Field(
        None,
        description="An organization id: cases handled in its subtree (outside the "
        "caller's scope: nothing).",
    )
    overdue: bool = False
    due_soon: bool = False
    supervised: bool = False
    text: str = Field(
        "",
        max_length=MAX_SEARCH,
        description="A case number or phone (exact), else words of "
        "the title, employer or description.",
    )
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


class CasePage(Schema):
    """One page of cases, newest first."""

    count: int = Field(
        description="Cases matching the filters, on every page together; counted up to 1,000: "
        "when count_is_exact is false, at least this many."
    )
    count_is_exact: bool = Field(
        description="False when more cases match than were counted: count is then a lower bound."
    )
    limit: int
    offset: int
    items: list[CaseItemOut]


# --- the detail --------------------------------------------------------------------------------


class EventOut(Schema):
    """One step of the internal timeline."""

    sequence: int
    action: Action
    action_label: str
    actor_name: str
    organization: UnitOut | None
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]
    public: bool = Field(description="Shown to the worker on the public timeline.")
    created_at: LocalDateTime

    @staticmethod
    def resolve_action_label(obj: CaseEvent) -> str:
        return str(obj.get_action_display())


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    created_at: LocalDateTime

    @staticmethod
    def resolve_name(obj: Attachment) -> str:
        return obj.original_name


class ChainStepOut(Schema):
    """A unit that passed the case down, and the completion deadline it kept for itself."""

    unit: UnitOut
    due: LocalDateTime | None


class DeadlineOut(Schema):
    stage: str
    stage_label: str
    deadline_at: LocalDateTime | None
    warning_at: LocalDateTime | None = Field(description="Due soon from this moment.")
    completion_due_at: LocalDateTime | None = Field(
        description="The handling unit's completion deadline."
    )
    due_state: DueState | None

    @staticmethod
    def resolve_stage_label(obj: Case) -> str:
        return str(obj.get_stage_display()) if obj.stage else ""

    @staticmethod
    def resolve_due_state(obj: Case) -> str | None:
        return due_state(obj) or None


class ExtensionOut(Schema):
    state: str
    days: int | None
    reason: str

    @staticmethod
    def resolve_state(obj: Case) -> str:
        return obj.extension_state

    @staticmethod
    def resolve_days(obj: Case) -> int | None:
        return obj.extension_days

    @staticmethod
    def resolve_reason(obj: Case) -> str:
        return obj.extension_reason


class CaseDetailOut(CaseItemOut):
    """One case in full, with its internal timeline and what the caller may do now."""

    description: str
    id_number: str = Field(description="The last four characters only, or empty.")
    employer_name: str
    employer_credit_code: str
    workplace_division: DivisionRefOut | None
    people_involved: int
    owner: UnitOut = Field(description="The organization that registered the case.")
    dispatching_unit: UnitOut | None = Field(description="Reviews the handling unit's reply.")
    dispatch_chain: list[ChainStepOut]
    assisting_units: list[UnitOut]
    lawyer: str | None
    deadline: DeadlineOut
    extension: ExtensionOut
    urge_count: int
    return_count: int
    answer: str
    referral: str
    reply_text: str
    reply_solved: bool | None
    rating: str
    solved: bool | None
    rated_by_worker: bool
    merged_into: str | None
    accepted_at: LocalDateTime | None
    dispatched_at: LocalDateTime | None
    acknowledged_at: LocalDateTime | None
    replied_at: LocalDateTime | None
    resolved_at: LocalDateTime | None
    followed_up_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    events: list[EventOut]
    attachments: list[AttachmentOut]
    allowed_actions: list[str] = Field(
        description="The endpoints (POST /cases/{number}/<action>) the caller may use now."
    )

    @staticmethod
    def resolve_id_number(obj: Case) -> str:
        return privacy.masked_id_number(obj)

    @staticmethod
    def resolve_owner(obj: Case) -> Any:
        return obj.owner_org

    @staticmethod
    def resolve_dispatching_unit(obj: Case) -> Any:
        return obj.dispatching_org

    @staticmethod
    def resolve_dispatch_chain(obj: Case) -> list[dict[str, Any]]:
        return api_support.chain_units(obj)

    @staticmethod
    def resolve_assisting_units(obj: Case) -> list[Any]:
        return [assist.organization for assist in obj.assists.all()]

    @staticmethod
    def resolve_lawyer(obj: Case) -> str | None:
        return str(obj.lawyer) if obj.lawyer_id else None

    @staticmethod
    def resolve_deadline(obj: Case) -> Case:
        return obj

    @staticmethod
    def resolve_extension(obj: Case) -> Case:
        return obj

    @staticmethod
    def resolve_merged_into(obj: Case) -> str | None:
        return obj.merged_into.number if obj.merged_into_id else None

    @staticmethod
    def resolve_events(obj: Case) -> list[CaseEvent]:
        return list(obj.events.all())

    @staticmethod
    def resolve_attachments(obj: Case) -> list[Attachment]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_allowed_actions(obj: Case, context: dict[str, Any]) -> list[str]:
        return [ACTION_PATHS[action] for action in selectors.allowed_actions(_caller(context), obj)]


class DuplicateHintOut(Schema):
    """A recent case that may be the same request."""

    number: str
    title: str
    status: Status
    status_label: str
    created_at: LocalDateTime
    similarity: float

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return selectors.label_of(Status, obj.status)

    @staticmethod
    def resolve_similarity(obj: Case) -> float:
        return round(getattr(obj, "similarity", 0.0), 2)


class IntakeLinksOut(Schema):
    self: str = Field(description="The whole case (GET): timeline, units, allowed actions.")
    duplicates: str = Field(
        description="Recent cases that may be the same request (GET), for the agent to check."
    )


class IntakeOut(Schema):
    """What intake knows of the case it registered (or found again for a repeated key), without
    reading it back: the number for the worker, the status and the clock. The whole case and its
    possible duplicates are one GET away (``links``)."""

    number: str
    status: Status
    status_label: str
    owner: UnitOut = Field(description="The organization that registered the case.")
    deadline: DeadlineOut
    created_at: LocalDateTime
    links: IntakeLinksOut

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return selectors.label_of(Status, obj.status)

    @staticmethod
    def resolve_owner(obj: Case) -> Any:
        return obj.owner_org

    @staticmethod
    def resolve_deadline(obj: Case) -> Case:
        return obj

    @staticmethod
    def resolve_links(obj: Case) -> dict[str, str]:
        number = {"number": obj.number}
        return {
            "self": reverse("api:case_detail", kwargs=number),
            "duplicates": reverse("api:duplicates", kwargs=number),
        }


class PersonalDataOut(Schema):
    """The worker's personal data in full (the view is written to the access log)."""

    number: str
    worker_name: str
    phone: str
    id_number: str
    is_anonymous: bool
    is_confidential: bool


# --- intake ------------------------------------------------------------------------------------


class CaseIn(Schema):
    """A request registered by staff (an agent on the phone, a dispatcher)."""

    channel: Channel = Channel.PHONE
    kind: Kind
    category: str = Field(max_length=MAX_CODE_INPUT, description="Category code, e.g. 0101.")
    title: str = Field(max_length=MAX_TITLE)
    description: str = Field(max_length=MAX_LONG_TEXT)
    worker_name: str = Field("", max_length=MAX_WORKER_NAME)
    phone: str = Field(
        "",
        max_length=MAX_PHONE_INPUT,
        description="Mobile or landline with area code; may be empty only for an anonymous caller.",
    )
    id_number: str = Field(
        "", max_length=MAX_ID_NUMBER_INPUT, description="Resident ID number (GB 11643), optional."
    )
    is_anonymous: bool = False
    is_confidential: bool = False
    employer_name: str = Field("", max_length=MAX_EMPLOYER)
    employer_credit_code: str = Field("", max_length=MAX_CODE_INPUT)
    workplace_division: str | None = Field(
        None, max_length=MAX_CODE_INPUT, description="GB/T 2260 code of the workplace."
    )
    people_involved: int = Field(1, ge=1, le=MAX_PEOPLE)
    owner_org: int | None = Field(
        None, description="Register for this organization below yours (default: your own)."
    )
    accept: bool = Field(False, description="Accept the case at once (intake staff of the owner).")


# --- the actions' bodies -----------------------------------------------------------------------

Note = Annotated[str, Field(max_length=MAX_NOTE)]
Reason = Annotated[str, Field(max_length=MAX_REASON)]
LongText = Annotated[str, Field(max_length=MAX_LONG_TEXT)]
Days = Annotated[int | None, Field(ge=1, le=MAX_DAYS, description="Working days.")]


class AcceptIn(Schema):
    """Nothing to say: the body may be ``{}`` or absent."""


class DeclineIn(Schema):
    referral: Reason = Field(description="Where the worker should turn instead (told to them).")


class ResolveDirectlyIn(Schema):
    answer: LongText = Field(description="The answer given to the worker (shown to them).")
    article: Reason = Field("", description="The knowledge-base answer used, if any.")


class AssignLawyerIn(Schema):
    lawyer: str = Field(max_length=150, description="Username of a lawyer of the owner.")
    note: Note = ""


class DispatchIn(Schema):
    to: int = Field(description="Id of the handling unit, below the caller's organization.")
    assisting: list[int] = Field(default_factory=list, max_length=MAX_ASSISTING)
    note: Note = ""
    days: Days = Field(None, description="Working days to complete; default: the rule.")


class NoteIn(Schema):
    note: Note = ""


class ReturnIn(Schema):
    reason: Note


class ReassignIn(Schema):
    to: int
    reason: Reason
    days: Days = None


class EscalateIn(Schema):
    note: Note = Field(description="Why the case goes up (required).")


class ReplyIn(Schema):
    result: LongText
    solved: bool


class SendBackIn(Schema):
    reason: Note
    days: Days = Field(None, description="A new completion deadline from now, in working days.")


class RequestExtensionIn(Schema):
    days: int = Field(ge=1, le=MAX_EXTENSION_DAYS)
    reason: Reason


class DecideExtensionIn(Schema):
    approve: bool
    note: Note = Field("", description="Required when refusing.")


class FollowUpIn(Schema):
    rating: Rating
    solved: bool
    note: Note = ""


class CloseAfterReviewIn(Schema):
    explanation: Note


class ReasonIn(Schema):
    reason: Note


class SuperviseIn(Schema):
    note: Note = Field(description="What the supervision is about (required).")


class MergeIn(Schema):
    into: str = Field(max_length=MAX_CODE_INPUT, description="Number of the original case.")
    note: Note = ""


class CommentIn(Schema):
    text: Note
    public: bool = Field(False, description="Show it to the worker on the public timeline.")


# --- taxonomy ----------------------------------------------------------------------------------


class CategoryChildOut(Schema):
    code: str
    name: str
    keywords: str


class CategoryOut(CategoryChildOut):
    """A top-level category and its subcategories; cases use the subcategories' codes."""

    children: list[CategoryChildOut]

    @staticmethod
    def resolve_children(obj: Category) -> list[Category]:
        return list(obj.children.all())


# --- the worker's side (no login) --------------------------------------------------------------


class PublicCaseIn(Schema):
    """A request filed by a worker online."""

    worker_name: str = Field("", max_length=MAX_WORKER_NAME)
    phone: str = Field(
        max_length=MAX_PHONE_INPUT,
        description="Required: it proves later that the case is yours.",
    )
    kind: Kind
    category: str = Field(max_length=MAX_CODE_INPUT, description="Category code, e.g. 0101.")
    title: str = Field(
        "", max_length=MAX_TITLE, description="Optional; default: the start of the description."
    )
    description: str = Field(max_length=MAX_LONG_TEXT)
    employer_name: str = Field("", max_length=MAX_EMPLOYER)
    workplace_division: str | None = Field(None, max_length=MAX_CODE_INPUT)
    is_anonymous: bool = False
    people_involved: int = Field(1, ge=1, le=MAX_PEOPLE)


class PublicIntakeOut(Schema):
    number: str
    status: Status
    status_label: str
    message: str = Field(description="What happens next, in plain words.")


class LookupIn(Schema):
    number: str = Field(max_length=MAX_CODE_INPUT)
    phone: str = Field(max_length=MAX_PHONE_INPUT)


class TimelineOut(Schema):
    at: LocalDateTime
    status: str
    status_label: str
    title: str
    text: str


class PublicCaseOut(Schema):
    """The worker's view of their case: no internal notes, no staff names."""

    number: str
    kind: Kind
    kind_label: str
    category: str
    status: Status
    status_label: str
    created_at: LocalDateTime
    can_rate: bool
    timeline: list[TimelineOut]


class RatingIn(Schema):
    phone: str = Field(max_length=MAX_PHONE_INPUT)
    rating: Rating
    solved: bool
    note: Note = ""


class RatingOut(Schema):
    number: str
    status: Status
    status_label: str
    rating: Rating
    message: str
