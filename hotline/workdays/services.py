"""Every write to the working-day calendar: single days, imported days and complete years.

Each write tells ``calendar`` to forget its cached years, at once and again after the commit (a
question asked by another thread before the commit would otherwise cache the old rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError

from . import calendar
from .models import FIRST_YEAR, LAST_YEAR, CalendarDay, CalendarYear, Source

if TYPE_CHECKING:
    from hotline.accounts.models import User

NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length
NOTE_MAX_LENGTH = CalendarYear._meta.get_field("note").max_length


@dataclass(frozen=True)
class DayEntry:
    """One date's status, as an import supplies it."""

    day: date
    is_workday: bool
    name: str = ""


def save_day(calendar_day: CalendarDay, *, actor: User | None) -> CalendarDay:
    """Save a new or changed calendar day entered in the admin."""
    calendar_day.name = calendar_day.name.strip()
    _check_day(calendar_day.day, calendar_day.name)
    duplicate = CalendarDay.objects.filter(day=calendar_day.day).exclude(pk=calendar_day.pk)
    with transaction.atomic():
        if duplicate.exists():
            raise DomainError(
                "calendar_day.duplicate",
                _("%(day)s already has a calendar entry.") % {"day": calendar_day.day},
                fields={"day": _("This date already has an entry.")},
            )
        calendar_day.source = Source.ADMIN
        calendar_day.updated_by = actor
        calendar_day.save()
        _changed()
    return calendar_day


def import_days(
    entries: Sequence[DayEntry], *, actor: User | None, complete_years: bool = False
) -> tuple[int, int]:
    """Create or overwrite a calendar day for each entry, all in one transaction.

    With ``complete_years`` the years of the entries are then marked complete: the file held
    their whole official schedule. Returns how many days were created and how many updated.
    """
    for entry in entries:
        _check_day(entry.day, entry.name)
    days = [entry.day for entry in entries]
    if len(set(days)) != len(days):
        raise DomainError("calendar_day.duplicate", _("A date appears more than once."))
    created = updated = 0
    with transaction.atomic():
        existing = {
            row.day: row for row in CalendarDay.objects.select_for_update().filter(day__in=days)
        }
        new_rows = []
        for entry in entries:
            row = existing.get(entry.day)
            if row is None:
                new_rows.append(
                    CalendarDay(
                        day=entry.day,
                        is_workday=entry.is_workday,
                        name=entry.name.strip(),
                        source=Source.IMPORT,
                        updated_by=actor,
                    )
                )
                continue
            row.is_workday = entry.is_workday
            row.name = entry.name.strip()
            row.source = Source.IMPORT
            row.updated_by = actor
            row.save()
            updated += 1
        CalendarDay.objects.bulk_create(new_rows)
        created = len(new_rows)
        if complete_years:
            for year in sorted({day.year for day in days}):
                _mark_year(year, complete=True, note=None, actor=actor)
        _changed()
    return created, updated


def delete_days(calendar_days: Iterable[CalendarDay], *, actor: User | None) -> int:
    """Delete calendar days; their dates go back to the package or to Monday-Friday."""
    ids = [row.pk for row in calendar_days]
    with transaction.atomic():
        deleted, _by_model = CalendarDay.objects.filter(pk__in=ids).delete()
        _changed()
    return deleted


def set_year(*, year: int, complete: bool, note: str = "", actor: User | None) -> CalendarYear:
    """Record whether ``year``'s official schedule has been entered in full.

    A year cannot be marked complete before any of its days is entered: every official schedule
    has holidays, so an empty year marked complete would only hide the warning.
    """
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise DomainError(
            "calendar_year.note_too_long",
            _("The note is longer than %(max)d characters.") % {"max": NOTE_MAX_LENGTH},
            fields={"note": _("Too long.")},
        )
    with transaction.atomic():
        calendar_year = _mark_year(year, complete=complete, note=note, actor=actor)
        _changed()
    return calendar_year


def delete_years(calendar_years: Iterable[CalendarYear], *, actor: User | None) -> int:
    """Delete year rows: those years are no longer vouched for (their calendar days stay)."""
    ids = [row.pk for row in calendar_years]
    with transaction.atomic():
        deleted, _by_model = CalendarYear.objects.filter(pk__in=ids).delete()
        _changed()
    return deleted


def check_year(year: int, *, complete: bool) -> None:
    """Raise ``DomainError`` unless ``year`` may be recorded so (the admin form asks too)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(
            "calendar_year.out_of_range",
            _("The year must lie between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            fields={"year": _("Out of range.")},
        )
    if complete and not CalendarDay.objects.filter(day__year=year).exists():
        raise DomainError(
            "calendar_year.empty",
            _(
                "%(year)d has no calendar days yet: enter its holidays and make-up working days "
                "before marking it complete."
            )
            % {"year": year},
            fields={"complete": _("No calendar days in this year.")},
        )


def _mark_year(year: int, *, complete: bool, note: str | None, actor: User | None) -> CalendarYear:
    check_year(year, complete=complete)
    calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
    calendar_year.complete = complete
    if note is not None:
        calendar_year.note = note
    calendar_year.updated_by = actor
    calendar_year.save()
    return calendar_year


def _check_day(day: date, name: str) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(
            "calendar_day.out_of_range",
            _("The date must lie between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            fields={"day": _("Out of range.")},
        )
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            "calendar_day.name_too_long",
            _("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH},
            fields={"name": _("Too long.")},
        )


def _changed() -> None:
    calendar.invalidate()
    transaction.on_commit(calendar.invalidate)
