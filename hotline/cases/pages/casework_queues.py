"""The work queues: the handling unit's inbox, the supervision board, the agents' follow-up queue,
and the one-click actions on their rows (acknowledge, urge, supervise, record a follow-up).

A one-click action is an htmx POST that answers with the row redrawn (the result or the refusal
in it); without JavaScript the same POST redirects back to the queue with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.core.errors import NotFound
from hotline.notifications.selectors import notifications_of, unread_notifications
from hotline.notifications.services import mark_read
from hotline.organizations.scoping import get_visible_organization

from .. import privacy
from ..forms import ACTION_FORMS, ActionForm, FollowUpForm, action_form
from ..models import Case
from ..page_selectors import (
    INBOX_FILTERS,
    board_counts,
    deadline_load,
    dissatisfied_cases,
    follow_up_queue,
    inbox,
    inbox_counts,
    list_rows,
    supervised_cases,
    watched_case,
    watched_cases,
)
from ..rules import may
from ..states import Action
from .casework_common import (
    FOLLOW_UP_PAGE_ROLES,
    INBOX_ROLES,
    SUPERVISION_ROLES,
    case_or_404,
    is_htmx,
    staff_page,
)

PAGE_SIZE = 25
NOTICES_SHOWN = 8


# --- the inbox ---------------------------------------------------------------------------------


# Offered as links to the case page, where their forms are.
INBOX_LINKS = (Action.REPLY, Action.REQUEST_EXTENSION, Action.RETURN, Action.DISPATCH)


def _inbox_row(case: Case, user: Any) -> Case:
    case.can_acknowledge = may(Action.ACKNOWLEDGE, user, case)  # type: ignore[attr-defined]
    case.links = [  # type: ignore[attr-defined]
        (action, ACTION_FORMS[action].label) for action in INBOX_LINKS if may(action, user, case)
    ]
    return case


@require_GET
@staff_page(*INBOX_ROLES)
def inbox_page(request: HttpRequest) -> HttpResponse:
    """What was dispatched to the user's unit, its unread notices, one-click acknowledgement."""
    user = request.user
    show = request.GET.get("show", "")
    if show not in INBOX_FILTERS:
        show = ""
    page = Paginator(inbox(user, show), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_inbox_row(case, user) for case in list_rows(page.object_list)]
    notices = list(unread_notifications(user)[:NOTICES_SHOWN])
    counts = inbox_counts(user)
    context = {
        "show": show,
        "query": f"show={show}" if show else "",
        "filters": [(key, label, counts[key or "all"]) for key, label in _inbox_filters()],
        "page": page,
        "rows": rows,
        "notices": notices,
        "unread": unread_notifications(user).count() if len(notices) == NOTICES_SHOWN else None,
    }
    return render(request, "cases/inbox.html", context)


def _inbox_filters() -> list[tuple[str, str]]:
    return [
        ("", _("All")),
        ("to_acknowledge", _("To acknowledge")),
        ("in_progress", _("In progress")),
        ("extension", _("Extension requested")),
        ("sent_back", _("Sent back")),
    ]


