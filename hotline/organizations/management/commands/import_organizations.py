"""``manage.py import_organizations FILE [--dry-run]``: import grassroots unions, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError
from hotline.organizations.imports import import_organizations


class Command(BaseCommand):
    help = (
        "Import grassroots unions from a CSV (UTF-8 or GB18030) or .xlsx file. If any row is bad, "
        "every bad line is printed and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file only, import nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_organizations(options["file"], dry_run=options["dry_run"])
        except (DomainError, OSError) as refused:
            raise CommandError(str(refused)) from None
        if report.ignored_columns:
            self.stderr.write(
                _("Columns ignored: %(columns)s") % {"columns": "、".join(report.ignored_columns)}
            )
        for error in report.errors:
            self.stderr.write(
                _("Line %(line)d: %(problems)s")
                % {"line": error.line, "problems": " ".join(error.messages)}
            )
        if not report.ok:
            raise CommandError(report.summary(), returncode=2)
        self.stdout.write(report.summary())
