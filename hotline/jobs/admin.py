"""The periodic jobs in the admin: read-only, with "run now".

The rows are the worker's bookkeeping, so nobody edits them; "run now" (for users who may change
periodic jobs) makes a job due at once and the worker enqueues it on its next pass.
"""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.models import DBTaskResult

from hotline.core.errors import DomainError

from . import services
from .models import PeriodicSchedule
from .periodic import registry


def _result_statuses(result_ids: list[str]) -> dict[str, DBTaskResult]:
    """The database backend's results for these ids, in one query; other ids are skipped."""
    ids = []
    for result_id in result_ids:
        try:
            ids.append(uuid.UUID(result_id))
        except ValueError:
            continue
    if not ids:
        return {}
    return {
        str(result.id): result
        for result in DBTaskResult.objects.filter(id__in=ids).only("id", "status")
    }


@admin.register(PeriodicSchedule)
class PeriodicScheduleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "interval",
        "time_of_day",
        "next_due_at",
        "last_enqueued_at",
        "last_result",
        "declared",
    ]
    fields = [
        "name",
        "declared",
        "interval",
        "time_of_day",
        "next_due_at",
        "last_enqueued_at",
        "last_result",
        "created_at",
    ]
    readonly_fields = fields
    search_fields = ["name"]
    ordering = ["next_due_at", "name"]
    actions = ["run_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_run_permission(self, request: HttpRequest) -> bool:
        # Running a job early is the one write here; it needs the model's change permission.
        return request.user.has_perm("jobs.change_periodicschedule")

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        # One query for the statuses of the whole page rather than one per row.
        results = _result_statuses([row.last_result_id for row in changelist.result_list])
        for row in changelist.result_list:
            row.last_result_row = results.get(row.last_result_id)
        return changelist

    @admin.display(description=_("declared in code"), boolean=True)
    def declared(self, schedule: PeriodicSchedule) -> bool:
        return schedule.name in registry

    @admin.display(description=_("last result"))
    def last_result(self, schedule: PeriodicSchedule) -> str:
        if not schedule.last_result_id:
            return self.get_empty_value_display()
        if hasattr(schedule, "last_result_row"):
            result = schedule.last_result_row
        else:
            result = _result_statuses([schedule.last_result_id]).get(schedule.last_result_id)
        if result is None:
            # Pruned, or run by a backend that keeps no results.
            return schedule.last_result_id
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.pk]),
            result.get_status_display(),
        )

    @admin.action(description=_("Run now"), permissions=["run"])
    def run_now(self, request: HttpRequest, queryset: QuerySet[PeriodicSchedule]) -> None:
        try:
            count = services.run_now(
                names=queryset.values_list("name", flat=True), actor=request.user
            )
        except DomainError as refused:
            self.message_user(request, refused.message, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d periodic job will be enqueued on the worker's next pass.",
                "%(count)d periodic jobs will be enqueued on the worker's next pass.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
