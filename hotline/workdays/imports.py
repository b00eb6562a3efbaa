"""Import of calendar days from a small CSV file, all or nothing.

The file has a header row and one row per date: ``date,is_workday,name`` (or the Chinese
headers 日期, 是否上班, 名称), for example ``2027-10-01,否,国庆节`` or
``2027-09-26,是,国庆节调休上班``.
Every row is checked first; if any is bad, the report lists every bad row with its line number
(the header is line 1) and nothing is imported. The admin page and ``manage.py import_calendar``
both go through ``import_calendar``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.utils.translation import gettext as _

from hotline.core import tabular
from hotline.core.errors import DomainError

from . import services
from .models import FIRST_YEAR, LAST_YEAR
from .services import NAME_MAX_LENGTH, DayEntry

if TYPE_CHECKING:
    from hotline.accounts.models import User

# A year's official schedule has a few dozen dates; these limits only stop a wrong file early.
MAX_ROWS = 1000
MAX_FILE_BYTES = 1024 * 1024

# Accepted headers for each column, compared without spaces and letter case.
COLUMNS: dict[str, tuple[str, ...]] = {
    "day": ("date", "日期"),
    "is_workday": ("is_workday", "是否上班", "是否工作日", "工作日", "上班"),
    "name": ("name", "名称", "说明", "节日"),
}
REQUIRED_COLUMNS = ("day", "is_workday")

WORKDAY_VALUES = {
    "是": True,
    "1": True,
    "上班": True,
    "班": True,
    "true": True,
    "yes": True,
    "y": True,
    "否": False,
    "0": False,
    "休息": False,
    "休": False,
    "false": False,
    "no": False,
    "n": False,
}

# 2027-10-01, 2027/10/1 (how Excel in a Chinese locale writes dates), 2027.10.1, 2027年10月1日.
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class RowError:
    """Everything wrong with one line of the file."""

    line: int
    messages: list[str]


@dataclass
class CalendarImportReport:
    """The outcome of one import: rows read, days created and updated, years, bad rows."""

    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    years: list[int] = field(default_factory=list)
    completed_years: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return _("%(count)d of %(rows)d rows have errors; nothing was imported.") % {
                "count": len(self.errors),
                "rows": self.rows,
            }
        if self.dry_run:
            return _("%(rows)d rows checked, no errors; nothing was imported (dry run).") % {
                "rows": self.rows
            }
        text = _("%(created)d calendar days created, %(updated)d updated.") % {
            "created": self.created,
            "updated": self.updated,
        }
        if self.completed_years:
            text += " " + _("Marked complete: %(years)s.") % {
                "years": ", ".join(str(year) for year in self.completed_years)
            }
        return text


def import_calendar(
    rows_source: str | Path | bytes | IO[bytes],
    *,
    actor: User | None = None,
    complete_years: bool = False,
    dry_run: bool = False,
) -> CalendarImportReport:
    """Check every row of ``rows_source`` and, unless ``dry_run`` or a row is bad, save them all.

    ``rows_source`` is a path, the file's bytes or a binary file object (an upload). Existing
    entries for the same dates are overwritten. With ``complete_years`` the years in the file
    are marked complete afterwards. Problems with the file as a whole raise ``DomainError``.
    """
    table = tabular.rows(tabular.read_upload(rows_source, max_bytes=MAX_FILE_BYTES), excel=False)
    header = _read_header(table)
    report = CalendarImportReport(dry_run=dry_run)
    entries: list[DayEntry] = []
    first_line: dict[date, int] = {}
    for line, cells in table:
        if not any(cells):
            continue
        if report.rows == MAX_ROWS:
            raise DomainError(
                "import.too_many_rows",
                _("The file has more than %(max)d rows; split it into smaller files.")
                % {"max": MAX_ROWS},
            )
        report.rows += 1
        values = {
            name: cells[index] if index < len(cells) else "" for name, index in header.items()
        }
        entry, problems = _parse_row(values)
        if entry is not None:
            earlier = first_line.setdefault(entry.day, line)
            if earlier != line:
                problems.append(
                    _("The date %(day)s is also on line %(line)d.")
                    % {"day": entry.day.isoformat(), "line": earlier}
                )
        if problems:
            report.errors.append(RowError(line, problems))
        elif entry is not None:
            entries.append(entry)
    if not report.rows:
        raise DomainError("import.no_rows", _("The file has no rows below its header."))
    report.years = sorted({entry.day.year for entry in entries})
    if report.errors or dry_run:
        return report
    report.created, report.updated = services.import_days(
        entries, actor=actor, complete_years=complete_years
    )
    if complete_years:
        report.completed_years = report.years
    return report


_HEADER_KEYS = {
    tabular.header_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases
}


def _read_header(table: Iterator[tuple[int, list[str]]]) -> dict[str, int]:
    """The first non-empty row, as column name to index; it must name the required columns."""
    cells: list[str] = []
    for _line, row in table:
        if any(row):
            cells = row
            break
    header: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _HEADER_KEYS.get(tabular.header_key(cell))
        if name is None:
            continue
        if name in header:
            raise DomainError(
                "import.duplicate_column",
                _("The column %(column)s appears twice.") % {"column": cell},
            )
        header[name] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise DomainError(
            "import.no_header",
            _("The first row must name the columns: %(columns)s.")
            % {"columns": "date,is_workday,name (日期,是否上班,名称)"},
        )
    return header


def _parse_row(values: dict[str, str]) -> tuple[DayEntry | None, list[str]]:
    problems: list[str] = []
    day = _parse_date(values["day"], problems)
    raw_workday = values["is_workday"]
    is_workday = WORKDAY_VALUES.get(raw_workday.lower())
    if not raw_workday:
        problems.append(_("Whether the date is a working day is required (是 or 否)."))
    elif is_workday is None:
        problems.append(
            _("%(value)s is not 是/否 or 1/0 for whether the date is a working day.")
            % {"value": raw_workday}
        )
    name = values.get("name", "")
    if len(name) > NAME_MAX_LENGTH:
        problems.append(_("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH})
    if day is None or is_workday is None:
        return None, problems
    return DayEntry(day=day, is_workday=is_workday, name=name), problems


def _parse_date(text: str, problems: list[str]) -> date | None:
    if not text:
        problems.append(_("The date is required."))
        return None
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        problems.append(
            _("%(value)s is not a date like 2027-10-01.") % {"value": text},
        )
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append(
            _("The date must lie between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
        return None
    return day
