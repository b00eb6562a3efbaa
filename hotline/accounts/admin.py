"""The admin for users, roles and the access log (which is read-only: it is evidence)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .admin_tokens import ApiTokenAdmin
from .models import AccessLog, ApiToken, User, UserRole

admin.site.register(ApiToken, ApiTokenAdmin)
admin.site.site_header = _("12351 Worker Service Platform administration")
admin.site.site_title = _("12351 administration")
admin.site.index_title = _("Administration")


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 1
    min_num = 1
    verbose_name = _("role")
    verbose_name_plural = _("roles")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [UserRoleInline]
    list_display = ["username", "name", "organization", "role_list", "is_active", "last_login"]
    list_filter = ["is_active", "is_staff", "role_assignments__role", "organization__level"]
    search_fields = ["username", "name", "phone", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    ordering = ["organization__path", "username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("name", "phone", "email", "organization")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "name", "organization", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("role_assignments")

    @admin.display(description=_("roles"))
    def role_list(self, user: User) -> str:
        labels = dict(UserRole._meta.get_field("role").choices or [])
        return "、".join(str(labels[a.role]) for a in user.role_assignments.all())


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "event", "username", "ip_address", "detail"]
    list_filter = ["event"]
    search_fields = ["username", "ip_address", "detail"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
