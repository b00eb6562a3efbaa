"""Cases (工单), their append-only event chain, attachments, categories and deadline rules.

Scoping needs no join: every case carries the tree paths of the organization that registered it
(``owner_path``) and of its current handling unit (``handling_path``). A user's lists hold the
cases where either path lies in their subtree or they are the lawyer
(``hotline.cases.selectors.visible_cases``); the cases one of their subtree's assisting units
helps with are listed apart and open too (``assisted_cases``, ``reachable_cases``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .states import Action, Channel, ExtensionState, Kind, Rating, Stage, Status


class Category(models.Model):
    """A topic of the two-level labor-issue taxonomy (劳动报酬 → 拖欠工资)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    # Words a worker would use, for the plain-language picker and the search box.
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class DeadlineRule(models.Model):
    """How many working days a stage may take, for a kind and/or a category.

    The most specific rule wins: kind + category, then category, then kind, then the default
    (both blank). Defaults come from PRODUCT.md and are loaded by a migration.
    """

    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadline_rules",
        verbose_name=_("category"),
    )
    working_days = models.PositiveSmallIntegerField(_("working days"))

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "kind", "category"],
                name="deadline_rule_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(working_days__gte=1, working_days__lte=60),
                name="deadline_rule_days_range",
            ),
        ]

    def __str__(self) -> str:
        scope = f"{self.kind or '*'} {self.category or '*'}"
        return f"{self.get_stage_display()} {scope}: {self.working_days}"


