"""The admin: categories and deadline rules are edited here; cases and events are only read.

Cases change only through the services (every change is an event in the hash chain), so the
admin shows them read-only, within the user's scope, without the encrypted ID number.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .crypto import mask_phone
from .models import Case, CaseEvent, Category, DeadlineRule
from .selectors import reachable_cases


class TopLevelFilter(admin.SimpleListFilter):
    title = _("top-level category")
    parameter_name = "top"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [(category.pk, category.name) for category in Category.objects.filter(parent=None)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> QuerySet[Category]:
        if self.value():
            return queryset.filter(pk=self.value()) | queryset.filter(parent_id=self.value())
        return queryset


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["tree_name", "code", "keywords", "sort_order", "is_active"]
    list_filter = [TopLevelFilter, "is_active"]
    search_fields = ["code", "name", "keywords"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        # Each top-level category followed by its children: ordered by the branch, then depth.
        return (
            super()
            .get_queryset(request)
            .annotate(
                branch_order=Coalesce(F("parent__sort_order"), F("sort_order")),
                branch_code=Coalesce(F("parent__code"), F("code")),
            )
            .order_by(
                "branch_order", "branch_code", F("parent").asc(nulls_first=True), "sort_order"
            )
        )

    @admin.display(description=_("name"), ordering="code")
    def tree_name(self, category: Category) -> str:
        return f"　└ {category.name}" if category.parent_id else category.name

    def has_delete_permission(self, request: HttpRequest, obj: Category | None = None) -> bool:
        # Cases point at categories: retire one by unticking "active" instead.
        return False


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["stage", "kind", "category", "working_days"]
    list_editable = ["working_days"]
    list_filter = ["stage", "kind"]
    list_select_related = ["category", "category__parent"]
    autocomplete_fields = ["category"]
    ordering = ["stage", "kind", "category__code"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        # Each web process keeps the rules in memory (hotline.cases.deadlines.RULES_MAX_AGE).
        kwargs.setdefault("help_texts", {})["working_days"] = _(
            "A change applies to clocks started from now on, on every server process within a "
            "minute. Deadlines already set do not move."
        )
        return super().get_form(request, obj, change, **kwargs)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CaseEventInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseEvent
    fields = ["sequence", "created_at", "action", "actor_name", "organization", "to_status", "note"]
    readonly_fields = fields
    ordering = ["sequence"]
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "status",
        "kind",
        "category",
        "handling_org",
        "deadline_at",
        "supervised",
        "created_at",
    ]
    list_filter = ["status", "kind", "channel", "supervised"]
    search_fields = ["=number"]
    list_select_related = ["category", "category__parent", "handling_org"]
    date_hierarchy = "created_at"
    inlines = [CaseEventInline]
    exclude = ["id_number_encrypted", "phone", "intake_key"]
    readonly_fields = ["masked_phone"]
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        if request.user.is_superuser:
            return super().get_queryset(request)
        return reachable_cases(request.user)  # type: ignore[arg-type]

    @admin.display(description=_("phone"))
    def masked_phone(self, case: Case) -> str:
        return mask_phone(case.phone)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "sequence", "action", "actor_name", "organization", "created_at"]
    list_filter = ["action"]
    search_fields = ["=case__number"]
    list_select_related = ["case", "organization"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        events = super().get_queryset(request)
        if request.user.is_superuser:
            return events
        return events.filter(case__in=reachable_cases(request.user))  # type: ignore[arg-type]
