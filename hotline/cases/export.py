"""The case ledger (台账): a filtered case list as an Excel workbook, personal data masked.

The workbook is written in openpyxl's write-only mode (rows streamed into the file, not kept as
cell objects) from a database iterator, so 10,000 rows cost a few megabytes at most. More rows
than ``MAX_ROWS`` are refused by the page: a ledger that large is a query, not a document.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .crypto import mask_phone
from .deadlines import DUE_SOON, OVERDUE, due_state
from .models import Case
from .page_selectors import mask_name
from .states import Rating

MAX_ROWS = 10_000
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def _deadline_state(case: Case, now: datetime.datetime) -> str:
    state = due_state(case, now)
    if state == OVERDUE:
        return _("Overdue")
    if state == DUE_SOON:
        return _("Due soon")
    return _("On time") if state else ""


def _worker(case: Case) -> str:
    return _("Anonymous") if case.is_anonymous else mask_name(case.worker_name)


@dataclass(frozen=True)
class Column:
    header: object  # a lazy translation
    width: int
    value: Callable[[Case, datetime.datetime], object]


COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Case number"), 16, lambda c, now: c.number),
    Column(gettext_lazy("Received at"), 17, lambda c, now: _local(c.created_at)),
    Column(gettext_lazy("Channel"), 9, lambda c, now: c.get_channel_display()),
    Column(gettext_lazy("Kind"), 9, lambda c, now: c.get_kind_display()),
    Column(gettext_lazy("Category"), 22, lambda c, now: str(c.category)),
    Column(gettext_lazy("Title"), 36, lambda c, now: c.title),
    Column(gettext_lazy("Worker"), 10, lambda c, now: _worker(c)),
    Column(gettext_lazy("Phone"), 14, lambda c, now: mask_phone(c.phone)),
    Column(gettext_lazy("Employer"), 28, lambda c, now: c.employer_name),
    Column(gettext_lazy("People involved"), 9, lambda c, now: c.people_involved),
    Column(gettext_lazy("Status"), 9, lambda c, now: c.get_status_display()),
    Column(gettext_lazy("Registered by"), 18, lambda c, now: c.owner_org.name),
    Column(
        gettext_lazy("Handling unit"),
        18,
        lambda c, now: c.handling_org.name if c.handling_org_id else "",
    ),
    Column(gettext_lazy("Deadline"), 17, lambda c, now: _local(c.deadline_at)),
    Column(gettext_lazy("On time?"), 9, _deadline_state),
    Column(gettext_lazy("Supervised"), 7, lambda c, now: _yes_no(c.supervised)),
    Column(gettext_lazy("Urges"), 7, lambda c, now: c.urge_count),
    Column(gettext_lazy("Returns"), 7, lambda c, now: c.return_count),
    Column(gettext_lazy("Resolved at"), 17, lambda c, now: _local(c.resolved_at)),
    Column(
        gettext_lazy("Rating"),
        11,
        lambda c, now: str(Rating(c.rating).label) if c.rating else "",
    ),
    Column(gettext_lazy("Solved"), 7, lambda c, now: _yes_no(c.solved)),
)

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B3211E")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _header(sheet: WriteOnlyWorksheet) -> list[WriteOnlyCell]:
    cells = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
        cells.append(cell)
    return cells


def case_ledger(cases: Iterable[Case], *, moment: datetime.datetime | None = None) -> bytes:
    """An .xlsx of ``cases`` (with ``LIST_RELATED`` loaded): a Chinese header row, frozen, with
    set column widths; one row per case; phones and names masked, ID numbers left out."""
    now = moment or timezone.now()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Case ledger"))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.append(_header(sheet))
    rows = cases.iterator(chunk_size=1000) if hasattr(cases, "iterator") else cases
    for case in rows:
        sheet.append([column.value(case, now) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
