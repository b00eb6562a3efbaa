"""Who may do what to a case, and from which status: the one table and the one set of checks.

``TRANSITIONS`` says from which statuses each action may start. ``check(action, actor, case)``
adds who may act: the role the action needs and the unit the actor must belong to (the unit that
owns the case, handles it, or dispatched it to the handling unit; a supervisor above it). Services
call ``check`` on the case row they have locked; ``selectors.allowed_actions`` calls the same
function to show a user exactly the actions that would succeed.

The checks read only the case row and the actor (ids and tree paths), so listing the allowed
actions of a case costs no query beyond the actor's roles (read once per request) and, for notes
by assisting units, one look at the assisting units.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from hotline.accounts.models import Role
from hotline.core.errors import Conflict, DomainError

from .models import Case, CaseAssist
from .states import OPEN_STATUSES, Action, ExtensionState, Rating, Status

if TYPE_CHECKING:
    from hotline.accounts.models import User

S = Status
ALL_STATUSES = frozenset(Status)

TRANSITIONS: dict[str, frozenset[str]] = {
    Action.ACCEPT: frozenset({S.RECEIVED}),
    Action.DECLINE: frozenset({S.RECEIVED}),
    Action.RESOLVE_DIRECTLY: frozenset({S.ACCEPTED}),
    Action.ASSIGN_LAWYER: frozenset({S.ACCEPTED}),
    Action.DISPATCH: frozenset({S.ACCEPTED, S.IN_PROGRESS}),
    Action.ACKNOWLEDGE: frozenset({S.DISPATCHED}),
    Action.RETURN: frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    Action.REASSIGN: frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    Action.ESCALATE: frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    Action.REPLY: frozenset({S.IN_PROGRESS}),
    Action.APPROVE: frozenset({S.REPLIED}),
    Action.SEND_BACK: frozenset({S.REPLIED}),
    Action.REQUEST_EXTENSION: frozenset({S.IN_PROGRESS}),
    Action.DECIDE_EXTENSION: frozenset({S.IN_PROGRESS, S.REPLIED}),
    Action.FOLLOW_UP: frozenset({S.RESOLVED}),
    Action.RATE: frozenset({S.RESOLVED}),
    Action.CLOSE: frozenset({S.RESOLVED}),
    Action.REOPEN: frozenset({S.RESOLVED, S.CLOSED}),
    Action.URGE: frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    Action.SUPERVISE: frozenset({S.RECEIVED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.REPLIED}),
    Action.MERGE: frozenset(OPEN_STATUSES),
    Action.COMMENT: ALL_STATUSES,
    Action.ATTACH: ALL_STATUSES,
}

INTAKE_ROLES = (Role.AGENT, Role.DISPATCHER)
DISPATCH_ROLES = (Role.DISPATCHER, Role.AGENT)
HANDLING_ROLES = (Role.HANDLER, Role.DISPATCHER)
FOLLOW_UP_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR)
NOTE_ROLES = (
    Role.AGENT,
    Role.LAWYER,
    Role.DISPATCHER,
    Role.HANDLER,
    Role.SUPERVISOR,
    Role.LEADER,
)


# --- refusals ----------------------------------------------------------------------------------


def wrong_status(case: Case) -> Conflict:
    return Conflict(
        "case.wrong_status",
        _("This action is not possible while the case is “%(status)s”.")
        % {"status": Status(case.status).label},
    )


def not_your_unit() -> DomainError:
    return DomainError(
        "case.not_your_unit",
        _("Only the unit responsible for this step of the case may do this."),
        status=403,
    )


def role_required() -> DomainError:
    return DomainError("case.role_required", _("Your role does not allow this action."), status=403)


# --- where the actor stands ----------------------------------------------------------------------


def responsible_org_id(case: Case) -> int:
    """The unit that has the case now: its handling unit, or its owner when none handles it."""
    return case.handling_org_id or case.owner_org_id


def watches(actor: User, case: Case) -> bool:
    """The actor's organization is the case's owner or handling unit, or above one of them."""
    path = actor.organization.path
    return case.owner_path.startswith(path) or (
        bool(case.handling_path) and case.handling_path.startswith(path)
    )


def can_see_case(actor: User, case: Case) -> bool:
    """The rule of ``selectors.reachable_cases``, for one loaded case."""
    from .selectors import sees_by_subtree

    if not actor.is_authenticated or not actor.is_active:
        return False
    if case.lawyer_id == actor.pk:
        return True
    if not sees_by_subtree(actor):
        return False
    if watches(actor, case):
        return True
    path = actor.organization.path
    return CaseAssist.objects.filter(case_id=case.pk, path__startswith=path).exists()


def _require_roles(actor: User | None, roles: tuple[str, ...]) -> User:
    if actor is None or not actor.is_active or not actor.has_role(*roles):
        raise role_required()
    return actor


def _require_unit(actor: User, org_id: int | None) -> None:
    if org_id is None or actor.organization_id != org_id:
        raise not_your_unit()


# --- the guards, one per action -----------------------------------------------------------------


def _at_owner(roles: tuple[str, ...]) -> Callable[[User | None, Case], None]:
    def guard(actor: User | None, case: Case) -> None:
        _require_unit(_require_roles(actor, roles), case.owner_org_id)

    return guard


def _at_handling_unit(actor: User | None, case: Case) -> None:
    _require_unit(_require_roles(actor, HANDLING_ROLES), case.handling_org_id)


def _at_dispatching_unit(actor: User | None, case: Case) -> None:
    _require_unit(_require_roles(actor, DISPATCH_ROLES), case.dispatching_org_id)


def _resolve_directly(actor: User | None, case: Case) -> None:
    actor = _require_roles(actor, (Role.AGENT, Role.LAWYER))
    if case.lawyer_id is not None and case.lawyer_id == actor.pk:
        return
    if not actor.has_role(Role.AGENT):
        raise not_your_unit()
    _require_unit(actor, case.owner_org_id)


def _dispatch(actor: User | None, case: Case) -> None:
    _require_unit(_require_roles(actor, DISPATCH_ROLES), responsible_org_id(case))


def _request_extension(actor: User | None, case: Case) -> None:
    _at_handling_unit(actor, case)
    if case.extension_state != ExtensionState.NONE:
        raise Conflict(
            "case.extension_already_used", _("A case may have one extension request at most.")
        )


def _decide_extension(actor: User | None, case: Case) -> None:
    _at_dispatching_unit(actor, case)
    if case.extension_state != ExtensionState.REQUESTED:
        raise Conflict("case.no_extension_requested", _("No extension request awaits a decision."))


def _not_rated(case: Case) -> None:
    if case.rating:
        raise Conflict("case.already_rated", _("This case has already been rated."))


def _follow_up(actor: User | None, case: Case) -> None:
    actor = _require_roles(actor, FOLLOW_UP_ROLES)
    if not case.owner_path.startswith(actor.organization.path):
        raise not_your_unit()
    _not_rated(case)


def _rate(actor: User | None, case: Case) -> None:
    # The worker on the public pages: proven by the case number and phone, not by an account.
    if actor is not None:
        raise role_required()
    _not_rated(case)


def _supervisor(actor: User | None, case: Case) -> User:
    actor = _require_roles(actor, (Role.SUPERVISOR,))
    if not watches(actor, case):
        raise not_your_unit()
    return actor


def _close(actor: User | None, case: Case) -> None:
    _supervisor(actor, case)
    if case.rating != Rating.DISSATISFIED:
        raise Conflict(
            "case.not_dissatisfied",
            _("Only a case rated dissatisfied is closed after a supervisor's review."),
        )


def _reopen(actor: User | None, case: Case) -> None:
    _supervisor(actor, case)


def _urge(actor: User | None, case: Case) -> None:
    actor = _require_roles(actor, (Role.SUPERVISOR, *DISPATCH_ROLES))
    if actor.has_role(*DISPATCH_ROLES) and actor.organization_id == case.dispatching_org_id:
        return
    path = actor.organization.path
    above_handling = case.handling_path.startswith(path) and case.handling_path != path
    if not (actor.has_role(Role.SUPERVISOR) and above_handling):
        raise not_your_unit()


def _supervise(actor: User | None, case: Case) -> None:
    _supervisor(actor, case)
    if case.supervised:
        raise Conflict("case.already_supervised", _("This case is already under supervision."))


def _merge(actor: User | None, case: Case) -> None:
    actor = _require_roles(actor, INTAKE_ROLES)
    if not case.owner_path.startswith(actor.organization.path):
        raise not_your_unit()


def _note(actor: User | None, case: Case) -> None:
    actor = _require_roles(actor, NOTE_ROLES)
    if not can_see_case(actor, case):
        raise not_your_unit()


GUARDS: dict[str, Callable[[User | None, Case], None]] = {
    Action.ACCEPT: _at_owner(INTAKE_ROLES),
    Action.DECLINE: _at_owner(INTAKE_ROLES),
    Action.RESOLVE_DIRECTLY: _resolve_directly,
    Action.ASSIGN_LAWYER: _at_owner(INTAKE_ROLES),
    Action.DISPATCH: _dispatch,
    Action.ACKNOWLEDGE: _at_handling_unit,
    Action.RETURN: _at_handling_unit,
    Action.REASSIGN: _at_dispatching_unit,
    Action.ESCALATE: _at_handling_unit,
    Action.REPLY: _at_handling_unit,
    Action.APPROVE: _at_dispatching_unit,
    Action.SEND_BACK: _at_dispatching_unit,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.DECIDE_EXTENSION: _decide_extension,
    Action.FOLLOW_UP: _follow_up,
    Action.RATE: _rate,
    Action.CLOSE: _close,
    Action.REOPEN: _reopen,
    Action.URGE: _urge,
    Action.SUPERVISE: _supervise,
    Action.MERGE: _merge,
    Action.COMMENT: _note,
    Action.ATTACH: _note,
}


def check(action: str, actor: User | None, case: Case) -> None:
    """Refuse unless ``actor`` may do ``action`` to ``case`` as it is now.

    The status comes first: of two people racing for one step, the loser is told the case has
    moved on (409), not that it is not theirs.
    """
    if case.status not in TRANSITIONS[action]:
        raise wrong_status(case)
    GUARDS[action](actor, case)


def may(action: str, actor: User | None, case: Case) -> bool:
    """True if ``check`` would let ``actor`` do ``action`` now."""
    try:
        check(action, actor, case)
    except DomainError:
        return False
    return True
