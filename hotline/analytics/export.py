"""The figures as Excel workbooks: every table of the pages, and the monthly report a federation
sends to the level above (汇总, 按下级单位, 按地区, 按分类, 单位排名, 热点用人单位).

Figures only, no personal data; written the way the case ledger is (``hotline.cases.export``):
a bold red header row, frozen, set column widths. Rates are written as numbers formatted as
percentages, so the workbook can be computed with; each KPI also has its numerator and
denominator columns.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hotline.organizations.models import DivisionLevel

from .definitions import KPI_DEFINITIONS, Kpi, build_kpis
from .kpis import (
    BreakdownRow,
    KpiFilters,
    RankingRow,
    VolumeRow,
    case_volume,
    kpi_breakdown,
    totals,
    unit_ranking,
)
from .rollups import next_month

if TYPE_CHECKING:
    from hotline.accounts.models import User
    from hotline.organizations.models import Organization

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOT_EMPLOYERS = 20

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B3211E")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TITLE_FONT = Font(bold=True, size=13)
PERCENT = "0.0%"
DAYS = "0.0"


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook: Workbook, title: str, caption: str, headers: Sequence[str]) -> Worksheet:
    """A sheet with a caption in A1 and a header row in row 2, frozen below it."""
    sheet = workbook.create_sheet(title[:31])
    sheet["A1"] = caption
    sheet["A1"].font = _TITLE_FONT
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=column, value=header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
        sheet.column_dimensions[get_column_letter(column)].width = 12 if column > 1 else 28
    sheet.freeze_panes = "B3"
    return sheet


def _kpi_value_cell(sheet: Worksheet, row: int, column: int, kpi: Kpi) -> None:
    cell = sheet.cell(row=row, column=column, value=kpi.value)
    cell.number_format = DAYS if kpi.is_average else PERCENT


def _kpi_headers() -> list[str]:
    headers = []
    for definition in KPI_DEFINITIONS:
        headers += [
            str(definition.label),
            str(definition.numerator_label),
            str(definition.denominator_label),
        ]
    return headers


def _kpi_columns(sheet: Worksheet, row: int, first_column: int, found: Sequence[Kpi]) -> None:
    column = first_column
    for kpi in found:
        _kpi_value_cell(sheet, row, column, kpi)
        sheet.cell(row=row, column=column + 1, value=kpi.numerator)
        sheet.cell(row=row, column=column + 2, value=kpi.denominator)
        column += 3


def caption(filters: KpiFilters, unit_name: str) -> str:
    return _("%(unit)s, %(start)s to %(end)s") % {
        "unit": unit_name,
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
    }


def write_kpi_table(sheet_title: str, text: str, found: Sequence[Kpi], workbook: Workbook) -> None:
    """The KPIs one per row: KPI, value, numerator, denominator and what they count."""
    sheet = _sheet(
        workbook,
        sheet_title,
        text,
        [_("KPI"), _("Value"), _("Numerator"), _("Counts"), _("Denominator"), _("Counts")],
    )
    sheet.column_dimensions["D"].width = 24
    sheet.column_dimensions["F"].width = 16
    for row, kpi in enumerate(found, start=3):
        sheet.cell(row=row, column=1, value=kpi.label)
        _kpi_value_cell(sheet, row, 2, kpi)
        sheet.cell(row=row, column=3, value=kpi.numerator)
        sheet.cell(row=row, column=4, value=str(kpi.definition.numerator_label))
        sheet.cell(row=row, column=5, value=kpi.denominator)
        sheet.cell(row=row, column=6, value=str(kpi.definition.denominator_label))


def write_breakdown(
    sheet_title: str, text: str, heading: str, rows: Iterable[BreakdownRow], workbook: Workbook
) -> None:
    """One row per unit, category, ... : the requests received, then each KPI's value,
    numerator and denominator."""
    sheet = _sheet(workbook, sheet_title, text, [heading, _("Requests"), *_kpi_headers()])
    for row_number, row in enumerate(rows, start=3):
        sheet.cell(row=row_number, column=1, value=row.label)
        sheet.cell(row=row_number, column=2, value=row.received)
        _kpi_columns(sheet, row_number, 3, row.kpis)


def write_ranking(
    sheet_title: str, text: str, rows: Iterable[RankingRow], workbook: Workbook
) -> None:
    sheet = _sheet(
        workbook,
        sheet_title,
        text,
        [_("Unit"), _("Rank"), _("Score"), _("Requests"), *_kpi_headers()],
    )
    for row_number, row in enumerate(rows, start=3):
        sheet.cell(row=row_number, column=1, value=row.unit.name)
        sheet.cell(row=row_number, column=2, value=row.rank)
        sheet.cell(row=row_number, column=3, value=row.score)
        sheet.cell(row=row_number, column=4, value=row.received)
        _kpi_columns(sheet, row_number, 5, row.kpis)


def write_volume(
    sheet_title: str, text: str, heading: str, rows: Iterable[VolumeRow], workbook: Workbook
) -> None:
    sheet = _sheet(workbook, sheet_title, text, [heading, _("Requests"), _("People involved")])
    for row_number, row in enumerate(rows, start=3):
        sheet.cell(row=row_number, column=1, value=row.label)
        sheet.cell(row=row_number, column=2, value=row.cases)
        sheet.cell(row=row_number, column=3, value=row.people)


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def figures_workbook(
    text: str, found: Sequence[Kpi], heading: str, rows: Sequence[BreakdownRow]
) -> bytes:
    """The KPI page as a workbook: the KPIs, then the breakdown shown under them."""
    workbook = new_workbook()
    write_kpi_table(_("KPIs"), text, found, workbook)
    write_breakdown(_("Breakdown"), text, heading, rows, workbook)
    return _save(workbook)


def ranking_workbook(text: str, rows: Sequence[RankingRow]) -> bytes:
    workbook = new_workbook()
    write_ranking(_("Unit ranking"), text, rows, workbook)
    return _save(workbook)


# --- the monthly report ------------------------------------------------------------------------


def _month_filters(month: datetime.date, unit: int | None) -> KpiFilters:
    first = month.replace(day=1)
    return KpiFilters(start=first, end=next_month(first) - datetime.timedelta(days=1), unit=unit)


def _shift_year(month: datetime.date, years: int) -> datetime.date:
    return month.replace(year=month.year + years, day=1)


def _previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _summary(
    workbook: Workbook, user: User, month: datetime.date, unit: int | None, text: str
) -> None:
    """This month's KPIs beside last month's and the same month a year before."""
    columns = [
        (_("This month"), _month_filters(month, unit)),
        (_("Previous month"), _month_filters(_previous_month(month), unit)),
        (_("Same month last year"), _month_filters(_shift_year(month, -1), unit)),
    ]
    headers = [_("KPI")]
    for title, _filters in columns:
        headers += [str(title), _("Numerator"), _("Denominator")]
    sheet = _sheet(workbook, _("Summary"), text, headers)
    sheet.column_dimensions["A"].width = 32
    counted = [totals(user, filters) for _title, filters in columns]
    sheet.cell(row=3, column=1, value=_("Requests received"))
    sheet.cell(row=4, column=1, value=_("People involved"))
    for index, counts in enumerate(counted):
        sheet.cell(row=3, column=2 + 3 * index, value=counts["received"])
        sheet.cell(row=4, column=2 + 3 * index, value=counts["people"])
    per_column = [build_kpis(counts) for counts in counted]
    for offset, definition in enumerate(KPI_DEFINITIONS):
        row = 5 + offset
        sheet.cell(row=row, column=1, value=str(definition.label))
        for index, found in enumerate(per_column):
            kpi = found[offset]
            _kpi_value_cell(sheet, row, 2 + 3 * index, kpi)
            sheet.cell(row=row, column=3 + 3 * index, value=kpi.numerator)
            sheet.cell(row=row, column=4 + 3 * index, value=kpi.denominator)


def monthly_report(user: User, month: datetime.date, unit: Organization) -> bytes:
    """The month's report of ``unit`` (one the user may see) as a workbook."""
    filters = _month_filters(month, unit.pk)
    text = _("Monthly report of %(unit)s, %(month)s (generated %(now)s)") % {
        "unit": unit.name,
        "month": f"{month:%Y-%m}",
        "now": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }
    workbook = new_workbook()
    _summary(workbook, user, month, unit.pk, text)
    write_breakdown(
        _("By unit below"), text, _("Unit"), kpi_breakdown(user, filters, "unit"), workbook
    )
    region = "prefecture" if unit.division.level == DivisionLevel.PROVINCE else "county"
    write_volume(
        _("By region"),
        text,
        _("Workplace"),
        [row for row in case_volume(user, filters, region) if row.cases or row.key],
        workbook,
    )
    write_breakdown(
        _("By category"), text, _("Category"), kpi_breakdown(user, filters, "category"), workbook
    )
    write_ranking(_("Unit ranking"), text, unit_ranking(user, filters), workbook)
    write_volume(
        _("Hot employers"),
        text,
        _("Employer"),
        case_volume(user, filters, "employer", limit=HOT_EMPLOYERS),
        workbook,
    )
    return _save(workbook)
