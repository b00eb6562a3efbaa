"""``manage.py import_calendar FILE [--complete-years] [--dry-run]``: import calendar days."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError
from hotline.workdays.imports import import_calendar


class Command(BaseCommand):
    help = (
        "Import holidays and make-up working days from a CSV file (date,is_workday,name; UTF-8 "
        "or GB18030). If any row is bad, every bad line is printed and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .csv file")
        parser.add_argument(
            "--complete-years",
            action="store_true",
            help="the file holds the whole official schedule of its years: mark them complete",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file only, import nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_calendar(
                options["file"],
                complete_years=options["complete_years"],
                dry_run=options["dry_run"],
            )
        except (DomainError, OSError) as refused:
            raise CommandError(str(refused)) from None
        for error in report.errors:
            self.stderr.write(
                _("Line %(line)d: %(problems)s")
                % {"line": error.line, "problems": " ".join(error.messages)}
            )
        if not report.ok:
            raise CommandError(report.summary(), returncode=2)
        self.stdout.write(report.summary())
