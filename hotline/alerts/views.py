"""The risk alert pages for supervisors and leaders: the list (tabs by status, a rule filter),
one alert with its cases and history, and the acknowledgement form.

An htmx request for the list gets the results alone; the acknowledgement answered to htmx is the
acknowledgement panel redrawn (recorded, or the form with its errors). Without JavaScript the same
POST redirects back to the alert with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.core.errors import NotFound

from . import selectors, services
from .forms import AcknowledgeForm, AlertFilterForm
from .models import AlertStatus, RiskAlert
from .texts import describe

PAGE_SIZE = 25
CASES_PAGE_SIZE = 50

View = Callable[..., HttpResponse]


def alert_page(view: View) -> View:
    """Log-in required, then the supervisor or leader role (403 otherwise)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.may_handle_alerts(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _alert_or_404(request: HttpRequest, pk: int) -> RiskAlert:
    try:
        return selectors.get_visible_alert(request.user, pk)
    except NotFound as missing:
        raise Http404(missing.message) from missing


def _with_summary(alerts: list[RiskAlert]) -> list[RiskAlert]:
    for alert in alerts:
        alert.summary = describe(alert)  # type: ignore[attr-defined]
    return alerts


@require_GET
@alert_page
def alert_list_page(request: HttpRequest) -> HttpResponse:
    """The alerts of the user's subtree, the latest seen first."""
    form = AlertFilterForm(request.GET or None)
    tab, rule = form.filters()
    status = "" if tab == "all" else tab
    alerts = selectors.alert_list(request.user, status=status, rule=rule)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(
        f"{name}={value}" for name, value in (("status", tab), ("rule", rule)) if value
    )
    context = {
        "form": form,
        "tab": tab,
        "rule": rule,
        "page": page,
        "alerts": _with_summary(list(page.object_list)),
        "query": query,
    }
    if _is_htmx(request):
        return render(request, "alerts/_results.html", context)
    counts = selectors.alert_counts(request.user)
    context["tabs"] = [
        ("open", _("Awaiting acknowledgement"), counts["open"]),
        ("acknowledged", _("Acknowledged"), counts["acknowledged"]),
        ("all", _("All"), counts["open"] + counts["acknowledged"]),
    ]
    return render(request, "alerts/list.html", context)


def _detail_context(
    request: HttpRequest, alert: RiskAlert, form: AcknowledgeForm | None = None
) -> dict[str, Any]:
    cases = Paginator(selectors.alert_cases(request.user, alert), CASES_PAGE_SIZE)
    page = cases.get_page(request.GET.get("page"))
    alert.summary = describe(alert)  # type: ignore[attr-defined]
    return {
        "alert": alert,
        "page": page,
        "hidden_cases": max(alert.case_count - cases.count, 0),
        "events": list(selectors.alert_events(alert)),
        "form": form or AcknowledgeForm(user=request.user, alert=alert),
        "is_open": alert.status == AlertStatus.OPEN,
    }


@require_GET
@alert_page
def alert_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert: what the rule saw, its cases (each linking to its page), its history."""
    alert = _alert_or_404(request, pk)
    return render(request, "alerts/detail.html", _detail_context(request, alert))


@require_POST
@alert_page
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge the alert with a note."""
    alert = _alert_or_404(request, pk)
    form = AcknowledgeForm(request.POST, user=request.user, alert=alert)
    done = form.run()
    if not _is_htmx(request):
        if done is not None:
            messages.success(request, _("The risk alert is acknowledged."))
        else:
            reasons = [
                form.error_message,
                *(str(e) for errors in form.errors.values() for e in errors),
            ]
            messages.error(request, " ".join(dict.fromkeys(reason for reason in reasons if reason)))
        return redirect("alerts:detail", pk=alert.pk)
    alert = _alert_or_404(request, pk)
    context = _detail_context(request, alert, None if done else form)
    context["panel_message"] = _("The risk alert is acknowledged.") if done else form.error_message
    context["ok"] = done is not None
    return render(request, "alerts/_acknowledgement.html", context)
