"""Writes to the organization tree. Nothing else creates organizations."""

from __future__ import annotations

import string
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError

from .models import (
    ALLOWED_CHILD_LEVELS,
    PATH_SEGMENT_WIDTH,
    PATH_SEPARATOR,
    Division,
    Level,
    Organization,
)

_DIGITS = string.digits + string.ascii_lowercase
MAX_CHILDREN = len(_DIGITS) ** PATH_SEGMENT_WIDTH


def path_segment(number: int) -> str:
    """The fixed-width base-36 segment for the ``number``-th child (1-based)."""
    if not 0 < number < MAX_CHILDREN:
        raise DomainError(
            "organization.too_many_children", _("This organization has too many children.")
        )
    digits = []
    while number:
        number, remainder = divmod(number, len(_DIGITS))
        digits.append(_DIGITS[remainder])
    return "".join(reversed(digits)).rjust(PATH_SEGMENT_WIDTH, "0") + PATH_SEPARATOR


@dataclass(frozen=True)
class NewOrganization:
    """What it takes to create one organization below an existing parent."""

    name: str
    level: str
    division: Division
    credit_code: str | None = None
    formation: str = ""
    contact_name: str = ""
    contact_phone: str = ""


def check_child_level(parent: Organization | None, level: str) -> None:
    """Refuse a level that may not stand below ``parent`` (a root must be the province)."""
    if parent is None:
        if level != Level.PROVINCE:
            raise DomainError(
                "organization.root_must_be_province",
                _("Only the provincial federation can stand at the top of the tree."),
                fields={"parent": _("A parent organization is required.")},
            )
        return
    if level not in ALLOWED_CHILD_LEVELS[parent.level]:
        raise DomainError(
            "organization.level_not_allowed",
            _("A %(child)s cannot stand below a %(parent)s.")
            % {"child": Level(level).label, "parent": Level(parent.level).label},
            fields={"level": _("Not allowed below the chosen parent.")},
        )


def create_root(*, name: str, division: Division) -> Organization:
    """Create the provincial federation, the root of the tree."""
    check_child_level(None, Level.PROVINCE)
    with transaction.atomic():
        if Organization.objects.filter(parent__isnull=True).exists():
            raise DomainError("organization.root_exists", _("The tree already has a root."))
        return Organization.objects.create(
            name=name, level=Level.PROVINCE, division=division, path=path_segment(1), depth=0
        )


def create_children(parent: Organization, children: list[NewOrganization]) -> list[Organization]:
    """Create ``children`` below ``parent`` in one transaction, with one lock on the parent.

    Path segments are handed out from a counter on the parent row, so concurrent creations below
    one parent serialize on that row and never collide.
    """
    for child in children:
        check_child_level(parent, child.level)
    if not children:
        return []
    with transaction.atomic():
        Organization.objects.filter(pk=parent.pk).update(
            child_segments_issued=F("child_segments_issued") + len(children)
        )
        locked = Organization.objects.only("path", "depth", "child_segments_issued").get(
            pk=parent.pk
        )
        first = locked.child_segments_issued - len(children) + 1
        created = Organization.objects.bulk_create(
            [
                Organization(
                    name=child.name,
                    level=child.level,
                    parent=parent,
                    path=locked.path + path_segment(first + offset),
                    depth=locked.depth + 1,
                    division=child.division,
                    credit_code=child.credit_code or None,
                    formation=child.formation,
                    contact_name=child.contact_name,
                    contact_phone=child.contact_phone,
                )
                for offset, child in enumerate(children)
            ]
        )
    parent.child_segments_issued = locked.child_segments_issued
    return created


def create_organization(*, parent: Organization, **fields: object) -> Organization:
    """Create one organization below ``parent``."""
    return create_children(parent, [NewOrganization(**fields)])[0]  # type: ignore[arg-type]
