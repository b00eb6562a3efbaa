"""The admin: the rules' thresholds are edited here; alerts are only read (they change through
the services, with an event each)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from hotline.organizations.scoping import scope

from .models import AlertEvent, AlertRule, RiskAlert


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = [
        "rule",
        "is_active",
        "min_cases",
        "window_days",
        "min_people",
        "min_ratio",
        "category",
        "updated_at",
    ]
    list_select_related = ["category"]
    readonly_fields = ["rule", "updated_at"]
    autocomplete_fields = ["category"]

    # The three rules are shipped by a migration: they are switched off, never added or removed.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    fields = ["at", "action", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RiskAlert)
class RiskAlertAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "rule",
        "title",
        "organization",
        "case_count",
        "status",
        "first_seen_at",
        "last_seen_at",
    ]
    list_filter = ["status", "rule"]
    list_select_related = ["organization"]
    search_fields = ["title", "subject_key"]
    date_hierarchy = "last_seen_at"
    exclude = ["cases"]
    inlines = [AlertEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RiskAlert]:
        return scope(super().get_queryset(request), request.user, "organization")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
