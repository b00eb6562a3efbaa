"""Who sees a worker's personal data: one rule for the pages, the API and the exports.

PRODUCT.md: phone numbers and ID numbers are masked in lists and exports unless the role needs
them, and every view of full personal data is logged. Here that means:

- Lists, details, the screen pop and the ledger show the name as ``张**`` (nothing for an
  anonymous request), the phone as ``138****5678`` and the ID number as its last four
  characters only, to every role. Nothing there is logged because nothing there is personal in
  full.
- The full name, phone and ID number are revealed one case at a time (the "show" button of a
  page, ``GET /api/v1/cases/{number}/personal-data``), only to the staff who contact the worker,
  and every reveal is written to the access log.
- Who contacts the worker (``may_see_personal_data``): the case's lawyer; and agents,
  dispatchers and handlers of the registering organization or of the handling unit. A
  confidential request is revealed only to the registering organization and the lawyer.
  Supervisors and leaders, who read cases to judge the work, never need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.translation import gettext as _

from hotline.accounts.access_log import record_access
from hotline.accounts.models import AccessEvent, Role
from hotline.core.errors import DomainError

from . import crypto

if TYPE_CHECKING:
    from hotline.accounts.models import User

    from .models import Case

# The roles that contact the worker.
PERSONAL_DATA_ROLES = (Role.AGENT, Role.DISPATCHER, Role.HANDLER)


def may_see_personal_data(user: User, case: Case) -> bool:
    """True if ``user`` may reveal the worker's full name, phone and ID number on ``case``."""
    if not user.is_authenticated or not user.is_active:
        return False
    if case.lawyer_id is not None and case.lawyer_id == user.pk:
        return True
    if not user.has_role(*PERSONAL_DATA_ROLES):
        return False
    if case.is_confidential:
        return user.organization_id == case.owner_org_id
    return user.organization_id in (case.owner_org_id, case.handling_org_id)


def mask_name(name: str) -> str:
    """``张**``: the family name kept, the rest hidden."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def masked_name(case: Case) -> str:
    """The worker's name as every list shows it; nothing for an anonymous request."""
    return "" if case.is_anonymous else mask_name(case.worker_name)


def masked_phone(case: Case) -> str:
    return crypto.mask_phone(case.phone)


def masked_id_number(case: Case) -> str:
    """The last four characters only."""
    return "*" * 14 + case.id_number_tail if case.id_number_tail else ""


@dataclass(frozen=True)
class PersonalData:
    worker_name: str
    phone: str
    id_number: str
    # The stored ID number could not be decrypted (a changed key): shown as unreadable.
    id_number_unreadable: bool = False


def reveal_personal_data(request: HttpRequest | None, user: User, case: Case) -> PersonalData:
    """The worker's full personal data on ``case``, written to the access log.

    Raises ``DomainError`` ``case.personal_data_forbidden`` (403) for a user who does not
    contact the worker; nothing is logged then.
    """
    if not may_see_personal_data(user, case):
        raise DomainError(
            "case.personal_data_forbidden",
            _("Your role does not allow viewing this worker's personal data."),
            status=403,
        )
    id_number = ""
    unreadable = False
    if case.id_number_encrypted:
        try:
            id_number = crypto.decrypt(case.id_number_encrypted)
        except ValueError:
            unreadable = True
    record_access(
        AccessEvent.PERSONAL_DATA_VIEW,
        request=request,
        user=user,
        detail=f"case {case.number}: name, phone, ID number",
    )
    return PersonalData(case.worker_name, case.phone, id_number, unreadable)
