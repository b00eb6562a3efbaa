"""The administrators' editor of the knowledge base: search, filter by category, publish."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hotline.cases.models import Category

from .models import KnowledgeArticle


class TopCategoryFilter(admin.SimpleListFilter):
    title = _("top-level category")
    parameter_name = "top"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [(category.pk, category.name) for category in Category.objects.filter(parent=None)]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[KnowledgeArticle]
    ) -> QuerySet[KnowledgeArticle]:
        if self.value():
            return queryset.filter(category_id=self.value()) | queryset.filter(
                category__parent_id=self.value()
            )
        return queryset


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "keywords", "is_published", "updated_at", "updated_by"]
    list_filter = ["is_published", TopCategoryFilter]
    list_editable = ["is_published"]
    search_fields = ["title", "keywords", "body"]
    list_select_related = ["category", "category__parent", "updated_by"]
    autocomplete_fields = ["category"]
    fields = ["title", "category", "keywords", "body", "is_published", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]
    list_per_page = 50

    def formfield_for_dbfield(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "body":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 16, "cols": 90})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: KnowledgeArticle, form: forms.ModelForm, change: bool
    ) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
