"""factory_boy factories. Organizations go through the service so their tree paths are real."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from hotline.accounts.models import User, UserRole
from hotline.organizations import services
from hotline.organizations.models import Division, DivisionLevel, Level, Organization


class DivisionFactory(DjangoModelFactory):
    class Meta:
        model = Division
        django_get_or_create = ("code",)

    code = "630000"
    name = "青海省"
    level = DivisionLevel.PROVINCE
    parent = None


def division(code: str, name: str, parent: Division | None = None) -> Division:
    """Get or create the division ``code``; the level follows from the code's shape."""
    if code.endswith("0000"):
        level = DivisionLevel.PROVINCE
    elif code.endswith("00"):
        level = DivisionLevel.PREFECTURE
    else:
        level = DivisionLevel.COUNTY
    return DivisionFactory(code=code, name=name, level=level, parent=parent)


def organization(
    name: str,
    *,
    parent: Organization | None,
    level: str,
    division: Division,
    **fields: object,
) -> Organization:
    """Create an organization through the service (root when ``parent`` is None)."""
    if parent is None:
        existing = Organization.objects.filter(parent__isnull=True).first()
        return existing or services.create_root(name=name, division=division)
    return services.create_organization(
        parent=parent, name=name, level=level, division=division, **fields
    )


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"工作人员{n}")
    password = factory.django.Password("correct-horse-battery")
    is_active = True

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            UserRole.objects.bulk_create([UserRole(user=self, role=role) for role in extracted])
            self.__dict__.pop("roles", None)


def user(organization: Organization, *roles: str, **fields: object) -> User:
    """A user of ``organization`` holding ``roles``."""
    return UserFactory(organization=organization, roles=list(roles), **fields)


__all__ = ["DivisionFactory", "Level", "UserFactory", "division", "organization", "user"]
