"""``manage.py rebuild_analytics [--from DATE] [--to DATE]``: recompute the figures of a range."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.analytics.refresh import rebuild


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as bad:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from bad


class Command(BaseCommand):
    help = (
        "Recompute the daily figures (and their month and year rollups) from the cases and their "
        "events, for the local days from --from to --to; without either, the whole history. "
        "Safe to run at any time: readers see the old figures until it ends."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", type=_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", type=_date, help="last day, YYYY-MM-DD")

    def handle(
        self, *args: Any, first: datetime.date | None, last: datetime.date | None, **options: Any
    ) -> None:
        if first and last and first > last:
            raise CommandError("--from comes after --to.")
        started = time.perf_counter()
        verbose = options["verbosity"] > 1
        result = rebuild(first, last, progress=self.stdout.write if verbose else None)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{str(result).capitalize()} in {elapsed:.1f} s.")
