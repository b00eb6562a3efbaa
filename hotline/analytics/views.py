"""The figures pages: the KPI table with its breakdown, the unit ranking, the monthly report;
each table also as an Excel workbook (every export written to the access log).

Thin over ``hotline.analytics.kpis``: a unit or division outside the user's scope answers 404, a
bad period shows the reason above an empty table. An htmx request gets the results alone.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hotline.accounts.access_log import record_access
from hotline.accounts.models import AccessEvent
from hotline.cases.pages.casework_common import is_htmx, query_without, staff_page
from hotline.core.errors import DomainError, NotFound
from hotline.organizations.models import Organization
from hotline.organizations.scoping import get_visible_organization

from . import export
from .definitions import KPI_DEFINITIONS, build_kpis
from .forms import BREAKDOWN_CHOICES, KpiPageForm, RankingForm, ReportForm
from .kpis import ANALYTICS_ROLES, KpiFilters, freshness, kpi_breakdown, totals, unit_ranking


def _unit(request: HttpRequest, filters: KpiFilters) -> Organization:
    if filters.unit is None:
        return request.user.organization
    return get_visible_organization(request.user, filters.unit)


def _exportable(context: dict[str, Any]) -> tuple[KpiFilters, Organization]:
    """The filters and unit of a page's context to export; ``Http404`` for a refused query."""
    if "refusal" in context:
        raise Http404(context["refusal"].message)
    return context["filters"], context["unit"]


def _period_file(name: str, unit: Organization, filters: KpiFilters) -> str:
    """``name`` (translated, with ``%(unit)s``, ``%(start)s`` and ``%(end)s``) filled in."""
    return name % {
        "unit": unit.name,
        "start": f"{filters.start:%Y%m%d}",
        "end": f"{filters.end:%Y%m%d}",
    }


def _workbook(request: HttpRequest, content: bytes, name: str, detail: str) -> HttpResponse:
    record_access(AccessEvent.EXPORT, request=request, user=request.user, detail=detail)
    response = HttpResponse(content, content_type=export.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _kpi_context(request: HttpRequest) -> dict[str, Any]:
    """Everything the KPI page shows, or the refusal; ``Http404`` for a unit out of scope."""
    form = KpiPageForm(request.GET or None, user=request.user)
    context: dict[str, Any] = {
        "form": form,
        "definitions": KPI_DEFINITIONS,
        "query": query_without(request),
        "drill_query": query_without(request, "unit"),
    }
    try:
        filters = form.filters()
        by = form.breakdown()
        counts = totals(request.user, filters)
        context.update(
            filters=filters,
            unit=_unit(request, filters),
            by=by,
            by_label=dict(BREAKDOWN_CHOICES)[by],
            counts=counts,
            kpis=build_kpis(counts),
            rows=kpi_breakdown(request.user, filters, by),
            refreshed_at=freshness(),
        )
    except NotFound as missing:
        raise Http404(missing.message) from missing
    except DomainError as refused:
        context["refusal"] = refused
    return context


@require_GET
@staff_page(*ANALYTICS_ROLES)
def kpi_page(request: HttpRequest) -> HttpResponse:
    """The KPIs of a period with their numerators and denominators, and a breakdown."""
    context = _kpi_context(request)
    template = "analytics/_kpi_results.html" if is_htmx(request) else "analytics/kpis.html"
    return render(request, template, context)


@require_GET
@staff_page(*ANALYTICS_ROLES)
def kpi_export(request: HttpRequest) -> HttpResponse:
    """The KPI page's two tables as a workbook."""
    context = _kpi_context(request)
    filters, unit = _exportable(context)
    content = export.figures_workbook(
        export.caption(filters, unit.name),
        context["kpis"],
        str(context["by_label"]),
        context["rows"],
    )
    name = _period_file(_("KPIs %(unit)s %(start)s-%(end)s.xlsx"), unit, filters)
    return _workbook(request, content, name, f"analytics kpis.xlsx {context['query'] or '-'}")


def _ranking_context(request: HttpRequest) -> dict[str, Any]:
    form = RankingForm(request.GET or None, user=request.user)
    context: dict[str, Any] = {
        "form": form,
        "definitions": KPI_DEFINITIONS,
        "query": query_without(request),
    }
    try:
        filters = form.filters()
        context.update(
            filters=filters,
            unit=_unit(request, filters),
            rows=unit_ranking(
                request.user, filters, level=form.chosen_level(), order=form.chosen_order()
            ),
            order=form.chosen_order(),
            refreshed_at=freshness(),
        )
    except NotFound as missing:
        raise Http404(missing.message) from missing
    except DomainError as refused:
        context["refusal"] = refused
    return context


@require_GET
@staff_page(*ANALYTICS_ROLES)
def ranking_page(request: HttpRequest) -> HttpResponse:
    """The handling units ranked by the assessment score or one KPI."""
    context = _ranking_context(request)
    template = "analytics/_ranking_results.html" if is_htmx(request) else "analytics/ranking.html"
    return render(request, template, context)


@require_GET
@staff_page(*ANALYTICS_ROLES)
def ranking_export(request: HttpRequest) -> HttpResponse:
    context = _ranking_context(request)
    filters, unit = _exportable(context)
    content = export.ranking_workbook(export.caption(filters, unit.name), context["rows"])
    name = _period_file(_("Unit ranking %(unit)s %(start)s-%(end)s.xlsx"), unit, filters)
    return _workbook(request, content, name, f"analytics ranking.xlsx {context['query'] or '-'}")


@require_GET
@staff_page(*ANALYTICS_ROLES)
def report_page(request: HttpRequest) -> HttpResponse:
    """The monthly report: choose the month and the unit, download the workbook."""
    form = ReportForm(request.GET or None, user=request.user)
    month, _unit_pk = form.month_and_unit()
    return render(
        request,
        "analytics/report.html",
        {"form": form, "month": month, "refreshed_at": freshness()},
    )


@require_GET
@staff_page(*ANALYTICS_ROLES)
def report_download(request: HttpRequest) -> HttpResponse:
    """The monthly report workbook a federation sends upward (logged as an export)."""
    form = ReportForm(request.GET or None, user=request.user)
    month, unit_pk = form.month_and_unit()
    try:
        unit = (
            get_visible_organization(request.user, unit_pk)
            if unit_pk
            else request.user.organization
        )
    except NotFound as missing:
        raise Http404(missing.message) from missing
    content = export.monthly_report(request.user, month, unit)
    name = _("Monthly report %(unit)s %(month)s.xlsx") % {
        "unit": unit.name,
        "month": f"{month:%Y-%m}",
    }
    detail = f"analytics monthly report {month:%Y-%m} unit={unit.pk}"
    return _workbook(request, content, name, detail)
