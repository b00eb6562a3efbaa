"""The one-sheet workbook writer of the ledger: what it writes reads back in openpyxl as written."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from hotline.cases import xlsx


def read(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_letters_of_columns_run_on_past_z():
    assert [xlsx.column_letter(index) for index in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_text_numbers_and_empty_cells_read_back_in_their_places():
    sheet = read(
        xlsx.workbook(
            "台账",
            [("编号", 16), ("人数", 8), ("备注", 20)],
            [["2026030200001", 23, None], ["2026030200002", 1.5, "  两边有空格  "]],
        )
    )
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["编号", "人数", "备注"],
        ["2026030200001", 23, None],
        ["2026030200002", 1.5, "  两边有空格  "],
    ]
    assert sheet.title == "台账"


def test_the_header_is_styled_frozen_and_the_columns_have_their_widths():
    columns = [(f"第{index}列", 10 + index) for index in range(30)]
    sheet = read(xlsx.workbook("x", columns, [list(range(30))]))
    header = sheet["A1"]
    assert header.font.b and header.font.color.rgb == "FFFFFFFF"
    assert header.fill.fgColor.rgb == "FFB3211E"
    assert header.alignment.wrap_text
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 10
    assert sheet.column_dimensions["AD"].width == 39
    assert sheet["AD2"].value == 29


def test_markup_and_forbidden_characters_in_text_are_safe():
    sheet = read(xlsx.workbook("a/b:c*?[d]", [("x", 10)], [["<b>&amp;</b>"], ["前\x00\x0b后\x1f"]]))
    assert sheet["A2"].value == "<b>&amp;</b>"
    assert sheet["A3"].value == "前后"
    assert sheet.title == "a b c   d"


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="row 2"):
        xlsx.workbook("x", [("a", 10), ("b", 10)], [["only one"]])
