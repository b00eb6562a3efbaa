"""The worker's pages: file a request, look it up by number and phone, rate the result.

No login: a worker proves a case is theirs with its number and the phone they left, and the
session remembers that proof (``verified``). Writes go through the case services, reads through
the public selectors; every form post is counted against the public API's rate limits (the same
counters, so the pages and the API share one budget per address and per phone).
"""

from __future__ import annotations

import math
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hotline.accounts.access_log import client_ip
from hotline.cases import services
from hotline.cases.crypto import mask_phone, normalize_phone
from hotline.cases.selectors import get_public_case, public_timeline
from hotline.cases.services.common import MAX_LONG_TEXT, MAX_NOTE
from hotline.cases.services.intake import MAX_EMPLOYER, MAX_WORKER_NAME
from hotline.cases.services.public_intake import MAX_WORKER_PHOTOS, register_public_case
from hotline.cases.throttling import hit, rate_for
from hotline.core.errors import Conflict, DomainError, NotFound

from .forms import LookupForm, RatingForm, RequestForm, add_domain_error
from .progress import answer_of, progress_of
from .topics import TOPICS, TOPICS_BY_KEY
from .verified import FILED_KEY, remember, verified_case

HOTLINE = "12351"


def _throttle_wait(request: HttpRequest, scope: str, phone: str = "") -> float | None:
    """Count this post for the address and the phone; the seconds to wait if over a limit."""
    waits = []
    address = client_ip(request)
    if address:
        waits.append(hit(f"{scope}_ip", address, rate_for(f"{scope}_ip")))
    phone = normalize_phone(phone)
    if phone:
        waits.append(hit(f"{scope}_phone", phone, rate_for(f"{scope}_phone")))
    over = [wait for wait in waits if wait is not None]
    return max(over) if over else None


def _throttled(request: HttpRequest, wait: float) -> HttpResponse:
    seconds = max(1, math.ceil(wait))
    response = render(
        request,
        "selfservice/throttled.html",
        {"minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "selfservice/home.html", {"topics": TOPICS})


@require_http_methods(["GET", "POST"])
def file_request(request: HttpRequest) -> HttpResponse:
    """The request form; a valid post registers the case once, however often it is sent."""
    if request.method == "POST":
        wait = _throttle_wait(request, "intake", request.POST.get("phone", ""))
        if wait is not None:
            return _throttled(request, wait)
        form = RequestForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                case, _created = register_public_case(**form.intake())
            except DomainError as refused:
                add_domain_error(form, refused)
            else:
                remember(request, case.number, case.phone)
                request.session[FILED_KEY] = case.number
                return redirect("selfservice:filed")
    else:
        # The key travels with the form: a second submission of the same form (a double tap, a
        # reload) returns the case the first one made.
        initial = {"intake_key": uuid.uuid4().hex}
        # The topic chips of the home page link here with their topic already chosen.
        if request.GET.get("topic") in TOPICS_BY_KEY:
            initial["topic"] = request.GET["topic"]
        form = RequestForm(initial=initial)
    context = {
        "form": form,
        "topics": TOPICS,
        "max_description": MAX_LONG_TEXT,
        "max_employer": MAX_EMPLOYER,
        "max_name": MAX_WORKER_NAME,
        "max_photos": MAX_WORKER_PHOTOS,
    }
    return render(request, "selfservice/file.html", context)


@require_GET
def filed(request: HttpRequest) -> HttpResponse:
    """The receipt: the case number, big, and what happens next."""
    number = request.session.get(FILED_KEY, "")
    case = verified_case(request, number) if number else None
    if case is None:
        return redirect("selfservice:home")
    context = {"case": case, "masked_phone": mask_phone(case.phone)}
    return render(request, "selfservice/filed.html", context)


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest, purpose: str = "") -> HttpResponse:
    """Number and phone → the case page. ``purpose`` "rate" (the SMS link after resolution)
    goes on to the rating form when the case can be rated."""
    form = LookupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        wait = _throttle_wait(request, "lookup", request.POST.get("phone", ""))
        if wait is not None:
            return _throttled(request, wait)
        if form.is_valid():
            number, phone = form.cleaned_data["number"], form.cleaned_data["phone"]
            try:
                case = get_public_case(number, phone)
            except NotFound:
                # One message for an unknown number and a wrong phone: no hint which was wrong.
                form.add_error(None, _("Not found. Please check the case number and phone."))
            else:
                remember(request, case.number, case.phone)
                if purpose == "rate" and progress_of(case).can_rate:
                    return redirect("selfservice:rate", number=case.number)
                return redirect("selfservice:case", number=case.number)
    return render(request, "selfservice/lookup.html", {"form": form, "purpose": purpose})


def _not_verified(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Please enter the case number and phone first."))
    return redirect("selfservice:lookup")


@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """Where a verified case stands, and its history in plain words."""
    case = verified_case(request, number)
    if case is None:
        return _not_verified(request)
    timeline = public_timeline(case)
    context = {
        "case": case,
        "progress": progress_of(case),
        "timeline": list(reversed(timeline)),
        "answer": answer_of(timeline),
        "masked_phone": mask_phone(case.phone),
    }
    return render(request, "selfservice/case.html", context)


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """The rating form of a verified, resolved, not yet rated case."""
    case = verified_case(request, number)
    if case is None:
        return _not_verified(request)
    case_url = reverse("selfservice:case", kwargs={"number": case.number})
    if case.rating:
        messages.info(request, _("This case has already been rated."))
        return redirect(case_url)
    if not progress_of(case).can_rate:
        messages.info(request, _("You can rate the result once your request is resolved."))
        return redirect(case_url)
    form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        wait = _throttle_wait(request, "rating", case.phone)
        if wait is not None:
            return _throttled(request, wait)
        if form.is_valid():
            try:
                services.rate_by_worker(
                    number=case.number,
                    phone=case.phone,
                    rating=form.cleaned_data["rating"],
                    solved=form.cleaned_data["solved"],
                    note=form.cleaned_data["note"],
                )
            except (Conflict, NotFound) as refused:
                messages.info(request, refused.message)
                return redirect(case_url)
            except DomainError as refused:
                add_domain_error(form, refused)
            else:
                messages.success(request, _("Thank you! Your rating has been recorded."))
                return redirect(case_url)
    context = {"case": case, "form": form, "max_note": MAX_NOTE}
    return render(request, "selfservice/rate.html", context)
