"""What the case API needs beyond the services and selectors: who sees a worker's contact details,
the full personal data view (logged), the detail's related rows, and input lookups by id.

Masking, in one place (docs/api.md says the same):

- Lists, details and the screen pop show the worker's name and phone in full only to agents and
  lawyers (they call workers back), and only when the case is neither anonymous nor confidential.
  Everyone else sees ``张**`` and ``138****5678``; an anonymous case shows no name at all.
- The ID number is never shown in full there: only its last four characters.
- ``GET /cases/{number}/personal-data`` gives the full name, phone and ID number to agents,
  lawyers, supervisors and the handling unit's handlers and dispatchers; for an anonymous or
  confidential case, to agents and lawyers only (the centre that took the request). Every answer
  is written to the access log.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _

from hotline.accounts.access_log import record_access
from hotline.accounts.models import AccessEvent, Role, User
from hotline.core.errors import DomainError
from hotline.organizations.models import Organization

from . import crypto
from .models import Attachment, Case, CaseAssist, CaseEvent, Category
from .rules import HANDLING_ROLES
from .selectors import LIST_RELATED, visible_cases

CONTACT_ROLES = (Role.AGENT, Role.LAWYER)
PERSONAL_DATA_ROLES = (Role.AGENT, Role.LAWYER, Role.SUPERVISOR)
DETAIL_RELATED = (*LIST_RELATED, "workplace_division", "lawyer", "merged_into")


# --- masking -----------------------------------------------------------------------------------


def shows_contact(user: User, case: Case) -> bool:
    """True if ``user`` sees ``case``'s worker name and phone in full in lists and details."""
    if case.is_anonymous or case.is_confidential:
        return False
    return user.has_role(*CONTACT_ROLES)


def mask_name(name: str) -> str:
    """``张**``: the family name kept, the rest hidden."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def shown_name(user: User, case: Case) -> str:
    if shows_contact(user, case):
        return case.worker_name
    if case.is_anonymous:
        return ""
    return mask_name(case.worker_name)


def shown_phone(user: User, case: Case) -> str:
    return case.phone if shows_contact(user, case) else crypto.mask_phone(case.phone)


def shown_id_number(case: Case) -> str:
    """The last four characters only; the full number only through the personal data view."""
    return "*" * 14 + case.id_number_tail if case.id_number_tail else ""


# --- the full personal data, logged ------------------------------------------------------------


def may_view_personal_data(user: User, case: Case) -> bool:
    """Whether ``user`` (who can see ``case``) may read its unmasked personal data."""
    if user.has_role(*CONTACT_ROLES):
        return True
    if case.is_anonymous or case.is_confidential:
        return False
    if user.has_role(*PERSONAL_DATA_ROLES):
        return True
    return (
        case.handling_org_id is not None
        and user.organization_id == case.handling_org_id
        and user.has_role(*HANDLING_ROLES)
    )


def view_personal_data(request: HttpRequest, user: User, case: Case) -> dict[str, Any]:
    """The worker's name, phone and ID number in full, written to the access log; refused (403)
    for a role that does not need them."""
    if not may_view_personal_data(user, case):
        raise DomainError(
            "case.personal_data_forbidden",
            _("Your role does not allow viewing this worker's personal data."),
            status=403,
        )
    id_number = crypto.decrypt(case.id_number_encrypted) if case.id_number_encrypted else ""
    record_access(
        AccessEvent.PERSONAL_DATA_VIEW,
        request=request,
        user=user,
        detail=f"case {case.number}: name, phone, ID number",
    )
    return {
        "number": case.number,
        "worker_name": case.worker_name,
        "phone": case.phone,
        "id_number": id_number,
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
    found = visible_cases(user).filter(number=(number or "").strip()).first()
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
