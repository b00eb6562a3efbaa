"""One case: the worker's request, personal data behind a logged "show", the timeline with the
dispatch path, attachments, and a form for each action the user may take on it right now.

Every action is a POST to ``act``: the form parses, the service decides. Success redirects with
a message; a refusal renders the same page with the message on top, the field errors in the
form, and nothing changed.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.core.errors import DomainError, NotFound
from hotline.notifications.selectors import unread_notifications
from hotline.notifications.services import mark_read

from .. import crypto, privacy
from ..forms import ACTION_FORMS, NOTE_ACTIONS, ActionForm, action_form
from ..models import Case, CaseEvent
from ..page_selectors import (
    assisting_units,
    case_attachments,
    case_timeline,
    deadline_badge,
    dispatch_path,
    get_case_attachment,
    unit_choices,
)
from ..rules import can_see_case
from ..selectors import allowed_actions
from ..states import Action, Rating, Stage, Status
from .casework_common import CASE_ROLES, INBOX_ROLES, case_or_404, staff_page

# The id of the element a revealed block replaces (letters, digits, hyphens).
SLOT = re.compile(r"^[a-z][a-z0-9-]{0,40}$")

ACTION_ICONS = {
    Action.CREATE: "file-earmark-plus",
    Action.ACCEPT: "check2-circle",
    Action.DECLINE: "x-circle",
    Action.RESOLVE_DIRECTLY: "lightning-charge",
    Action.DISPATCH: "send",
    Action.ACKNOWLEDGE: "inbox",
    Action.RETURN: "arrow-return-left",
    Action.REASSIGN: "arrow-left-right",
    Action.REPLY: "reply",
    Action.APPROVE: "check2-all",
    Action.SEND_BACK: "arrow-counterclockwise",
    Action.REQUEST_EXTENSION: "calendar-plus",
    Action.DECIDE_EXTENSION: "calendar-check",
    Action.FOLLOW_UP: "telephone-outbound",
    Action.CLOSE: "archive",
    Action.REOPEN: "arrow-repeat",
    Action.URGE: "bell",
    Action.SUPERVISE: "eye",
    Action.ESCALATE: "arrow-up-circle",
    Action.MERGE: "union",
    Action.ASSIGN_LAWYER: "briefcase",
    Action.COMMENT: "chat-left-text",
    Action.ATTACH: "paperclip",
    Action.RATE: "star",
    Action.DEADLINE_WARNING: "alarm",
    Action.DEADLINE_MOVED: "calendar",
}
# Events drawn in a warning colour on the timeline.
ALERT_ACTIONS = frozenset(
    {
        Action.RETURN,
        Action.SEND_BACK,
        Action.URGE,
        Action.SUPERVISE,
        Action.REOPEN,
        Action.DEADLINE_WARNING,
        Action.DECLINE,
    }
)


def _event_details(event: CaseEvent) -> list[str]:
    """The facts of an event worth a line of their own (target unit, rating, days...)."""
    data = event.data or {}
    details: list[str] = []
    if event.action in (Action.DISPATCH, Action.REASSIGN) and data.get("to_name"):
        details.append(_("To: %(unit)s") % {"unit": data["to_name"]})
    if data.get("assisting"):
        details.append(_("Assisting units: %(count)d") % {"count": len(data["assisting"])})
    if data.get("days") and event.action != Action.DECIDE_EXTENSION:
        details.append(_("Working days: %(days)s") % {"days": data["days"]})
    if event.action == Action.DECIDE_EXTENSION:
        details.append(_("Approved") if data.get("approved") else _("Refused"))
    if data.get("rating"):
        details.append(_("Rating: %(rating)s") % {"rating": Rating(data["rating"]).label})
    if "solved" in data and data["solved"] is not None:
        details.append(_("Solved") if data["solved"] else _("Not solved"))
    if data.get("into"):
        details.append(_("Merged into %(number)s") % {"number": data["into"]})
    if data.get("duplicate"):
        details.append(_("Duplicate: %(number)s") % {"number": data["duplicate"]})
    if event.action == Action.DEADLINE_WARNING:
        if data.get("kind") == "overdue":
            details.append(_("The deadline has passed."))
        else:
            details.append(_("The deadline is near."))
    if data.get("article"):
        details.append(_("Knowledge base: %(article)s") % {"article": data["article"]})
    return details


def _timeline(case: Case) -> list[CaseEvent]:
    events = case_timeline(case)
    for event in events:
        event.icon = ACTION_ICONS.get(event.action, "dot")  # type: ignore[attr-defined]
        event.alert = event.action in ALERT_ACTIONS  # type: ignore[attr-defined]
        event.details = _event_details(event)  # type: ignore[attr-defined]
        event.who = _who(event)  # type: ignore[attr-defined]
        event.from_label = Status(event.from_status).label if event.from_status else ""  # type: ignore[attr-defined]
        event.to_label = Status(event.to_status).label if event.to_status else ""  # type: ignore[attr-defined]
    return events


def _who(event: CaseEvent) -> str:
    if event.actor_name:
        return event.actor_name
    if event.action in (Action.CREATE, Action.RATE):
        return _("The worker")
    return _("The system")


def _read_notices(request: HttpRequest, case: Case) -> None:
    """Opening a case reads the unit's unread notices about it."""
    for notice in unread_notifications(request.user).filter(case_id=case.pk):
        mark_read(notice, user=request.user)


