"""``manage.py recompute_deadlines``: apply a change of the working-day calendar to open cases.

Calendar changes never move deadlines already set by themselves; this command does, on demand,
and records a ``deadline_moved`` event on every case it moves (see ``services.recompute``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.cases.services import recompute_deadlines
from hotline.cases.services.recompute import local_text


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}) from error


class Command(BaseCommand):
    help = (
        "Count the deadlines of open cases again on the current working-day calendar; move "
        "those that differ, with an event on each case. Run it after entering holidays or "
        "make-up working days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list what would move; change nothing."
        )
        parser.add_argument(
            "--since",
            type=_date,
            help="Only cases with a deadline on or after this date (YYYY-MM-DD), e.g. the first "
            "date the calendar change touched.",
        )
        parser.add_argument(
            "--user", help="Username recorded as the actor of the events (default: the system)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(
                    _("No active user %(username)s.") % {"username": options["user"]}
                )
        report = recompute_deadlines(
            actor=actor, dry_run=options["dry_run"], since=options["since"]
        )
        for moved in report.moved:
            changes = []
            if moved.new_deadline != moved.old_deadline:
                changes.append(
                    f"{local_text(moved.old_deadline)} → {local_text(moved.new_deadline)}"
                )
            if moved.completion_moved and moved.new_completion != moved.new_deadline:
                changes.append(
                    _("completion deadline %(old)s → %(new)s")
                    % {
                        "old": local_text(moved.old_completion),
                        "new": local_text(moved.new_completion),
                    }
                )
            self.stdout.write(f"{moved.number}: {'; '.join(changes)}")
        self.stdout.write(report.summary())
