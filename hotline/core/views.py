"""The home page: the user's organization, its place in the tree, its direct children."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.organizations import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    organization = request.user.organization
    context = selectors.organization_overview(organization)
    return render(request, "core/home.html", {"organization": organization, **context})
