"""Reading the spreadsheets administrators upload: CSV (UTF-8 or GB18030) or Excel (.xlsx).

Every import (grassroots unions, the holiday calendar, ...) reads its file here, so each handles
the same encodings, byte-order marks, quoted line breaks and Excel's number cells the same way,
and reports rows by the line number the person sees in their file.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from hotline.core.errors import DomainError

UTF8_BOM = b"\xef\xbb\xbf"
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"

Source = str | Path | bytes | IO[bytes]
Rows = Iterator[tuple[int, list[str]]]


def read_upload(source: Source, *, max_bytes: int) -> bytes:
    """The bytes of ``source`` (a path, bytes or an open file), refusing more than ``max_bytes``."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | Path):
        with Path(source).open("rb") as opened:
            data = opened.read(max_bytes + 1)
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        if max_bytes >= 1024 * 1024:
            limit = _("%(max)d MB") % {"max": max_bytes // (1024 * 1024)}
        else:
            limit = _("%(max)d KB") % {"max": max_bytes // 1024}
        raise DomainError(
            "import.file_too_large",
            _("The file is larger than %(limit)s.") % {"limit": limit},
        )
    return data


def rows(data: bytes, *, excel: bool) -> Rows:
    """Every row of the file as stripped strings, with its line number (the first row is 1).

    ``excel`` accepts .xlsx workbooks (the first sheet) besides CSV.
    """
    if excel and data.startswith(XLS_MAGIC):
        raise DomainError(
            "import.xls_not_supported",
            _("Old Excel files (.xls) cannot be read: save the file as .xlsx or CSV."),
        )
    if excel and data.startswith(XLSX_MAGIC):
        return _xlsx_rows(data)
    return _csv_rows(_decode(data, excel=excel), excel=excel)


def header_key(title: str) -> str:
    """A column title reduced to what identifies it: "名称（必填）", "* 名称" and "名称" match."""
    title = re.sub(r"[（(].*?[）)]", "", title)
    return re.sub(r"[\s*＊]", "", title).lower()


def unreadable(*, excel: bool) -> DomainError:
    if excel:
        message = _(
            "The file could not be read: upload an Excel file (.xlsx) or a CSV file "
            "(UTF-8 or GB18030)."
        )
    else:
        message = _("The file could not be read: upload a CSV file (UTF-8 or GB18030).")
    return DomainError("import.unreadable", message)


def _decode(data: bytes, *, excel: bool) -> str:
    # NUL bytes mean a binary file: a workbook, or an Excel file saved without "CSV".
    if b"\x00" in data:
        raise unreadable(excel=excel)
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Excel in a Chinese locale saves "CSV" in the ANSI code page, GBK, which GB18030 contains.
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise unreadable(excel=excel) from None


def _csv_rows(text: str, *, excel: bool) -> Rows:
    reader = csv.reader(io.StringIO(text, newline=""))
    previous_line = 0
    try:
        for cells in reader:
            # A quoted cell may span lines: a row starts on the line after the previous row.
            yield previous_line + 1, [cell.strip() for cell in cells]
            previous_line = reader.line_num
    except csv.Error:
        raise unreadable(excel=excel) from None


def _xlsx_rows(data: bytes) -> Rows:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise unreadable(excel=True) from None
    try:
        sheet = workbook.worksheets[0]
        # Read-only sheets yield an empty row for every missing one, so numbers match Excel's.
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    # Excel stores codes and phone numbers typed without a leading quote as numbers.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()