class Case(models.Model):
    """One worker request and everything done about it."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))

    # The worker. The phone is digits only; the ID number is encrypted (hotline.cases.crypto).
    worker_name = models.CharField(_("worker name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True)
    id_number_tail = models.CharField(_("ID number, last digits"), max_length=4, blank=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_confidential = models.BooleanField(_("confidential"), default=False)

    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    # The employer name folded for matching (no spaces, no brackets' width differences).
    employer_key = models.CharField(max_length=200, blank=True, editable=False)
    employer_credit_code = models.CharField(_("employer credit code"), max_length=18, blank=True)
    workplace_division = models.ForeignKey(
        "organizations.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("workplace division"),
    )
    people_involved = models.PositiveIntegerField(_("people involved"), default=1)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    owner_org = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("registering organization"),
    )
    owner_path = models.CharField(max_length=255, editable=False)
    handling_org = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("handling unit"),
    )
    handling_path = models.CharField(max_length=255, blank=True, editable=False)
    # Who sent the case to the current handling unit: that unit reviews the reply.
    dispatching_org = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatched_cases",
        verbose_name=_("dispatching unit"),
    )
    # The units above the handling unit, top first: who dispatched to whom. Each entry is
    # ``{"org": id, "due": iso datetime | None}``: a unit that passed the case further down, and
    # its own completion deadline, restored when the case comes back up to it (approve, return).
    # ``dispatching_org`` is always the last entry's unit.
    dispatch_chain = models.JSONField(_("dispatch chain"), default=list, blank=True, editable=False)
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lawyer_cases",
        verbose_name=_("lawyer"),
    )

    # The running clock: which stage, when it ends, when it starts to be due soon (last 20 %).
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, blank=True)
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    warning_at = models.DateTimeField(_("due soon from"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warning sent at"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)
    # The completion deadline of the current handling unit, kept for on-time KPIs.
    completion_due_at = models.DateTimeField(_("completion deadline"), null=True, blank=True)
    # What the running clock was set from, so that a change of the working-day calendar can be
    # applied to it on demand (``recompute_deadlines``) rather than silently: ``deadline_at`` is
    # the end of the ``clock_days``-th working day after ``clock_started_at``'s local date (None:
    # a deadline that is no such count, left as it is). While the acknowledgement clock runs,
    # ``completion_due_at`` is ``completion_days`` working days after that same moment.
    clock_started_at = models.DateTimeField(
        _("clock started at"), null=True, blank=True, editable=False
    )
    clock_days = models.PositiveSmallIntegerField(
        _("clock working days"), null=True, blank=True, editable=False
    )
    completion_days = models.PositiveSmallIntegerField(
        _("completion working days"), null=True, blank=True, editable=False
    )

    extension_state = models.CharField(
        _("extension"), max_length=10, choices=ExtensionState.choices, blank=True
    )
    extension_days = models.PositiveSmallIntegerField(_("extension days"), null=True, blank=True)
    extension_reason = models.CharField(_("extension reason"), max_length=500, blank=True)

    supervised = models.BooleanField(_("supervised"), default=False)
    urge_count = models.PositiveIntegerField(_("urges"), default=0)
    return_count = models.PositiveIntegerField(_("returns"), default=0)

    answer = models.TextField(_("answer to the worker"), blank=True)
    referral = models.CharField(_("referral"), max_length=500, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    reply_solved = models.BooleanField(_("solved, as the unit replied"), null=True, blank=True)

    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    solved = models.BooleanField(_("solved, as the worker says"), null=True, blank=True)
    rated_by_worker = models.BooleanField(_("rated by the worker"), default=False)

    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("merged into"),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_cases",
        verbose_name=_("registered by"),
    )
    # "<who>:<Idempotency-Key>": a repeated submission finds the case it already made.
    intake_key = models.CharField(max_length=150, null=True, blank=True, unique=True)

    created_at = models.DateTimeField(_("received at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Head of the event chain: the hash of the latest event and how many there are.
    event_count = models.PositiveIntegerField(default=0, editable=False)
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The scoped lists: a subtree prefix, newest first.
            models.Index(
                fields=["handling_path", "-created_at"],
                name="case_handling_path_idx",
                opclasses=["varchar_pattern_ops", ""],
            ),
            models.Index(
                fields=["owner_path", "-created_at"],
                name="case_owner_path_idx",
                opclasses=["varchar_pattern_ops", ""],
            ),
            models.Index(fields=["status", "-created_at"], name="case_status_created_idx"),
            models.Index(fields=["handling_org", "status"], name="case_handling_status_idx"),
            # Deadline scans: only open cases carry a deadline.
            models.Index(
                fields=["deadline_at"],
                name="case_deadline_idx",
                condition=Q(deadline_at__isnull=False),
            ),
            models.Index(
                fields=["warning_at"],
                name="case_warning_idx",
                condition=Q(warning_at__isnull=False),
            ),
            # Screen pop and duplicate hints.
            models.Index(fields=["phone", "-created_at"], name="case_phone_idx"),
            models.Index(fields=["employer_key", "-created_at"], name="case_employer_idx"),
            # Risk alerts: the requests about one employer (its credit code) in the last 30 days.
            # Partial: most cases carry no code, and need no entry.
            models.Index(
                fields=["employer_credit_code", "created_at"],
                name="case_credit_code_idx",
                condition=~Q(employer_credit_code=""),
            ),
            models.Index(
                fields=["-created_at"], name="case_supervised_idx", condition=Q(supervised=True)
            ),
            # On PostgreSQL, the text search of lists also has trigram (GIN) indexes on the
            # title, employer and description; SQLite has no GIN, so migration 0004 makes them.
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(people_involved__gte=1), name="case_people_involved_positive"
            ),
            models.CheckConstraint(
                condition=Q(status=Status.MERGED, merged_into__isnull=False)
                | (~Q(status=Status.MERGED) & Q(merged_into__isnull=True)),
                name="case_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseAssist(models.Model):
    """An assisting unit (协办单位) of a dispatched case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assists")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="assisted_cases"
    )
    path = models.CharField(max_length=255, editable=False)

    class Meta:
        verbose_name = _("assisting unit")
        verbose_name_plural = _("assisting units")
        constraints = [
            models.UniqueConstraint(fields=["case", "organization"], name="case_assist_once"),
        ]
        indexes = [
            models.Index(
                fields=["path", "case"],
                name="case_assist_path_idx",
                opclasses=["varchar_pattern_ops", ""],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.organization_id}"


class CaseEvent(models.Model):
    """One thing that happened to a case. Append-only, chained by hash (see ``events.py``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField(_("sequence"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_events",
        verbose_name=_("actor"),
    )
    # Kept as text too: the chain must verify even if a user is renamed.
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_events",
        verbose_name=_("organization"),
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Action-specific facts: the target unit of a dispatch, a rating, a deadline.
    data = models.JSONField(_("data"), default=dict, blank=True)
    # False for what the worker must not see on the public timeline (internal notes).
    public = models.BooleanField(_("shown to the worker"), default=False)
    created_at = models.DateTimeField(_("time"))
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["case", "sequence"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="case_event_sequence_once"),
        ]
        indexes = [
            models.Index(fields=["action", "created_at"], name="case_event_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.sequence} {self.action}"


class Attachment(models.Model):
    """A file attached to a case (checked for type and size by the service)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class DailySequence(models.Model):
    """The last case number issued on a day: numbers are date + a daily sequence."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ThrottleCount(models.Model):
    """How many requests one identity made under one public rate limit in one fixed window.

    Written only by ``hotline.cases.throttling`` (one upsert per request) and emptied of ended
    windows by the periodic job ``delete_ended_throttle_windows``. ``key`` is the limit's name and
    an HMAC of the address or phone number, never either in clear.
    """

    key = models.CharField(max_length=64)
    # The end of the window, in whole seconds since the epoch.
    window_ends = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            # Window first: the cleanup deletes a range of windows through the same index.
            models.UniqueConstraint(fields=["window_ends", "key"], name="throttle_count_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} until {self.window_ends}: {self.hits}"
