"""The date of the Spring Festival (春节, the first day of the first lunar month), by year.

``chinesecalendar`` names the statutory Spring Festival holiday but not the festival's own day
(the holiday may start on New Year's Eve), and it only knows the years the State Council has
published. The festival itself is fixed by the lunar calendar, so its dates are a table here,
2000-2060; the tests check every entry against ``chinesecalendar``'s holidays for the years that
package knows.
"""

from __future__ import annotations

import datetime

_DATES = """
2000-02-05 2001-01-24 2002-02-12 2003-02-01 2004-01-22 2005-02-09 2006-01-29 2007-02-18
2008-02-07 2009-01-26 2010-02-14 2011-02-03 2012-01-23 2013-02-10 2014-01-31 2015-02-19
2016-02-08 2017-01-28 2018-02-16 2019-02-05 2020-01-25 2021-02-12 2022-02-01 2023-01-22
2024-02-10 2025-01-29 2026-02-17 2027-02-06 2028-01-26 2029-02-13 2030-02-03 2031-01-23
2032-02-11 2033-01-31 2034-02-19 2035-02-08 2036-01-28 2037-02-15 2038-02-04 2039-01-24
2040-02-12 2041-02-01 2042-01-22 2043-02-10 2044-01-30 2045-02-17 2046-02-06 2047-01-26
2048-02-14 2049-02-02 2050-01-23 2051-02-11 2052-02-01 2053-02-19 2054-02-08 2055-01-28
2056-02-15 2057-02-04 2058-01-24 2059-02-12 2060-02-02
"""

SPRING_FESTIVALS: dict[int, datetime.date] = {
    day.year: day for day in (datetime.date.fromisoformat(text) for text in _DATES.split())
}


def spring_festival(year: int) -> datetime.date | None:
    """The Spring Festival of ``year``; None outside the table."""
    return SPRING_FESTIVALS.get(year)


def next_spring_festival(day: datetime.date) -> datetime.date | None:
    """The first Spring Festival after ``day`` (``day`` itself excluded); None past the table."""
    for year in (day.year, day.year + 1):
        festival = spring_festival(year)
        if festival is not None and festival > day:
            return festival
    return None
