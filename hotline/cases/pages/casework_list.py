"""The case list of every role (filters, work tabs, deadline badges, pages), its Excel ledger,
and the unit search behind every unit picker."""

from __future__ import annotations

from urllib.parse import unquote_plus

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hotline.accounts.access_log import record_access
from hotline.accounts.models import AccessEvent

from .. import export
from ..forms import CaseFilterForm
from ..models import Case
from ..page_selectors import (
    Tab,
    counted_tabs,
    list_rows,
    search_units,
    tab_cases,
    units_by_id,
    work_tabs,
)
from ..selectors import case_counts, count_cases, label_of
from ..states import Kind, Status
from .casework_common import CASE_ROLES, CappedPaginator, is_htmx, query_without, staff_page

PAGE_SIZE = 25


def _filtered(
    request: HttpRequest, *, with_counts: bool
) -> tuple[CaseFilterForm, list[Tab], QuerySet[Case]]:
    """The filter form, the tabs (with their counts when ``with_counts``), and the filtered,
    tabbed cases.

    The counts cost more than a page of cases: a results-only (htmx) request or an export,
    which show no tabs, does not count them.
    """
    user = request.user
    tabs = work_tabs(user, case_counts(user, counted_tabs(user)) if with_counts else {})
    form = CaseFilterForm(request.GET or None, user=user, tabs=[tab.key for tab in tabs])
    filters, tab = form.filters()
    form.current_tab = tab  # type: ignore[attr-defined]
    return form, tabs, tab_cases(user, filters, tab)


@require_GET
@staff_page(*CASE_ROLES)
def case_list_page(request: HttpRequest) -> HttpResponse:
    """The cases the user may see, filtered; an htmx request gets the results alone."""
    form, tabs, cases = _filtered(request, with_counts=not is_htmx(request))
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list_rows(page.object_list)
    for case in rows:
        case.status_label = label_of(Status, case.status)  # type: ignore[attr-defined]
        case.kind_label = label_of(Kind, case.kind)  # type: ignore[attr-defined]
    context = {
        "form": form,
        "tabs": tabs,
        "tab": form.current_tab,  # type: ignore[attr-defined]
        "page": page,
        "rows": rows,
        "query": query_without(request, "page"),
        "export_limit": export.MAX_ROWS,
    }
    template = "cases/_list_results.html" if is_htmx(request) else "cases/list.html"
    return render(request, template, context)


@require_GET
@staff_page(*CASE_ROLES)
def export_ledger(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel ledger (台账), personal data masked; logged."""
    _form, _tabs, cases = _filtered(request, with_counts=False)
    total, exact = count_cases(cases, export.MAX_ROWS)
    if not exact:
        messages.error(
            request,
            _(
                "More than %(max)s cases match: narrow the filters (a date range, a unit, a "
                "status) and export again."
            )
            % {"max": f"{export.MAX_ROWS:,}"},
        )
        query = query_without(request, "page")
        return redirect(reverse("cases:list") + (f"?{query}" if query else ""))
    moment = timezone.localtime()
    content = export.case_ledger(cases, moment=moment)
    query = query_without(request, "page")
    record_access(
        AccessEvent.EXPORT,
        request=request,
        user=request.user,
        detail=f"cases.xlsx rows={total} filters={unquote_plus(query) or '-'}",
    )
    response = HttpResponse(content, content_type=export.CONTENT_TYPE)
    filename = _("Case ledger %(moment)s.xlsx") % {"moment": moment.strftime("%Y%m%d-%H%M")}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_GET
@staff_page(*CASE_ROLES)
def unit_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s for a unit picker: the chosen units first, then those matching ``unit_q``.

    ``field`` names the select whose chosen values come along (hx-include); ``blank`` asks for
    the empty option a filter (``all``) or a required choice (``choose``) starts with.
    """
    field = request.GET.get("field", "")
    chosen = {value for value in request.GET.getlist(field) if value.isdigit()} if field else set()
    found = search_units(request.user, request.GET.get("unit_q", "")[:100])
    own = request.user.organization_id
    # Dispatch targets never include the user's own unit; a filter may.
    skip_own = request.GET.get("blank") != "all"
    units = [unit for unit in found if not (skip_own and unit.pk == own)]
    kept = units_by_id(request.user, [int(pk) for pk in chosen])
    shown = {unit.pk for unit in units}
    context = {
        "kept": [unit for unit in kept if unit.pk not in shown],
        "units": units,
        "chosen": chosen,
        "blank": request.GET.get("blank", ""),
    }
    return render(request, "cases/_unit_options.html", context)
