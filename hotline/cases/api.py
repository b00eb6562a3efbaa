"""The staff case API: intake, the scoped list and detail, every lifecycle action, attachments,
the screen pop and the category tree.

Thin over ``services`` (writes) and ``selectors`` (reads): every case is reached through
``selectors.get_visible_case`` or ``selectors.case_list``, so anything outside the caller's scope
answers 404 exactly like a number that does not exist. A refused action answers with the
service's code: 409 for a wrong status, 403 for a role or unit that may not act, 400 for bad
input; bodies that do not validate answer 422.

Each action has its own endpoint and body schema (``ACTIONS``), registered by one function so
that the views stay identical: find the case, call the service, answer the case as it now stands.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile

from hotline.accounts.models import User

from . import api_support, crypto, selectors, services
from .models import Case, Category
from .schemas import (
    ACTION_ERRORS,
    AcceptIn,
    AssignLawyerIn,
    AttachmentOut,
    CaseDetailOut,
    CaseIn,
    CaseItemOut,
    CaseListQuery,
    CaseNumber,
    CasePage,
    CategoryOut,
    CloseAfterReviewIn,
    CommentIn,
    DecideExtensionIn,
    DeclineIn,
    DispatchIn,
    DuplicateHintOut,
    EscalateIn,
    FollowUpIn,
    IntakeOut,
    MergeIn,
    NoteIn,
    PersonalDataOut,
    ReasonIn,
    ReassignIn,
    ReplyIn,
    RequestExtensionIn,
    ResolveDirectlyIn,
    ReturnIn,
    SendBackIn,
    SuperviseIn,
    documented_errors,
)
from .services.common import MAX_NOTE
from .services.intake import MAX_INTAKE_KEY

case_router = Router()
category_router = Router()


# --- intake ------------------------------------------------------------------------------------


@case_router.post(
    "",
    response={200: IntakeOut, 201: IntakeOut},
    openapi_extra=documented_errors(
        {
            400: "Refused input (a domain code); fields names each bad input",
            403: "The caller may not register cases (case.role_required)",
        }
    ),
)
def register(
    request: HttpRequest,
    payload: CaseIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_INTAKE_KEY,
        description="Repeat a submission safely: the same key (per user) returns the same case.",
    ),
) -> Status:
    """Register a request (201); with an ``Idempotency-Key`` already used by the caller, answer
    the case it made (200). The answer is what intake knows (number, status, deadline, links);
    the whole case is at ``links.self``, recent cases that may repeat it at ``links.duplicates``.
    """
    owner = (
        api_support.unit_for_input(payload.owner_org, field="owner_org")
        if payload.owner_org is not None
        else None
    )
    # No transaction here: the service opens its own, after drawing the case number outside it.
    case, created = services.register_case(
        actor=request.auth,
        channel=payload.channel,
        kind=payload.kind,
        category=payload.category,
        title=payload.title,
        description=payload.description,
        worker_name=payload.worker_name,
        phone=payload.phone,
        id_number=payload.id_number,
        is_anonymous=payload.is_anonymous,
        is_confidential=payload.is_confidential,
        employer_name=payload.employer_name,
        employer_credit_code=payload.employer_credit_code,
        workplace_division=payload.workplace_division,
        people_involved=payload.people_involved,
        intake_key=idempotency_key,
        owner_org=owner,
        accept=payload.accept,
    )
    return Status(201 if created else 200, case)


@case_router.get("/{number}/duplicates", response=list[DuplicateHintOut])
def duplicates(request: HttpRequest, number: CaseNumber) -> list[Case]:
    """Recent cases that may be the same request as this one: the same phone or employer in the
    last 30 days with a similar description, most similar first (at most five)."""
    case = selectors.get_visible_case(request.auth, number)
    return selectors.duplicate_hints(
        case.phone, case.employer_name, case.description, exclude=case, user=request.auth
    )


# --- reads -------------------------------------------------------------------------------------


@case_router.get("", response=CasePage)
def list_cases(request: HttpRequest, filters: Query[CaseListQuery]) -> dict[str, Any]:
    """The caller's cases, newest first, filtered and a page at a time.

    The count stops at ``selectors.COUNT_CAP``: an exact count of a large scope would read
    each of its cases (docs/benchmarks.md); ``count_is_exact`` says which it is.
    """
    cases = selectors.case_list(
        request.auth,
        selectors.CaseFilters(
            assisting=filters.scope == "assisting",
            status=filters.status or "",
            kind=filters.kind or "",
            category=filters.category,
            unit=filters.unit,
            overdue=filters.overdue,
            due_soon=filters.due_soon,
            supervised=filters.supervised,
            text=filters.text,
            created_from=filters.created_from,
            created_to=filters.created_to,
        ),
    )
    count, exact = selectors.count_cases(cases, selectors.COUNT_CAP)
    return {
        "count": count,
        "count_is_exact": exact,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": list(cases[filters.offset : filters.offset + filters.limit]),
    }


@case_router.get("/screen-pop", response=list[CaseItemOut])
def screen_pop(
    request: HttpRequest,
    phone: str = Query(..., max_length=30, description="The caller's number."),
) -> list[Case]:
    """A caller's earlier cases (the ten newest the caller of the API may see)."""
    return selectors.screen_pop(crypto.validate_phone(phone), user=request.auth)