def _forms(
    request: HttpRequest, case: Case, failed: ActionForm | None
) -> tuple[list[ActionForm], dict[str, ActionForm]]:
    """The action forms the user is offered now: the lifecycle ones, and the note ones."""
    user = request.user
    # In the order of ``ACTION_FORMS``: the step that moves the case on comes first.
    permitted = set(allowed_actions(user, case))
    allowed = [action for action in ACTION_FORMS if action in permitted]
    units = None
    if {Action.DISPATCH, Action.REASSIGN} & set(allowed):
        units = unit_choices(user)
    built: dict[str, ActionForm] = {}
    for action in allowed:
        if failed is not None and failed.action == action:
            built[action] = failed
        else:
            built[action] = action_form(action, user=user, case=case, units=units)
    lifecycle = [form for action, form in built.items() if action not in NOTE_ACTIONS]
    notes = {action: form for action, form in built.items() if action in NOTE_ACTIONS}
    return lifecycle, notes


def render_case(
    request: HttpRequest, case: Case, *, failed: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    lifecycle, notes = _forms(request, case, failed)
    context: dict[str, Any] = {
        "case": case,
        "badge": deadline_badge(case),
        "timeline": _timeline(case),
        "path": dispatch_path(case),
        "assisting": assisting_units(case),
        "attachments": case_attachments(case),
        "action_forms": lifecycle,
        "comment_form": notes.get(Action.COMMENT),
        "attach_form": notes.get(Action.ATTACH),
        "failed": failed,
        "can_reveal": privacy.may_see_personal_data(request.user, case),
        "masked_name": privacy.masked_name(case),
        "masked_phone": crypto.mask_phone(case.phone),
        "completion_due": _completion_due(case),
        "masked_id": ("*" * 14 + case.id_number_tail) if case.id_number_tail else "",
    }
    return render(request, "cases/detail.html", context, status=status)


def _completion_due(case: Case) -> object:
    """The handling unit's completion deadline, when the running clock is another one."""
    handling = (Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED)
    if case.status in handling and case.stage != Stage.COMPLETE:
        return case.completion_due_at
    return None


@require_GET
@staff_page(*CASE_ROLES)
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = case_or_404(request, number)
    _read_notices(request, case)
    return render_case(request, case)


@require_POST
@staff_page(*CASE_ROLES)
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Take ``action`` on the case through its form and service."""
    case = case_or_404(request, number)
    if action not in ACTION_FORMS:
        raise Http404
    form = action_form(action, user=request.user, case=case, data=request.POST, files=request.FILES)
    if form.run() is None:
        messages.error(request, form.error_message)
        return render_case(request, case, failed=form, status=form.status_code)
    messages.success(request, form.done_message)
    # The action may have taken the case out of the user's sight (a return, an escalation).
    reloaded = Case.objects.get(pk=case.pk)
    if can_see_case(request.user, reloaded):
        return redirect("cases:detail", number=case.number)
    return redirect(_after_leaving(request))


def _after_leaving(request: HttpRequest) -> str:
    return "cases:inbox" if request.user.has_role(*INBOX_ROLES) else "cases:list"


@require_POST
@staff_page(*CASE_ROLES)
def personal_data(request: HttpRequest, number: str) -> HttpResponse:
    """The worker's full phone and ID number, for the roles that contact workers; logged."""
    case = case_or_404(request, number)
    try:
        data = privacy.reveal_personal_data(request, request.user, case)
    except DomainError as refused:
        raise PermissionDenied from refused
    slot = request.POST.get("slot", "")
    context = {
        "case": case,
        "slot": slot if SLOT.match(slot) else "",
        "compact": request.POST.get("compact") == "1",
        "revealed": True,
        "phone": data.phone,
        "id_number": data.id_number,
        "broken": data.id_number_unreadable,
        "can_reveal": True,
    }
    return render(request, "cases/_personal_data.html", context)


@require_GET
@staff_page(*CASE_ROLES)
def attachment_download(request: HttpRequest, number: str, pk: str) -> FileResponse:
    """A file of a case the user may see, always as a download (never rendered inline)."""
    case = case_or_404(request, number)
    try:
        attachment = get_case_attachment(case, int(pk))
    except NotFound as missing:
        raise Http404(missing.message) from missing
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
