"""The admin of API tokens: read-only, with one action, revoke.

Tokens are created with ``manage.py create_api_token`` (the secret must reach one person once,
which an admin page cannot promise); here they are only listed and revoked. Registered by the
accounts admin: ``admin.site.register(ApiToken, ApiTokenAdmin)``.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy, ngettext

from .models import ApiToken
from .tokens import revoke_api_token


class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "user__username", "user__name"]
    list_select_related = ["user"]
    ordering = ["-created_at"]
    # The hash is useless to a person and is not shown.
    fields = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # A revoked token stays listed: when it was used last is part of the record.
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(
        description=gettext_lazy("Revoke the selected API tokens"), permissions=["revoke"]
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            revoke_api_token(token, actor=request.user, request=request)
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
