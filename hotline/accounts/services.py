"""Writes to users and their roles. Nothing else creates users or grants roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError
from hotline.organizations.models import Organization

from .models import Role, User, UserRole


def create_user(
    *,
    username: str,
    organization: Organization,
    roles: Iterable[str],
    password: str | None,
    name: str = "",
    phone: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user of ``organization`` holding ``roles`` (at least one, all known)."""
    roles = sorted(set(roles))
    if not roles:
        raise DomainError(
            "user.roles_required",
            _("A user needs at least one role."),
            fields={"roles": _("Choose at least one role.")},
        )
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise DomainError(
            "user.unknown_role",
            _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)},
            fields={"roles": _("Unknown role.")},
        )
    if User.objects.filter(username=username).exists():
        raise DomainError(
            "user.username_taken",
            _("This username is already taken."),
            fields={"username": _("Already taken.")},
        )
    with transaction.atomic():
        user = User(
            username=username,
            organization=organization,
            name=name,
            phone=phone,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in roles])
    return user
