"""API tokens: creating, checking and revoking the bearer tokens integrations present.

A token is a random secret shown once, when created. Only its SHA-256 hash is stored, so a copy of
the database does not hand out working tokens; checking a token is a lookup by that hash, so no
comparison of secrets ever runs in Python (nothing to time). The first characters are kept in
clear as ``prefix`` so people can tell their tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import CharField, Func, OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

from hotline.organizations.models import Division, Organization

from .access_log import record_access
from .models import AccessEvent, ApiToken, User, UserRole

PREFIX_LENGTH = 8
# Writing last_used_at on every request would turn each API read into a write; a minute's
# precision is all anyone needs to tell a live integration from a dead one.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    """The SHA-256 hex digest stored for the token ``raw``."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_api_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``user``; return the row and the token itself (shown once, never again).

    The creation is written to the access log.
    """
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[:PREFIX_LENGTH], key_hash=hash_token(raw)
        )
        record_access(
            AccessEvent.API_TOKEN_CREATED,
            user=user,
            detail=f"{token.prefix}… {name}".strip(),
        )
    return token, raw


class _RoleList(Func):
    """The roles of a correlated subquery's rows joined with commas (role values have none)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


# Every column of the user, its organization and division; of the token only what is used (its
# name, prefix, hash and other dates are not read).
_LOADED_FIELDS = (
    "id",
    "last_used_at",
    *(f"user__{field.name}" for field in User._meta.concrete_fields),
    *(f"user__organization__{field.name}" for field in Organization._meta.concrete_fields),
    *(f"user__organization__division__{field.name}" for field in Division._meta.concrete_fields),
)


def _roles_of_token_user() -> Subquery:
    return Subquery(
        UserRole.objects.filter(user_id=OuterRef("user_id"))
        .values("user_id")
        .annotate(role_list=_RoleList("role"))
        .values("role_list")
    )


def authenticate_token(raw: str) -> User | None:
    """The active user owning the unrevoked token ``raw``, or None.

    One query, read on every API request and never cached, so a revocation or a deactivation
    takes effect on the next request: the token (only its id and ``last_used_at``), its user with
    the user's organization and division (what scoping reads), and the user's roles, aggregated
    by a subquery into ``User.roles``. The token's ``last_used_at`` is refreshed at most once per
    ``LAST_USED_PRECISION``.
    """
    if not raw:
        return None
    found = list(
        ApiToken.objects.filter(
            key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user__organization__division")
        .only(*_LOADED_FIELDS)
        .annotate(role_list=_roles_of_token_user())[:1]
    )
    if not found:
        return None
    token = found[0]
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # A plain UPDATE, no save(): concurrent requests with one token must not overwrite a
        # revocation that landed between our read and this write.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    user = token.user
    # Primes the cached property: the roles came with the token.
    user.__dict__["roles"] = frozenset(token.role_list.split(",") if token.role_list else ())
    user.api_token = token  # type: ignore[attr-defined]
    return user


def revoke_api_token(
    token: ApiToken, *, actor: User | None = None, request: HttpRequest | None = None
) -> ApiToken:
    """Revoke ``token`` from now on and log who did; revoking a revoked token changes nothing."""
    if token.revoked_at is None:
        now = timezone.now()
        with transaction.atomic():
            revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
                revoked_at=now
            )
            if revoked:
                record_access(
                    AccessEvent.API_TOKEN_REVOKED,
                    request=request,
                    user=actor,
                    detail=f"{token.prefix}… ({token.user.get_username()})",
                )
        token.refresh_from_db(fields=["revoked_at"])
    return token
