"""Administrative divisions (GB/T 2260) and the union organization tree.

The tree is a materialized path: every organization stores the path of its ancestors, one fixed
width segment per level (``0001.0003.00a2.``). A subtree is one indexed prefix query, so scoping
costs the same at 20 organizations as at 20,000, and no request walks the tree in Python.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PATH_SEGMENT_WIDTH = 4
PATH_SEPARATOR = "."
PATH_STEP = PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR)


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")


class Division(models.Model):
    """An administrative division of the province, keyed by its GB/T 2260 six-digit code."""

    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=12, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent division"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[1-9][0-9]{5}$"), name="division_code_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        """The significant leading digits shared by this division and all below it."""
        if self.level == DivisionLevel.PROVINCE:
            return self.code[:2]
        if self.level == DivisionLevel.PREFECTURE:
            return self.code[:4]
        return self.code


class Level(models.TextChoices):
    PROVINCE = "province", _("Provincial federation")
    PREFECTURE = "prefecture", _("Prefecture federation")
    COUNTY = "county", _("County federation")
    TOWNSHIP = "township", _("Township union")
    GRASSROOTS = "grassroots", _("Grassroots union")
    BRANCH = "branch", _("Union branch")
    GROUP = "group", _("Union group")
    INDUSTRIAL = "industrial_union", _("Industrial union")


# Which levels may stand directly below which: the shape of the union tree.
ALLOWED_CHILD_LEVELS: dict[str, frozenset[str]] = {
    Level.PROVINCE: frozenset({Level.PREFECTURE, Level.INDUSTRIAL, Level.GRASSROOTS}),
    Level.PREFECTURE: frozenset({Level.COUNTY, Level.INDUSTRIAL, Level.GRASSROOTS}),
    Level.COUNTY: frozenset({Level.TOWNSHIP, Level.GRASSROOTS}),
    Level.TOWNSHIP: frozenset({Level.GRASSROOTS}),
    Level.INDUSTRIAL: frozenset({Level.GRASSROOTS}),
    Level.GRASSROOTS: frozenset({Level.BRANCH, Level.GROUP}),
    Level.BRANCH: frozenset({Level.GROUP}),
    Level.GROUP: frozenset(),
}


class Formation(models.TextChoices):
    SINGLE = "single", _("Single employer")
    JOINT = "joint", _("Joint")
    INDUSTRY = "industry", _("Industry-wide")


class Organization(models.Model):
    """A union organization: the provincial federation down to a union group."""

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organization"),
    )
    # Ancestors' segments then this one's; set once by the service that creates the organization.
    # Subtree queries are ``path LIKE 'prefix%'``. The unique constraint's index serves them: on
    # PostgreSQL Django adds a ``varchar_pattern_ops`` twin (``..._like``) to every unique
    # CharField, which is what a prefix LIKE needs under any collation (see docs/benchmarks.md).
    path = models.CharField(_("tree path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False)
    # How many children have been given a path segment; the next child takes the next number.
    child_segments_issued = models.PositiveIntegerField(default=0, editable=False)
    division = models.ForeignKey(
        Division,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("administrative division"),
    )
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, unique=True
    )
    formation = models.CharField(
        _("formation"), max_length=10, choices=Formation.choices, blank=True
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("union organization")
        verbose_name_plural = _("union organizations")
        indexes = [
            models.Index(fields=["parent", "name"], name="org_parent_name_idx"),
            models.Index(fields=["division", "level"], name="org_division_level_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="org_root_has_depth_zero",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_paths(self) -> list[str]:
        """Paths of the ancestors, root first (no query)."""
        return [self.path[:end] for end in range(PATH_STEP, len(self.path), PATH_STEP)]

    def child_prefix_length(self) -> int:
        return len(self.path) + PATH_STEP

    def is_ancestor_or_self_of(self, other: Organization) -> bool:
        return other.path.startswith(self.path)
