"""Check the hash chain of every case's history: edited, deleted or missing events."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.cases.events import verify_all
from hotline.cases.models import Case


class Command(BaseCommand):
    help = "Verify the event chains of all cases (or one); exit non-zero if any is broken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--number", help="Check only the case with this number.")
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Cases read per query (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        number = options["number"]
        if number is not None and not Case.objects.filter(number=number).exists():
            raise CommandError(f"No case {number}.")
        problems = 0
        for problem in verify_all(number=number, batch_size=options["batch_size"]):
            problems += 1
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{problems} problem(s) found in the case history.")
        self.stdout.write(self.style.SUCCESS("Every case history is intact."))
