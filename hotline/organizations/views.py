"""Pages of the organization tree: search the subtree, look at one organization and its children.

Every read goes through ``scoping``: an organization outside the user's subtree is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.core.errors import NotFound

from . import scoping, selectors
from .models import Level, Organization

PAGE_SIZE = 50


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    """Search the user's subtree by name or credit code, optionally by level."""
    text = request.GET.get("q", "").strip()[:100]
    level = request.GET.get("level", "")
    if level not in Level.values:
        level = ""
    parent = None
    if request.GET.get("parent", "").isdigit():
        parent = _visible_or_404(request, int(request.GET["parent"]))
    found = selectors.search_organizations(request.user, text=text, level=level, parent=parent)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "text": text,
        "level": level,
        "levels": Level.choices,
        "parent": parent,
    }
    template = (
        "organizations/_search_results.html"
        if request.headers.get("HX-Request")
        else "organizations/list.html"
    )
    return render(request, template, context)


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _visible_or_404(request, pk)
    context = selectors.organization_overview(organization)
    return render(request, "organizations/detail.html", {"organization": organization, **context})


def _visible_or_404(request: HttpRequest, pk: int) -> Organization:
    try:
        return scoping.get_visible_organization(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from error
