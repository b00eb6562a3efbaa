"""The API's view of the caller: who they are, where they sit, what roles they hold."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from hotline.organizations.schemas import OrganizationSummaryOut

from .models import User

router = Router()


class MeOut(Schema):
    """The authenticated user."""

    username: str
    name: str
    organization: OrganizationSummaryOut
    roles: list[str]
    role_labels: list[str]

    @staticmethod
    def resolve_roles(obj: User) -> list[str]:
        return sorted(obj.roles)


@router.get("", response=MeOut)
def me(request: HttpRequest) -> User:
    """The caller, whether they came with a token or a session."""
    return request.auth
