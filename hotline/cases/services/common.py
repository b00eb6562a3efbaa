"""What the case services share: the row lock, text input, the tree paths and the dispatch chain.

Every service locks the case row (``select_for_update``) before it reads the status, so of two
concurrent actions on one case the second waits and then finds the case already moved on.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import override

from hotline.core.errors import DomainError
from hotline.organizations.models import Organization

from ..models import Case
from ..rules import check

if TYPE_CHECKING:
    from hotline.accounts.models import User

MAX_NOTE = 2000
MAX_REASON = 500
MAX_LONG_TEXT = 5000
MAX_DAYS = 60


def now() -> datetime.datetime:
    return timezone.now()


def site_text(message: Promise, **values: object) -> str:
    """``message`` (a lazy translation) in the site's language, filled with ``values``.

    For texts stored for someone else to read later (unit notices): the language of whoever
    caused them does not matter.
    """
    with override(settings.LANGUAGE_CODE):
        return str(message) % values if values else str(message)


def lock(case: Case) -> Case:
    """``case`` read again under a row lock held until the transaction ends."""
    return Case.objects.select_for_update().get(pk=case.pk)


def locked_for(action: str, actor: User | None, case: Case) -> Case:
    """``case`` locked and checked: ``actor`` may do ``action`` to it now."""
    locked = lock(case)
    check(action, actor, locked)
    return locked


def clean_text(
    value: str | None,
    *,
    field: str,
    max_length: int,
    required: bool = False,
    code: str = "case.field_required",
) -> str:
    """``value`` stripped; refused when required and empty, or longer than ``max_length``."""
    text = (value or "").strip()
    if required and not text:
        if code == "case.reason_required":
            message = _("A reason is required.")
        else:
            message = _("Please fill in the required fields.")
        raise DomainError(code, message, fields={field: _("This field is required.")})
    if len(text) > max_length:
        raise DomainError(
            "case.text_too_long",
            _("The text is too long."),
            fields={field: _("At most %(count)d characters.") % {"count": max_length}},
        )
    return text


def clean_reason(value: str | None, *, field: str = "reason", max_length: int = MAX_REASON) -> str:
    return clean_text(
        value, field=field, max_length=max_length, required=True, code="case.reason_required"
    )


def clean_days(
    days: int | None, *, field: str = "days", maximum: int = MAX_DAYS, required: bool = False
) -> int | None:
    """A number of working days given by a person: whole, from 1 to ``maximum``."""
    if days is None and not required:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= maximum:
        raise DomainError(
            "case.invalid_days",
            _("The number of working days is not valid."),
            fields={field: _("Between 1 and %(max)d working days.") % {"max": maximum}},
        )
    return days


def clean_flag(value: object, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise DomainError(
            "case.field_required",
            _("Please fill in the required fields."),
            fields={field: _("Answer yes or no.")},
        )
    return value


# --- tree paths: kept in step with the foreign keys they copy ------------------------------------


def set_handling(case: Case, organization: Organization | None) -> None:
    case.handling_org = organization
    case.handling_path = organization.path if organization is not None else ""


def set_owner(case: Case, organization: Organization) -> None:
    case.owner_org = organization
    case.owner_path = organization.path


# --- the dispatch chain ------------------------------------------------------------------------


def iso(moment: datetime.datetime | None) -> str | None:
    """A moment as event and chain data."""
    return moment.isoformat() if moment is not None else None


def chain_due(entry: dict[str, Any]) -> datetime.datetime | None:
    due = entry.get("due")
    return datetime.datetime.fromisoformat(due) if due else None


def push_chain(case: Case, organization: Organization) -> None:
    """``organization`` passes the case down: remember it and its own completion deadline."""
    entry = {"org": organization.pk, "due": iso(case.completion_due_at)}
    case.dispatch_chain = [*case.dispatch_chain, entry]
    case.dispatching_org = organization


def pop_chain(case: Case) -> dict[str, Any]:
    """Take the unit that dispatched to the handling unit off the chain; the next one up becomes
    the dispatching unit (none when the chain is empty: the case is back with its owner)."""
    *rest, entry = case.dispatch_chain
    case.dispatch_chain = rest
    case.dispatching_org_id = rest[-1]["org"] if rest else None
    return entry


def organization(pk: int) -> Organization:
    return Organization.objects.get(pk=pk)


def check_target(actor: User, target: Organization, *, field: str) -> None:
    """``target`` lies strictly inside the actor's organization's subtree and is active."""
    own = actor.organization
    if target.pk == own.pk:
        raise DomainError(
            "case.target_is_own_unit",
            _("A case cannot be sent to your own organization."),
            fields={field: _("Choose a unit below your organization.")},
        )
    if not target.path.startswith(own.path) or not target.is_active:
        raise DomainError(
            "case.target_outside_subtree",
            _("The unit must be an active organization below yours."),
            fields={field: _("Not an active organization below yours.")},
        )
