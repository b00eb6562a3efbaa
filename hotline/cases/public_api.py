"""The worker's side of the API, under /api/v1/public/: no login, rate limited.

A worker files a request, looks it up and rates the result. A case is found only by its number
together with the phone that filed it; a wrong phone and an unknown number get the same 404, so
the answer never tells whether a number exists. Every endpoint that takes a phone is limited per
client address and per phone number (``throttling``); a refusal is 429 ``throttled`` with
``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Router, Status

from . import api_support, selectors, services
from .models import Case, Category
from .schemas import (
    CaseNumber,
    CategoryOut,
    LookupIn,
    PublicCaseIn,
    PublicCaseOut,
    PublicIntakeOut,
    RatingIn,
    RatingOut,
    documented_errors,
)
from .services.intake import MAX_INTAKE_KEY
from .states import Channel, Kind
from .states import Status as CaseStatus
from .throttling import public_throttles

router = Router()

REFUSED = "Refused input (a domain code); fields names each bad input"
NOT_FOUND = "No case with this number and phone (case.not_found): the same for both"
THROTTLED = "Too many requests from this address or for this phone (throttled); see Retry-After"

TITLE_FROM_DESCRIPTION = 30


def _title(payload: PublicCaseIn) -> str:
    """The worker's title, else the start of the description's first line, else the kind (so
    that an empty description is the only field reported)."""
    if payload.title.strip():
        return payload.title
    lines = payload.description.strip().splitlines()
    first_line = lines[0].strip() if lines else ""
    if not first_line:
        return str(Kind(payload.kind).label)
    if len(first_line) > TITLE_FROM_DESCRIPTION:
        return first_line[:TITLE_FROM_DESCRIPTION] + "…"
    return first_line


def _received_message(case: Case) -> str:
    return _(
        "We have received your request. Your case number is %(number)s: please keep it. The "
        "hotline centre will look at it within one working day and tell you by text message. "
        "You can check progress at any time with the case number and this phone number."
    ) % {"number": case.number}


@router.post(
    "/cases",
    auth=None,
    throttle=public_throttles("intake"),
    response={200: PublicIntakeOut, 201: PublicIntakeOut},
    openapi_extra=documented_errors({400: REFUSED, 429: THROTTLED}),
)
def file_request(
    request: HttpRequest,
    payload: PublicCaseIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_INTAKE_KEY,
        description="Send the same key again (with the same phone) to get the same case back.",
    ),
) -> Status:
    """File a request as a worker (201); a repeated ``Idempotency-Key`` answers the same case
    (200). The answer gives the case number and what happens next."""
    case, created = services.register_case(
        actor=None,
        channel=Channel.WEB,
        kind=payload.kind,
        category=payload.category,
        title=_title(payload),
        description=payload.description,
        worker_name=payload.worker_name,
        phone=payload.phone,
        is_anonymous=payload.is_anonymous,
        employer_name=payload.employer_name,
        workplace_division=payload.workplace_division,
        people_involved=payload.people_involved,
        intake_key=idempotency_key,
    )
    answer = {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "message": _received_message(case),
    }
    return Status(201 if created else 200, answer)


def _public_case(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "kind": case.kind,
        "kind_label": selectors.label_of(Kind, case.kind),
        "category": str(case.category),
        "status": case.status,
        "status_label": selectors.label_of(CaseStatus, case.status),
        "created_at": case.created_at,
        "can_rate": case.status == CaseStatus.RESOLVED and not case.rating,
        "timeline": selectors.public_timeline(case),
    }


@router.post(
    "/cases/lookup",
    auth=None,
    throttle=public_throttles("lookup"),
    response=PublicCaseOut,
    openapi_extra=documented_errors({404: NOT_FOUND, 429: THROTTLED}),
)
def lookup(request: HttpRequest, payload: LookupIn) -> dict[str, Any]:
    """A case's status and public timeline, for its number and the phone that filed it."""
    return _public_case(selectors.get_public_case(payload.number, payload.phone))


@router.post(
    "/cases/{number}/rating",
    auth=None,
    throttle=public_throttles("rating"),
    response=RatingOut,
    openapi_extra=documented_errors(
        {
            400: REFUSED,
            404: NOT_FOUND,
            409: "Not resolved, or already rated (case.wrong_status, case.already_rated)",
            429: THROTTLED,
        }
    ),
)
def rate(request: HttpRequest, number: CaseNumber, payload: RatingIn) -> dict[str, Any]:
    """Rate the result of a resolved case: once, with the phone that filed it."""
    case = services.rate_by_worker(
        number=number,
        phone=payload.phone,
        rating=payload.rating,
        solved=payload.solved,
        note=payload.note,
    )
    return {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "rating": case.rating,
        "message": _("Thank you: your rating was recorded."),
    }


@router.get("/categories", auth=None, response=list[CategoryOut])
def categories(request: HttpRequest) -> list[Category]:
    """The categories a worker chooses from when filing a request."""
    return api_support.category_tree()
