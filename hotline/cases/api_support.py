"""What the case API needs beyond the services and selectors: the full personal data view
(logged), the detail's related rows, and input lookups by id.

Personal data follows ``privacy`` (the pages' rule too): lists, details and the screen pop show
``张**``, ``138****5678`` and the ID number's last four characters to everyone;
``GET /cases/{number}/personal-data`` gives the full name, phone and ID number to the staff who
contact the worker (the case's lawyer; agents, dispatchers and handlers of the registering
organization or the handling unit; only the registering organization and the lawyer for a
confidential request), and every answer is written to the access log.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.core.errors import DomainError
from hotline.organizations.models import Organization

from . import privacy
from .models import Attachment, Case, CaseAssist, CaseEvent, Category
from .selectors import LIST_RELATED, reachable_cases

DETAIL_RELATED = (*LIST_RELATED, "workplace_division", "lawyer", "merged_into")


# --- personal data: the rule is ``privacy``'s, the same as the pages' ---------------------------


def view_personal_data(request: HttpRequest, user: User, case: Case) -> dict[str, Any]:
    """The worker's name, phone and ID number in full, written to the access log; refused (403,
    ``case.personal_data_forbidden``) to a user who does not contact the worker."""
    data = privacy.reveal_personal_data(request, user, case)
    return {
        "number": case.number,
        "worker_name": data.worker_name,
        "phone": data.phone,
        "id_number": data.id_number,
        "is_anonymous": case.is_anonymous,
        "is_confidential": case.is_confidential,
    }


# --- the detail's related rows -----------------------------------------------------------------


def load_detail(case: Case) -> Case:
    """``case`` with its events (and their organizations), attachments and assisting units."""
    prefetch_related_objects(
        [case],
        Prefetch(
            "events",
            queryset=CaseEvent.objects.select_related("organization").order_by("sequence"),
        ),
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
        Prefetch(
            "assists", queryset=CaseAssist.objects.select_related("organization").order_by("pk")
        ),
    )
    return case


def case_for_detail(pk: int) -> Case:
    """The case ``pk`` read again after an action, with what the detail shows.

    Not scoped on purpose: the caller has just acted on it, and a unit that returned or escalated
    a case no longer sees it, yet must be told how the case now stands.
    """
    return load_detail(Case.objects.select_related(*DETAIL_RELATED).get(pk=pk))


def chain_units(case: Case) -> list[dict[str, Any]]:
    """The dispatch chain, top first: each unit that passed the case down, with the completion
    deadline it kept for itself (one query)."""
    ids = [entry["org"] for entry in case.dispatch_chain]
    if not ids:
        return []
    names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [
        {"unit": {"id": entry["org"], "name": names.get(entry["org"], "")}, "due": entry["due"]}
        for entry in case.dispatch_chain
    ]


# --- input that names other rows ---------------------------------------------------------------


def unit_for_input(pk: int, *, field: str) -> Organization:
    """The organization ``pk`` for a service to check against the actor's subtree.

    An id that does not exist is refused exactly like one outside the subtree, so the answer
    never tells whether an organization elsewhere exists.
    """
    found = Organization.objects.filter(pk=pk).first()
    if found is None:
        raise DomainError(
            "case.target_outside_subtree",
            _("The unit must be an active organization below yours."),
            fields={field: _("Not an active organization below yours.")},
        )
    return found


def lawyer_for_input(username: str) -> User:
    """The user ``username`` for ``assign_lawyer`` (which checks the role and organization)."""
    found = User.objects.filter(username=(username or "").strip()).first()
    if found is None:
        raise DomainError(
            "case.not_a_lawyer",
            _("Choose a lawyer of the organization that owns the case."),
            fields={"lawyer": _("Not a lawyer of this organization.")},
        )
    return found


def merge_target(user: User, number: str) -> Case:
    """The case a duplicate is merged into, if ``user`` may see it."""
    found = reachable_cases(user).filter(number=(number or "").strip()).first()
    if found is None:
        raise DomainError(
            "case.merge_target_not_found",
            _("There is no case with this number that you can see."),
            fields={"into": _("Enter the number of a case you can see.")},
        )
    return found


# --- the taxonomy ------------------------------------------------------------------------------


def category_tree() -> list[Category]:
    """Active top-level categories in order, each with its active children (two queries)."""
    children = Category.objects.filter(is_active=True).order_by("sort_order", "code")
    return list(
        Category.objects.filter(parent__isnull=True, is_active=True)
        .order_by("sort_order", "code")
        .prefetch_related(Prefetch("children", queryset=children))
    )
