"""The dashboard's periods and what each is compared with."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from hotline.core.errors import DomainError
from hotline.dashboard.periods import dashboard_period
from hotline.dashboard.selectors import build_tiles

D = datetime.date
TODAY = D(2025, 3, 14)


def test_this_month_runs_to_today_against_the_same_days_of_last_month():
    period = dashboard_period("month", today=TODAY)
    assert (period.start, period.end) == (D(2025, 3, 1), D(2025, 3, 14))
    assert (period.previous_start, period.previous_end) == (D(2025, 2, 1), D(2025, 2, 14))
    assert period.trend_by == "day"
    assert period.last_read == D(2025, 3, 31)  # read whole: the days to come have no figures


def test_this_month_on_the_31st_is_compared_with_the_whole_of_a_shorter_month():
    period = dashboard_period("month", today=D(2025, 3, 31))
    assert (period.previous_start, period.previous_end) == (D(2025, 2, 1), D(2025, 2, 28))


def test_last_month_is_whole_and_compared_with_the_month_before():
    period = dashboard_period("last_month", today=D(2025, 1, 20))
    assert (period.start, period.end) == (D(2024, 12, 1), D(2024, 12, 31))
    assert (period.previous_start, period.previous_end) == (D(2024, 11, 1), D(2024, 11, 30))
    assert period.last_read == period.end


def test_this_year_runs_to_today_against_the_same_days_of_last_year_drawn_per_month():
    period = dashboard_period("year", today=TODAY)
    assert (period.start, period.end) == (D(2025, 1, 1), TODAY)
    assert (period.previous_start, period.previous_end) == (D(2024, 1, 1), D(2024, 3, 14))
    assert period.trend_by == "month"
    assert period.last_read == D(2025, 12, 31)


def test_this_year_on_29_february_is_compared_up_to_28_february():
    period = dashboard_period("year", today=D(2024, 2, 29))
    assert period.previous_end == D(2023, 2, 28)


def test_a_custom_range_is_compared_with_as_many_days_just_before():
    period = dashboard_period("custom", today=TODAY, start=D(2025, 3, 3), end=D(2025, 3, 14))
    assert period.days == 12
    assert (period.previous_start, period.previous_end) == (D(2025, 2, 19), D(2025, 3, 2))
    assert period.last_read == D(2025, 3, 31)  # it reaches today: read to the month's end


def test_a_custom_range_in_the_past_is_read_as_it_is():
    period = dashboard_period("custom", today=TODAY, start=D(2024, 5, 3), end=D(2024, 8, 14))
    assert period.last_read == D(2024, 8, 14)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (None, D(2025, 3, 1), "start"),
        (D(2025, 3, 1), None, "end"),
        (D(2025, 3, 9), D(2025, 3, 1), "end"),
    ],
)
def test_a_custom_range_needs_both_days_in_order(start, end, field):
    with pytest.raises(DomainError) as refused:
        dashboard_period("custom", today=TODAY, start=start, end=end)
    assert refused.value.code == "dashboard.invalid_period"
    assert field in refused.value.fields


def test_an_unknown_period_is_refused():
    with pytest.raises(DomainError):
        dashboard_period("decade", today=TODAY)


def _counts(**values: int) -> dict[str, int]:
    from hotline.analytics.models import COUNTERS

    return {name: values.get(name, 0) for name in COUNTERS}


def test_the_tiles_say_which_way_each_figure_moved_and_whether_that_is_good():
    now = _counts(
        received=120,
        people=130,
        dispatched=10,
        acknowledged_on_time=9,
        returned=2,
        resolved=4,
        handling_days=20,
    )
    before = _counts(
        received=100,
        people=5,
        dispatched=10,
        acknowledged_on_time=8,
        returned=1,
        resolved=4,
        handling_days=12,
    )
    with translation.override("en"):
        tiles = {tile.key: tile for tile in build_tiles(now, before)}
    assert tiles["received"].change.display == "+20 (+20.0%)"
    assert tiles["received"].change.tone == "neutral"
    assert tiles["people"].change.display == "+125"  # a tiny previous count: no percentage
    assert tiles["ack_on_time"].display == "90.0%"
    assert tiles["ack_on_time"].change.direction == "up"
    assert tiles["ack_on_time"].change.tone == "better"
    assert tiles["return_rate"].change.tone == "worse"  # more returns is worse
    assert tiles["handling_days"].change.direction == "up"
    assert tiles["handling_days"].change.tone == "worse"  # slower is worse
    assert tiles["satisfaction"].change is None  # nothing rated in either period
    assert tiles["satisfaction"].display == "—"


def test_an_unchanged_rate_is_flat():
    counts = _counts(dispatched=10, acknowledged_on_time=5)
    tile = next(tile for tile in build_tiles(counts, counts) if tile.key == "ack_on_time")
    assert tile.change.direction == "flat"
