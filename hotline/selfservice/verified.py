"""The cases a visitor has proven to be theirs in this browser session (number and phone).

A lookup with the right number and phone, or filing the request, proves it; after that the case
page and the rating form take the phone from the session instead of asking again. The phone is
still checked against the case on every use (``get_public_case``), so a session never shows more
than a fresh lookup would.
"""

from __future__ import annotations

from django.http import HttpRequest

from hotline.cases.models import Case
from hotline.cases.selectors import get_public_case
from hotline.core.errors import NotFound

SESSION_KEY = "selfservice_verified"
FILED_KEY = "selfservice_filed"
# A handful is all one person has; the oldest is forgotten first.
MAX_REMEMBERED = 10


def remember(request: HttpRequest, number: str, phone: str) -> None:
    verified = {
        key: value for key, value in request.session.get(SESSION_KEY, {}).items() if key != number
    }
    verified[number] = phone
    request.session[SESSION_KEY] = dict(list(verified.items())[-MAX_REMEMBERED:])


def verified_phone(request: HttpRequest, number: str) -> str:
    """The phone this session proved for ``number``, or ""."""
    return request.session.get(SESSION_KEY, {}).get(number, "")


def verified_case(request: HttpRequest, number: str) -> Case | None:
    """The case ``number`` if this session has proven it, else None."""
    phone = verified_phone(request, number)
    if not phone:
        return None
    try:
        return get_public_case(number, phone)
    except NotFound:
        return None
