"""The admin for divisions and organizations, and its page to import grassroots unions.

Organizations are created only through ``services`` (their tree paths depend on it): the add form
goes through ``services.create_organization``, and the tree position (parent, level, division,
path) cannot be edited afterwards. Divisions are GB/T 2260 reference data, loaded by a migration.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts.models import Role
from hotline.core.errors import DomainError

from . import services
from .imports import MAX_ROWS, ImportReport, import_organizations
from .models import Division, Organization
from .scoping import visible_organizations
from .validators import is_valid_credit_code, is_valid_phone, normalize_phone


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    readonly_fields = ["code", "level", "parent"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OrganizationForm(forms.ModelForm):
    """Checks the admin form shares with the import: credit code, phone, place in the tree."""

    class Meta:
        model = Organization
        fields = [
            "parent",
            "name",
            "level",
            "division",
            "credit_code",
            "formation",
            "contact_name",
            "contact_phone",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the root stands without a parent, and the root is never added here.
        if self.instance.pk is None and "parent" in self.fields:
            self.fields["parent"].required = True

    def clean_credit_code(self) -> str | None:
        code = (self.cleaned_data.get("credit_code") or "").strip().upper()
        if code and not is_valid_credit_code(code):
            raise forms.ValidationError(
                _("Not a valid unified social credit code (18 characters, right check character).")
            )
        return code or None

    def clean_contact_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data.get("contact_phone") or "")
        if phone and not is_valid_phone(phone):
            raise forms.ValidationError(
                _("Not a mobile number or a landline number with its area code.")
            )
        return phone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is not None:
            return cleaned
        parent, level, division = (cleaned.get(key) for key in ("parent", "level", "division"))
        if parent is None:
            return cleaned
        if level:
            try:
                services.check_child_level(parent, level)
            except DomainError as refused:
                self.add_error("level", refused.message)
        if division is not None and not division.code.startswith(parent.division.prefix):
            self.add_error(
                "division",
                _("Not inside the division of %(parent)s (%(division)s).")
                % {"parent": parent.name, "division": parent.division},
            )
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        validators=[FileExtensionValidator(["csv", "xlsx"])],
        help_text=gettext_lazy(
            "Excel (.xlsx) or CSV (UTF-8 or GB18030). The first row names the columns: 名称, "
            "行政区划代码, 上级组织 (required), 统一社会信用代码, 建会方式, 联系人, 联系电话."
        ),
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Check only, import nothing"), required=False)


def can_import(request: HttpRequest) -> bool:
    """Administrators and superusers may import organizations."""
    user = request.user
    return bool(
        user.is_active and user.is_staff and (user.is_superuser or user.has_role(Role.ADMIN))
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationForm
    list_display = ["name", "level", "division", "parent", "credit_code"]
    list_filter = ["level", "formation", "is_active"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["division", "parent"]
    autocomplete_fields = ["parent", "division"]
    ordering = ["path"]
    list_per_page = 50

    add_fields = [
        "parent",
        "name",
        "level",
        "division",
        "credit_code",
        "formation",
        "contact_name",
        "contact_phone",
    ]
    change_fields = [
        "name",
        "level",
        "parent",
        "division",
        "path",
        "depth",
        "credit_code",
        "formation",
        "contact_name",
        "contact_phone",
        "is_active",
    ]
    # Moving an organization would rewrite the paths of its whole subtree: not offered.
    tree_fields = ["level", "parent", "division", "path", "depth"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        if request.user.is_superuser:
            return super().get_queryset(request)
        return visible_organizations(request.user).order_by("path")  # type: ignore[arg-type]

    def get_fields(self, request: HttpRequest, obj: Organization | None = None) -> list[str]:
        return self.add_fields if obj is None else self.change_fields

    def get_readonly_fields(
        self, request: HttpRequest, obj: Organization | None = None
    ) -> list[str]:
        return [] if obj is None else self.tree_fields

    def save_model(
        self, request: HttpRequest, obj: Organization, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.create_organization(
            parent=obj.parent,
            name=obj.name,
            level=obj.level,
            division=obj.division,
            credit_code=obj.credit_code,
            formation=obj.formation,
            contact_name=obj.contact_name,
            contact_phone=obj.contact_phone,
        )
        # The admin goes on with ``obj`` (messages, log entry, redirect): make it the saved row.
        for model_field in Organization._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(created, model_field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_import": can_import(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a file of grassroots unions; show its bad rows, or import them all."""
        if not can_import(request):
            raise PermissionDenied
        report: ImportReport | None = None
        file_error = ""
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            actor = None if request.user.is_superuser else request.user
            try:
                report = import_organizations(
                    form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"], actor=actor
                )
            except DomainError as refused:
                file_error = refused.message
            if report is not None and report.ok and not report.dry_run:
                messages.success(request, report.summary())
                info = self.opts.app_label, self.opts.model_name
                return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*info)))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import grassroots unions"),
            "form": form,
            "report": report,
            "file_error": file_error,
            "max_rows": MAX_ROWS,
        }
        return TemplateResponse(request, "admin/organizations/import_organizations.html", context)
