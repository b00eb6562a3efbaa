"""Import of calendar days from CSV: all or nothing, bad rows by line, UTF-8 and GB18030."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from hotline.core.errors import DomainError
from hotline.workdays import calendar
from hotline.workdays.imports import import_calendar
from hotline.workdays.models import CalendarDay, CalendarYear, Source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # The messages are asserted on in their msgid language, whatever the catalog holds.
    with translation.override("en"):
        yield


GOOD = """date,is_workday,name
2027-10-01,否,国庆节
2027/10/4,0,国庆节
2027-09-26,是,国庆节调休上班
2027年10月9日,1,国庆节调休上班
"""


def test_a_good_csv_creates_every_day_and_moves_deadlines(admin_user):
    report = import_calendar(GOOD.encode(), actor=admin_user)

    assert report.ok
    assert (report.rows, report.created, report.updated) == (4, 4, 0)
    assert report.years == [2027]
    days = {row.day: row for row in CalendarDay.objects.all()}
    assert set(days) == {
        date(2027, 10, 1),
        date(2027, 10, 4),
        date(2027, 9, 26),
        date(2027, 10, 9),
    }
    assert days[date(2027, 9, 26)].is_workday
    assert days[date(2027, 9, 26)].name == "国庆节调休上班"
    assert not days[date(2027, 10, 1)].is_workday
    assert {row.source for row in days.values()} == {Source.IMPORT}
    assert {row.updated_by for row in days.values()} == {admin_user}
    assert calendar.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 5)


def test_an_import_overwrites_existing_entries_for_the_same_dates(admin_user):
    CalendarDay.objects.create(day=date(2027, 10, 1), is_workday=True, name="错误")

    report = import_calendar(GOOD.encode(), actor=admin_user)

    assert (report.created, report.updated) == (3, 1)
    entry = CalendarDay.objects.get(day=date(2027, 10, 1))
    assert (entry.is_workday, entry.name, entry.source) == (False, "国庆节", Source.IMPORT)


def test_complete_years_marks_the_years_of_the_file_complete(admin_user):
    report = import_calendar(GOOD.encode(), actor=admin_user, complete_years=True)

    assert report.completed_years == [2027]
    year = CalendarYear.objects.get(year=2027)
    assert year.complete
    assert year.updated_by == admin_user
    assert calendar.uncovered_years_ahead(60, today=date(2026, 11, 25)) == []


def test_bad_rows_are_each_reported_with_their_line_and_nothing_is_imported():
    data = (
        "date,is_workday,name\n"
        "2027-10-01,否,国庆节\n"
        "2027-02-30,否,春节\n"
        "\n"
        "2027-10-02,也许,国庆节\n"
        ",是,\n"
        "2027-10-01,否,国庆节重复\n"
        "1999-10-01,否,太早\n"
        f"2027-10-03,否,{'长' * 51}\n"
        "2027-10-04,,\n"
    ).encode()

    report = import_calendar(data, complete_years=True)

    assert not report.ok
    assert report.rows == 8
    lines = {error.line: " ".join(error.messages) for error in report.errors}
    assert sorted(lines) == [3, 5, 6, 7, 8, 9, 10]
    assert "2027-02-30" in lines[3]
    assert "也许" in lines[5]
    assert "required" in lines[6]
    assert "line 2" in lines[7]
    assert "2000" in lines[8]
    assert "50" in lines[9]
    assert "required" in lines[10]
    assert report.summary() == "7 of 8 rows have errors; nothing was imported."
    assert not CalendarDay.objects.exists()
    assert not CalendarYear.objects.exists()


def test_a_gb18030_csv_with_chinese_headers_from_excel_is_read():
    data = "日期,是否上班,名称\r\n2027-02-06,否,春节\r\n2027-02-20,是,春节调休上班\r\n".encode(
        "gb18030"
    )

    report = import_calendar(data)

    assert report.ok
    assert report.created == 2
    assert CalendarDay.objects.get(day=date(2027, 2, 6)).name == "春节"


def test_a_utf8_bom_and_a_missing_name_column_are_accepted():
    report = import_calendar("\ufeffdate,is_workday\n2027-01-01,否\n".encode())

    assert report.ok
    assert CalendarDay.objects.get(day=date(2027, 1, 1)).name == ""


def test_a_dry_run_checks_the_rows_and_imports_nothing():
    report = import_calendar(GOOD.encode(), dry_run=True)

    assert report.ok
    assert report.rows == 4
    assert "dry run" in report.summary()
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "import.no_header"),
        (b"2027-10-01,0,x\n", "import.no_header"),
        (b"date,is_workday,name\n", "import.no_rows"),
        (b"date,date,is_workday\n2027-10-01,2027-10-01,0\n", "import.duplicate_column"),
        (b"PK\x03\x04\x00\x00binary", "import.unreadable"),
        (b"date,is_workday\n\xff\xfe\xfd\xfc,0\n", "import.unreadable"),
    ],
)
def test_a_file_that_is_not_a_calendar_csv_is_refused(data, code):
    with pytest.raises(DomainError) as refused:
        import_calendar(data)

    assert refused.value.code == code
    assert not CalendarDay.objects.exists()


def test_more_rows_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr("hotline.workdays.imports.MAX_ROWS", 2)
    with pytest.raises(DomainError) as refused:
        import_calendar(GOOD.encode())
    assert refused.value.code == "import.too_many_rows"
    assert not CalendarDay.objects.exists()


def test_the_command_imports_a_good_file_and_marks_its_year_complete(tmp_path, capsys):
    path = tmp_path / "2027.csv"
    path.write_bytes(GOOD.encode("gb18030"))

    call_command("import_calendar", str(path), "--complete-years")

    assert CalendarDay.objects.count() == 4
    assert CalendarYear.objects.get(year=2027).complete
    assert "4 calendar days created" in capsys.readouterr().out


def test_the_command_prints_each_bad_line_and_exits_non_zero(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("date,is_workday,name\n2027-10-01,否,国庆节\n2027-13-01,否,错误\n")

    with pytest.raises(CommandError) as failed:
        call_command("import_calendar", str(path))

    assert failed.value.returncode == 2
    assert "Line 3:" in capsys.readouterr().err
    assert not CalendarDay.objects.exists()


def test_the_command_fails_on_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_calendar", str(tmp_path / "missing.csv"))
