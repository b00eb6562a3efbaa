"""The daily check that the working-day calendar knows the coming weeks."""

from __future__ import annotations

import logging
from datetime import time, timedelta

from django_tasks import task

from hotline.jobs.periodic import periodic

from . import calendar

logger = logging.getLogger("hotline.workdays")


@periodic(every=timedelta(days=1), at=time(6, 0))
@task()
def warn_uncovered_calendar_years() -> list[int]:
    """Log a warning when the next 60 days reach a year neither the package nor the table knows.

    Deadlines in such a year count Monday to Friday only until an administrator enters the
    State Council's holidays for it. Returns the years, so the task result shows them too.
    """
    years = calendar.uncovered_years_ahead()
    if years:
        logger.warning(
            "The next %d days reach %s, for which the working-day calendar has no official "
            "holidays: deadlines there count Monday to Friday only. Enter the year's holidays "
            "and make-up working days in the admin (工作日历) and mark the year complete.",
            calendar.WARNING_DAYS,
            ", ".join(str(year) for year in years),
        )
    return years
