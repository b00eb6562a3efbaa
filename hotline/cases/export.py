"""The case ledger (台账): a filtered case list as an Excel workbook, personal data masked.

The cases are read as plain rows (``values_list``: the columns the ledger shows, the names of
related rows joined in), the labels of statuses, kinds and channels translated once per ledger,
and the workbook written as text (``hotline.cases.xlsx``): 3,000 cases take about 0.1 s where
model instances, per-cell translations and openpyxl took a second (docs/benchmarks.md). More rows
than ``MAX_ROWS`` are refused by the page: a ledger that large is a query, not a document.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import xlsx
from .deadlines import DUE_SOON, OVERDUE, due_state
from .models import Case
from .privacy import masked_name, masked_phone
from .states import Channel, Kind, Rating, Status

MAX_ROWS = 10_000
CONTENT_TYPE = xlsx.CONTENT_TYPE

# What a ledger row reads: the case's own columns and the names of its related rows. A row has
# these as attributes (``values_list(named=True)``), like a case has them, so the masking and
# deadline functions take either.
FIELDS = (
    "number",
    "created_at",
    "channel",
    "kind",
    "category__name",
    "category__parent__name",
    "title",
    "worker_name",
    "is_anonymous",
    "phone",
    "employer_name",
    "people_involved",
    "status",
    "owner_org__name",
    "handling_org__name",
    "deadline_at",
    "warning_at",
    "supervised",
    "urge_count",
    "return_count",
    "resolved_at",
    "rating",
    "solved",
)
Row = Any  # a named tuple of ``FIELDS``, or a Case with its related rows loaded


@dataclass(frozen=True)
class Labels:
    """The words a ledger repeats on every row, translated once."""

    channel: dict[str, str]
    kind: dict[str, str]
    status: dict[str, str]
    rating: dict[str, str]
    yes: str
    no: str
    anonymous: str
    overdue: str
    due_soon: str
    on_time: str
    # The current time zone, read once: ``timezone.localtime`` looks it up on every call.
    zone: datetime.tzinfo

    @classmethod
    def now(cls) -> Labels:
        def labels(choices: Any) -> dict[str, str]:
            return {value: str(label) for value, label in choices.choices}

        return cls(
            channel=labels(Channel),
            kind=labels(Kind),
            status=labels(Status),
            rating=labels(Rating),
            yes=_("Yes"),
            no=_("No"),
            anonymous=_("Anonymous"),
            overdue=_("Overdue"),
            due_soon=_("Due soon"),
            on_time=_("On time"),
            zone=timezone.get_current_timezone(),
        )

    def local(self, moment: datetime.datetime | None) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return ""
        return self.yes if value else self.no

    def deadline_state(self, row: Row, now: datetime.datetime) -> str:
        state = due_state(row, now)
        if state == OVERDUE:
            return self.overdue
        if state == DUE_SOON:
            return self.due_soon
        return self.on_time if state else ""


def _category(row: Row) -> str:
    parent = row.category__parent__name
    return f"{parent} / {row.category__name}" if parent else row.category__name


@dataclass(frozen=True)
class Column:
    header: object  # a lazy translation
    width: int
    value: Callable[[Row, Labels, datetime.datetime], object]


COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Case number"), 16, lambda r, w, now: r.number),
    Column(gettext_lazy("Received at"), 17, lambda r, w, now: w.local(r.created_at)),
    Column(gettext_lazy("Channel"), 9, lambda r, w, now: w.channel.get(r.channel, r.channel)),
    Column(gettext_lazy("Kind"), 9, lambda r, w, now: w.kind.get(r.kind, r.kind)),
    Column(gettext_lazy("Category"), 22, lambda r, w, now: _category(r)),
    Column(gettext_lazy("Title"), 36, lambda r, w, now: r.title),
    Column(
        gettext_lazy("Worker"),
        10,
        lambda r, w, now: w.anonymous if r.is_anonymous else masked_name(r),
    ),
    Column(gettext_lazy("Phone"), 14, lambda r, w, now: masked_phone(r)),
    Column(gettext_lazy("Employer"), 28, lambda r, w, now: r.employer_name),
    Column(gettext_lazy("People involved"), 9, lambda r, w, now: r.people_involved),
    Column(gettext_lazy("Status"), 9, lambda r, w, now: w.status.get(r.status, r.status)),
    Column(gettext_lazy("Registered by"), 18, lambda r, w, now: r.owner_org__name),
    Column(gettext_lazy("Handling unit"), 18, lambda r, w, now: r.handling_org__name or ""),
    Column(gettext_lazy("Deadline"), 17, lambda r, w, now: w.local(r.deadline_at)),
    Column(gettext_lazy("On time?"), 9, lambda r, w, now: w.deadline_state(r, now)),
    Column(gettext_lazy("Supervised"), 7, lambda r, w, now: w.yes_no(r.supervised)),
    Column(gettext_lazy("Urges"), 7, lambda r, w, now: r.urge_count),
    Column(gettext_lazy("Returns"), 7, lambda r, w, now: r.return_count),
    Column(gettext_lazy("Resolved at"), 17, lambda r, w, now: w.local(r.resolved_at)),
    Column(gettext_lazy("Rating"), 11, lambda r, w, now: w.rating.get(r.rating, "")),
    Column(gettext_lazy("Solved"), 7, lambda r, w, now: w.yes_no(r.solved)),
)


def ledger_rows(cases: QuerySet[Case]) -> Iterable[Row]:
    """``cases`` (in their order) as rows of ``FIELDS``, without the list's related objects."""
    plain = cases.select_related(None).prefetch_related(None)
    return plain.values_list(*FIELDS, named=True).iterator(chunk_size=2000)


def case_ledger(cases: QuerySet[Case], *, moment: datetime.datetime | None = None) -> bytes:
    """An .xlsx of ``cases``: a Chinese header row, frozen, with set column widths; one row per
    case; phones and names masked, ID numbers left out."""
    now = moment or timezone.now()
    labels = Labels.now()
    values = [column.value for column in COLUMNS]
    rows = ([value(row, labels, now) for value in values] for row in ledger_rows(cases))
    return xlsx.workbook(
        _("Case ledger"), [(str(column.header), column.width) for column in COLUMNS], rows
    )
