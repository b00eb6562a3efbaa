"""The authentication backend: Django's model backend, loading what every page needs at once."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import User


class UserBackend(ModelBackend):
    """Loads the user with organization and division in one query.

    The page shell and the scoping module read both on every request; without this each would
    cost one more query per request.
    """

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("organization__division").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