@case_router.get("/{number}", response=CaseDetailOut)
def case_detail(request: HttpRequest, number: CaseNumber) -> Case:
    """One case with its internal timeline, attachments, units, deadlines and allowed actions."""
    return api_support.load_detail(selectors.get_visible_case(request.auth, number))


@case_router.get(
    "/{number}/personal-data",
    response=PersonalDataOut,
    openapi_extra=documented_errors(
        {403: "Not for the caller's role (case.personal_data_forbidden)"}
    ),
)
def personal_data(request: HttpRequest, number: CaseNumber) -> dict[str, Any]:
    """The worker's name, phone and ID number in full, for the roles that need them; every
    answer is written to the access log."""
    case = selectors.get_visible_case(request.auth, number)
    return api_support.view_personal_data(request, request.auth, case)


@case_router.post(
    "/{number}/attachments", response={201: AttachmentOut}, openapi_extra=ACTION_ERRORS
)
def attach(
    request: HttpRequest,
    number: CaseNumber,
    file: Annotated[UploadedFile, File(description="JPG, PNG, PDF, Word, Excel, MP3, AMR or WAV.")],
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Status:
    """Attach a file (checked by content and size; 10 MB at most)."""
    case = selectors.get_visible_case(request.auth, number)
    return Status(201, services.attach(case, actor=request.auth, file=file, note=note))


# --- the lifecycle actions ---------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAction:
    """One ``POST /cases/{number}/<path>`` endpoint: its body and the service call it makes."""

    path: str
    body: type[Schema]
    perform: Callable[[User, Case, Any], object]
    summary: str


def _dispatch(actor: User, case: Case, body: DispatchIn) -> object:
    return services.dispatch(
        case,
        actor=actor,
        to=api_support.unit_for_input(body.to, field="to"),
        assisting=[api_support.unit_for_input(pk, field="assisting") for pk in body.assisting],
        note=body.note,
        days=body.days,
    )


def _reassign(actor: User, case: Case, body: ReassignIn) -> object:
    to = api_support.unit_for_input(body.to, field="to")
    return services.reassign(case, actor=actor, to=to, reason=body.reason, days=body.days)


def _assign_lawyer(actor: User, case: Case, body: AssignLawyerIn) -> object:
    lawyer = api_support.lawyer_for_input(body.lawyer)
    return services.assign_lawyer(case, actor=actor, lawyer=lawyer, note=body.note)


def _merge(actor: User, case: Case, body: MergeIn) -> object:
    into = api_support.merge_target(actor, body.into)
    return services.merge(case, actor=actor, into=into, note=body.note)


ACTIONS: tuple[CaseAction, ...] = (
    CaseAction(
        "accept",
        AcceptIn,
        lambda actor, case, body: services.accept(case, actor=actor),
        "Accept a received request (the worker gets the case number by SMS).",
    ),
    CaseAction(
        "decline",
        DeclineIn,
        lambda actor, case, body: services.decline(case, actor=actor, referral=body.referral),
        "Decline a request outside the union's remit, telling the worker where to turn.",
    ),
    CaseAction(
        "resolve-directly",
        ResolveDirectlyIn,
        lambda actor, case, body: services.resolve_directly(
            case, actor=actor, answer=body.answer, article=body.article
        ),
        "Resolve an accepted case on first contact, with the answer given.",
    ),
    CaseAction(
        "assign-lawyer",
        AssignLawyerIn,
        _assign_lawyer,
        "Give an accepted case to a lawyer of the owner.",
    ),
    CaseAction(
        "dispatch",
        DispatchIn,
        _dispatch,
        "Send the case to a unit below the caller's, with optional assisting units.",
    ),
    CaseAction(
        "acknowledge",
        NoteIn,
        lambda actor, case, body: services.acknowledge(case, actor=actor, note=body.note),
        "The handling unit confirms it has the case.",
    ),
    CaseAction(
        "return",
        ReturnIn,
        lambda actor, case, body: services.return_case(case, actor=actor, reason=body.reason),
        "The handling unit sends a misrouted case back to the unit that dispatched it.",
    ),
    CaseAction(
        "reassign",
        ReassignIn,
        _reassign,
        "The dispatching unit sends the case to another unit below it.",
    ),
    CaseAction(
        "escalate",
        EscalateIn,
        lambda actor, case, body: services.escalate(case, actor=actor, note=body.note),
        "The handling unit hands the case up to its parent organization.",
    ),
    CaseAction(
        "reply",
        ReplyIn,
        lambda actor, case, body: services.reply(
            case, actor=actor, result=body.result, solved=body.solved
        ),
        "The handling unit reports the result and whether the problem is solved.",
    ),
    CaseAction(
        "approve",
        NoteIn,
        lambda actor, case, body: services.approve(case, actor=actor, note=body.note),
        "The dispatching unit accepts the reply (resolved at the owner, else passed up).",
    ),
    CaseAction(
        "send-back",
        SendBackIn,
        lambda actor, case, body: services.send_back(
            case, actor=actor, reason=body.reason, days=body.days
        ),
        "The dispatching unit refuses the reply: the handling unit works on.",
    ),
    CaseAction(
        "request-extension",
        RequestExtensionIn,
        lambda actor, case, body: services.request_extension(
            case, actor=actor, days=body.days, reason=body.reason
        ),
        "The handling unit asks for more working days (once per case).",
    ),
    CaseAction(
        "decide-extension",
        DecideExtensionIn,
        lambda actor, case, body: services.decide_extension(
            case, actor=actor, approve=body.approve, note=body.note
        ),
        "The dispatching unit grants or refuses the requested extension.",
    ),
    CaseAction(
        "follow-up",
        FollowUpIn,
        lambda actor, case, body: services.follow_up(
            case, actor=actor, rating=body.rating, solved=body.solved, note=body.note
        ),
        "Record the worker's rating from the follow-up call.",
    ),
    CaseAction(
        "close-after-review",
        CloseAfterReviewIn,
        lambda actor, case, body: services.close_after_review(
            case, actor=actor, explanation=body.explanation
        ),
        "A supervisor closes a dissatisfied case, explaining why.",
    ),
    CaseAction(
        "reopen",
        ReasonIn,
        lambda actor, case, body: services.reopen(case, actor=actor, reason=body.reason),
        "A supervisor sends a resolved or closed case back to work.",
    ),
    CaseAction(
        "urge",
        NoteIn,
        lambda actor, case, body: services.urge(case, actor=actor, note=body.note),
        "Remind the handling unit.",
    ),
    CaseAction(
        "supervise",
        SuperviseIn,
        lambda actor, case, body: services.supervise(case, actor=actor, note=body.note),
        "Put the case under a supervisor's formal supervision.",
    ),
    CaseAction(
        "merge",
        MergeIn,
        _merge,
        "Close this case as a duplicate of an earlier one.",
    ),
    CaseAction(
        "comment",
        CommentIn,
        lambda actor, case, body: services.comment(
            case, actor=actor, text=body.text, internal=not body.public
        ),
        "Add a progress note (internal unless public).",
    ),
)


def _add_action(action: CaseAction) -> None:
    """Register ``action``'s endpoint with its own body type, as if written out by hand."""

    def view(request: HttpRequest, number: str, payload: Schema | None = None) -> Case:
        case = selectors.get_visible_case(request.auth, number)
        action.perform(request.auth, case, payload if payload is not None else action.body())
        return api_support.case_for_detail(case.pk)

    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    # A body whose every field is optional may be left out altogether (``curl -X POST``).
    optional = all(not field.is_required() for field in action.body.model_fields.values())
    # Ninja reads the parameters' types from the signature: the body is the action's own schema.
    view.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", keyword, annotation=HttpRequest),
            inspect.Parameter("number", keyword, annotation=CaseNumber),
            inspect.Parameter(
                "payload",
                keyword,
                annotation=action.body,
                default=None if optional else inspect.Parameter.empty,
            ),
        ]
    )
    name = action.path.replace("-", "_")
    view.__name__ = view.__qualname__ = f"case_{name}"
    view.__doc__ = action.summary + " Answers the case as it now stands."
    case_router.post(
        f"/{{number}}/{action.path}",
        response=CaseDetailOut,
        operation_id=f"case_{name}",
        summary=action.summary,
        openapi_extra=ACTION_ERRORS,
    )(view)


for _action in ACTIONS:
    _add_action(_action)


# --- the taxonomy ------------------------------------------------------------------------------


@category_router.get("", response=list[CategoryOut])
def categories(request: HttpRequest) -> list[Category]:
    """The active categories, two levels; cases take a subcategory's code."""
    return api_support.category_tree()
