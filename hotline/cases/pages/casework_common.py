"""What the staff case pages share: who may open them, finding a case or answering 404, htmx."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import cached_property

from hotline.accounts.models import Role
from hotline.core.errors import NotFound

from ..models import Case
from ..rules import FOLLOW_UP_ROLES, HANDLING_ROLES
from ..selectors import COUNT_CAP, count_cases, get_visible_case

# Who works with cases at all: everyone but an administrator who holds no other role.
CASE_ROLES = (
    Role.AGENT,
    Role.LAWYER,
    Role.DISPATCHER,
    Role.HANDLER,
    Role.SUPERVISOR,
    Role.LEADER,
)
INBOX_ROLES = HANDLING_ROLES
SUPERVISION_ROLES = (Role.SUPERVISOR, Role.LEADER)
FOLLOW_UP_PAGE_ROLES = FOLLOW_UP_ROLES

View = Callable[..., HttpResponse]


def staff_page(*roles: str) -> Callable[[View], View]:
    """Log-in required, then one of ``roles`` (403 otherwise)."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def case_or_404(request: HttpRequest, number: str) -> Case:
    """The case ``number`` if the user may see it; a case outside their scope is a 404."""
    try:
        return get_visible_case(request.user, number)
    except NotFound as missing:
        raise Http404(missing.message) from missing


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def query_without(request: HttpRequest, *names: str) -> str:
    """The request's query string without ``names`` (for pagination and export links)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


class CappedPaginator(Paginator):
    """A paginator that counts no further than ``selectors.COUNT_CAP + 1`` rows: past that it
    offers the first ``COUNT_CAP`` rows and the page says "more than" (``capped``)."""

    cap = COUNT_CAP

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return count_cases(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def capped(self) -> bool:
        return not self._counted[1]
