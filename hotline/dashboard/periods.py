"""The dashboard's periods and what each is compared with.

A leader looks at this month so far, last month, this year so far, or a range of their own. Each
tile compares the period with the one before it, over the same number of days so that a month
seven days old is not set against a whole month:

| period | days | compared with |
|---|---|---|
| ``month`` | the 1st of this month to today | the same days of last month |
| ``last_month`` | the whole of last month | the whole month before |
| ``year`` | 1 January to today | the same days of last year |
| ``custom`` | ``start`` to ``end`` | as many days just before ``start`` |

Days are local (Asia/Shanghai) and both ends are included, as in ``hotline.analytics.kpis``.

This month and this year are *read* as the whole calendar month or year (``read_end``), and a
custom range that reaches today to the end of its last month: the days after today have no
figures yet, so the numbers are the same, and a whole month or year is one rollup row per unit
where its first days alone would be read from the daily rows (see docs/benchmarks.md, "The
dashboard at 1,000,000 cases").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.analytics.rollups import month_start, next_month
from hotline.core.errors import DomainError

PERIOD_CHOICES = (
    ("month", gettext_lazy("This month")),
    ("last_month", gettext_lazy("Last month")),
    ("year", gettext_lazy("This year")),
    ("custom", gettext_lazy("Custom range")),
)
PERIOD_KINDS = tuple(kind for kind, _label in PERIOD_CHOICES)
# A trend longer than this many days is drawn per month instead of per day.
DAILY_TREND_DAYS = 62
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """The days looked at (``start`` to ``end``) and the days they are compared with."""

    kind: str
    start: datetime.date
    end: datetime.date
    previous_start: datetime.date
    previous_end: datetime.date
    read_end: datetime.date | None = None  # the last day read, when later than ``end``

    @property
    def last_read(self) -> datetime.date:
        return self.read_end or self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def trend_by(self) -> str:
        """``"day"`` for up to about two months, ``"month"`` beyond."""
        return "day" if self.days <= DAILY_TREND_DAYS else "month"

    @property
    def compared_with(self) -> str:
        """What the changes on the tiles are measured against, in words."""
        if self.kind == "month":
            return _("the same days of last month")
        if self.kind == "last_month":
            return _("the month before")
        if self.kind == "year":
            return _("the same days of last year")
        return _("the %(days)d days before") % {"days": self.days}


def _same_day_in(month: datetime.date, day: int) -> datetime.date:
    """Day ``day`` of ``month``, or its last day when the month is shorter."""
    last = next_month(month) - ONE_DAY
    return month.replace(day=min(day, last.day))


def _year_earlier(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def dashboard_period(
    kind: str,
    *,
    today: datetime.date,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Period:
    """The period ``kind`` seen from ``today`` (``start`` and ``end`` for ``"custom"``); a
    custom range without both days, or ending before it starts, is refused."""
    if kind == "month":
        first = month_start(today)
        previous = month_start(first - ONE_DAY)
        return Period(
            kind,
            first,
            today,
            previous,
            _same_day_in(previous, today.day),
            read_end=next_month(first) - ONE_DAY,
        )
    if kind == "last_month":
        first = month_start(month_start(today) - ONE_DAY)
        before = month_start(first - ONE_DAY)
        return Period(kind, first, next_month(first) - ONE_DAY, before, first - ONE_DAY)
    if kind == "year":
        first = datetime.date(today.year, 1, 1)
        return Period(
            kind,
            first,
            today,
            first.replace(year=today.year - 1),
            _year_earlier(today),
            read_end=datetime.date(today.year, 12, 31),
        )
    if kind != "custom":
        raise DomainError(
            "dashboard.invalid_period",
            _("The period is not valid."),
            fields={"period": _("This month, last month, this year or a range of days.")},
        )
    missing = {
        name: _("Give the first and the last day.")
        for name, value in (("start", start), ("end", end))
        if value is None
    }
    if missing:
        raise DomainError("dashboard.invalid_period", _("The period is not valid."), fields=missing)
    assert start is not None and end is not None
    if start > end:
        raise DomainError(
            "dashboard.invalid_period",
            _("The period is not valid."),
            fields={"end": _("The end comes before the start.")},
        )
    length = end - start + ONE_DAY
    # A range that reaches today is read to the end of its last month, like this month.
    read_end = next_month(month_start(end)) - ONE_DAY if end >= today else None
    return Period(kind, start, end, start - length, start - ONE_DAY, read_end=read_end)
