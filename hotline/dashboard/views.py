"""The leaders' dashboard (领导驾驶舱) at /dashboard/: one page for the user's subtree, drilled
down with ``?unit=`` (a unit outside the scope answers 404), shown full screen on the hotline
centre's wall with ``?wall=1``.

Thin over ``selectors.dashboard``; a period the figures refuse is shown above an empty page.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hotline.cases.pages.casework_common import query_without, staff_page
from hotline.core.errors import DomainError, NotFound

from .forms import DashboardForm
from .periods import PERIOD_CHOICES
from .selectors import DASHBOARD_ROLES, dashboard, dashboard_unit

# How often the wall screen reloads itself, in seconds (the figures move every five minutes).
WALL_REFRESH_SECONDS = 300


@require_GET
@staff_page(*DASHBOARD_ROLES)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The dashboard of the user's organization, or of a unit of its subtree."""
    form = DashboardForm(request.GET or None)
    try:
        unit = dashboard_unit(request.user, form.unit_pk)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    context: dict[str, Any] = {
        "form": form,
        "unit": unit,
        "period_choices": PERIOD_CHOICES,
        "chosen_period": form.chosen_period,
        "wall": form.is_wall,
        "wall_refresh": WALL_REFRESH_SECONDS,
        "query": query_without(request, "wall"),
        "drill_query": query_without(request, "unit"),
    }
    try:
        board = dashboard(request.user, unit, form.selected_period())
    except DomainError as refused:
        context["refusal"] = refused
    else:
        context["board"] = board
        context["chart_data"] = board.chart_data(context["drill_query"])
    template = "dashboard/wall.html" if form.is_wall else "dashboard/dashboard.html"
    return render(request, template, context)
