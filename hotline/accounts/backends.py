"""The authentication backend: Django's model backend, loading what every page needs at once."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import Role, User


class UserBackend(ModelBackend):
    """Loads the user with organization and division in one query.

    The page shell and the scoping module read both on every request; without this each would
    cost one more query per request.
    """

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("organization__division").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj: User, perm: str, obj: object = None) -> bool:
        # The administrator role is what PRODUCT.md calls the admin: it manages organizations,
        # users, categories and templates, so in the Django admin it holds every permission.
        # Model permissions granted one by one stay possible for narrower staff.
        if _is_role_admin(user_obj):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: User, app_label: str) -> bool:
        if _is_role_admin(user_obj):
            return True
        return super().has_module_perms(user_obj, app_label)


def _is_role_admin(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_role(Role.ADMIN))