@require_POST
@staff_page(*INBOX_ROLES)
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a notice read and go to its case (or back to the inbox when it has none)."""
    notice = notifications_of(request.user).filter(pk=pk).first()
    if notice is None:
        # Another unit's notice looks exactly like one that does not exist.
        raise Http404(_("No such notification."))
    mark_read(notice, user=request.user)
    if notice.case_id is None:
        return redirect("cases:inbox")
    return redirect("cases:detail", number=notice.case.number)


@require_POST
@staff_page(*INBOX_ROLES)
def quick_acknowledge(request: HttpRequest, number: str) -> HttpResponse:
    """Acknowledge from the inbox: the row comes back redrawn."""
    case = case_or_404(request, number)
    form = action_form(Action.ACKNOWLEDGE, user=request.user, case=case, data=request.POST)
    done = form.run()
    if not is_htmx(request):
        _flash(request, form, done)
        return redirect("cases:inbox")
    row = inbox(request.user).filter(pk=case.pk).first()
    context = {"case": _inbox_row(list_rows([row])[0], request.user) if row else case}
    context |= {"row_message": form.done_message if done else form.error_message, "ok": done}
    return render(request, "cases/_inbox_row.html", context)


def _flash(request: HttpRequest, form: ActionForm, done: Case | None) -> None:
    if done is not None:
        messages.success(request, form.done_message)
    else:
        errors = [form.error_message, *(str(e) for errors in form.errors.values() for e in errors)]
        messages.error(request, " ".join(dict.fromkeys(message for message in errors if message)))


# --- the supervision board ---------------------------------------------------------------------


def _watch_row(case: Case, user: Any) -> Case:
    case.can_urge = may(Action.URGE, user, case)  # type: ignore[attr-defined]
    case.can_supervise = may(Action.SUPERVISE, user, case)  # type: ignore[attr-defined]
    return case


@require_GET
@staff_page(*SUPERVISION_ROLES)
def supervision_board(request: HttpRequest) -> HttpResponse:
    """Overdue and due-soon cases by unit, supervised cases, dissatisfied ratings; one-click urge
    and supervise. ``unit`` looks one level further down the tree."""
    user = request.user
    base = user.organization
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        try:
            base = get_visible_organization(user, int(unit))
        except NotFound as missing:
            raise Http404(missing.message) from missing
    loads = deadline_load(user, base)
    watched = [_watch_row(case, user) for case in watched_cases(user, base)]
    context = {
        "base": base,
        "loads": loads,
        "total_overdue": sum(load.overdue for load in loads),
        "total_due_soon": sum(load.due_soon for load in loads),
        "worst": max((load.overdue + load.due_soon for load in loads), default=0),
        "watched": watched,
        "supervised": supervised_cases(user),
        "counts": board_counts(user),
        "dissatisfied": dissatisfied_cases(user),
    }
    return render(request, "cases/supervision.html", context)


@require_POST
@staff_page(*SUPERVISION_ROLES)
def quick_supervision(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Urge or supervise from the board, with the short note typed in the row."""
    if action not in (Action.URGE, Action.SUPERVISE):
        raise Http404
    case = case_or_404(request, number)
    form = action_form(action, user=request.user, case=case, data=request.POST, prefix="row")
    done = form.run()
    if not is_htmx(request):
        _flash(request, form, done)
        return redirect("cases:supervision")
    case = list_rows([watched_case(request.user, case.pk)])[0]
    context = {
        "case": _watch_row(case, request.user),
        "row_message": form.done_message if done else form.error_message,
        "row_errors": [] if done else [e for errors in form.errors.values() for e in errors],
        "ok": done,
    }
    return render(request, "cases/_watch_row.html", context)


# --- the follow-up queue -----------------------------------------------------------------------


def _follow_up_row(case: Case, user: Any, form: FollowUpForm | None = None) -> Case:
    case.form = form or FollowUpForm(user=user, case=case, prefix=f"fu{case.pk}")  # type: ignore[attr-defined]
    case.can_reveal = privacy.may_see_personal_data(user, case)  # type: ignore[attr-defined]
    return case


@require_GET
@staff_page(*FOLLOW_UP_PAGE_ROLES)
def follow_up_page(request: HttpRequest) -> HttpResponse:
    """Resolved cases to call back, the longest waiting first, each with its rating form."""
    user = request.user
    page = Paginator(follow_up_queue(user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_follow_up_row(case, user) for case in list_rows(page.object_list)]
    return render(request, "cases/follow_up.html", {"page": page, "rows": rows})


@require_POST
@staff_page(*FOLLOW_UP_PAGE_ROLES)
def quick_follow_up(request: HttpRequest, number: str) -> HttpResponse:
    """Record the rating of one row; the row comes back recorded, or with the errors."""
    case = case_or_404(request, number)
    form = FollowUpForm(request.POST, user=request.user, case=case, prefix=f"fu{case.pk}")
    done = form.run()
    if not is_htmx(request):
        _flash(request, form, done)
        return redirect("cases:follow_up")
    if done is not None:
        # The queue's header count is redrawn with the row (an out-of-band swap), so it does not
        # go on saying a call is waiting until the page is reloaded.
        context = {
            "case": done,
            "message": form.done_message,
            "remaining": follow_up_queue(request.user).count(),
        }
        return render(request, "cases/_follow_up_done.html", context)
    row = _follow_up_row(list_rows([case])[0], request.user, form)
    return render(
        request, "cases/_follow_up_row.html", {"case": row, "row_message": form.error_message}
    )
