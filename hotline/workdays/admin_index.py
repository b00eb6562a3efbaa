"""The admin home's warning when the next 60 days reach a year the calendar does not know.

Deadlines in such a year count Monday to Friday only; the administrators who can fix that are
the ones who open the admin, so the warning stands on its home page until the year is entered
and marked complete (or a newer ``chinesecalendar`` knows it). It is added as an admin message
by wrapping the default site's ``index`` view, which keeps it inside this app: no template of
another app and no setting changes.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import calendar


def calendar_warning(request: HttpRequest) -> str | None:
    """The warning for the admin home, or None when the next 60 days are covered."""
    years = calendar.uncovered_years_ahead()
    if not years:
        return None
    text = _(
        "The working-day calendar has no official holidays for %(years)s, which the next "
        "%(days)d days reach: deadlines there count Monday to Friday only. Enter the State "
        "Council's holidays and make-up working days for that year and mark the year complete."
    ) % {"years": ", ".join(str(year) for year in years), "days": calendar.WARNING_DAYS}
    if request.user.has_perm("workdays.add_calendarday"):
        return format_html(
            '{} <a href="{}">{}</a>',
            text,
            reverse("admin:workdays_calendarday_changelist"),
            _("Calendar days"),
        )
    return text


def install_calendar_warning(site: admin.AdminSite = admin.site) -> None:
    """Make ``site``'s home page show ``calendar_warning``; installing twice changes nothing."""
    if getattr(site, "calendar_warning_installed", False):
        return
    shown_index = site.index

    @wraps(shown_index)
    def index(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        warning = calendar_warning(request)
        if warning:
            messages.warning(request, warning)
        return shown_index(request, extra_context)

    # The site builds its URLs from ``self.index`` when they are first loaded, after ready().
    site.index = index  # type: ignore[method-assign]
    site.calendar_warning_installed = True  # type: ignore[attr-defined]
