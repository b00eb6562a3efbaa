"""The aggregates equal a recomputation from the cases: the same KPI functions, read from the
aggregates kept up to date by the periodic refresh, and recomputed by walking the cases
(``source="raw"``), over the story's cases at every step."""

from __future__ import annotations

import datetime
import io
import itertools

import pytest
from django.core.management import CommandError, call_command

from hotline.analytics import refresh as refreshing
from hotline.analytics.kpis import (
    RAW,
    KpiFilters,
    case_volume,
    kpi_breakdown,
    kpis,
    periods,
    totals,
    unit_ranking,
)
from hotline.analytics.models import AggregateState, DailyCaseStat, StatRollup
from hotline.analytics.tasks import refresh_figures, refresh_recent_figures
from hotline.cases import services
from hotline.cases.models import Case, CaseEvent
from hotline.cases.states import Rating
from hotline.jobs.periodic import registry
from hotline.notifications.models import Notification, OutboxMessage
from hotline.organizations.scoping import visible_divisions

from .conftest import MARCH, SHANGHAI, _intake, at, play_story

pytestmark = pytest.mark.django_db

FILTERS = [
    {},
    {"category": "01"},
    {"category": "0201"},
    {"kind": "complaint"},
    {"channel": "wechat"},
    {"division": "630100"},
    {"division": "632801"},
    {"category": "03", "kind": "help"},
    {"kind": "consultation", "channel": "web", "division": "630000"},
]
PERIODS = [
    MARCH,
    (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),  # a whole year: the rollups
    (datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)),  # a whole month
    (datetime.date(2025, 2, 20), datetime.date(2025, 3, 5)),  # loose days
    (datetime.date(2025, 3, 12), datetime.date(2025, 3, 12)),
]


def _same_everywhere(user, unit=None) -> None:
    for period, extra in itertools.product(PERIODS, FILTERS):
        filters = KpiFilters(*period, unit=unit, **extra)
        if extra.get("division") and not visible_divisions(user).filter(code=extra["division"]):
            continue  # refused for both: test_kpis
        assert totals(user, filters) == totals(user, filters, source=RAW), (period, extra)


def test_the_aggregates_equal_a_recomputation_after_every_refresh(people, tree, clock):
    def after(day: int) -> None:
        refresh_figures.enqueue()  # the periodic job, run at once by the test task backend
        filters = KpiFilters(*MARCH)
        leader = people.province_leader
        assert totals(leader, filters) == totals(leader, filters, source=RAW), day
        assert totals(people.xining_leader, filters) == totals(
            people.xining_leader, filters, source=RAW
        )

    play_story(people, tree, clock, after_day=after)
    clock.set(at(14, 21))
    refresh_figures.enqueue()
    for user in (people.province_leader, people.xining_leader, people.chengdong_leader):
        _same_everywhere(user)
    _same_everywhere(people.province_leader, unit=tree.chengzhong.pk)
    _same_everywhere(people.province_leader, unit=tree.haixi.pk)


def test_breakdowns_rankings_and_volumes_equal_a_recomputation(story, people, tree):
    refreshing.rebuild()
    leader = people.province_leader
    for period, extra in itertools.product(PERIODS[:4], FILTERS[:6]):
        filters = KpiFilters(*period, **extra)
        for by in ("unit", "category", "kind", "channel", "division", "day", "week", "month"):
            assert kpi_breakdown(leader, filters, by) == kpi_breakdown(
                leader, filters, by, source=RAW
            ), (period, extra, by)
        for by in ("day", "month", "category", "prefecture", "county", "employer"):
            assert case_volume(leader, filters, by) == case_volume(
                leader, filters, by, source=RAW
            ), (period, extra, by)
        assert unit_ranking(leader, filters, level="county") == unit_ranking(
            leader, filters, level="county", source=RAW
        )


def _april_requests(people, tree, clock) -> None:
    """After the story, on Wednesday 2 April: three requests about 格尔木某盐化公司 (two workers
    each) handed to Golmud, and one about 城中某商贸公司 left with the province."""
    moment = datetime.datetime(2025, 4, 2, 9, tzinfo=SHANGHAI)
    for number in range(3):
        clock.set(moment + datetime.timedelta(minutes=10 * number))
        case, _created = services.register_case(
            **_intake(
                actor=people.agent,
                phone=f"1389711003{number}",
                employer_name="格尔木某盐化公司",
                workplace_division="632801",
                people_involved=2,
            ),
            accept=True,
        )
        services.dispatch(case, actor=people.agent, to=tree.golmud)
    clock.set(moment + datetime.timedelta(hours=1))
    services.register_case(
        **_intake(phone="13897110040", employer_name="城中某商贸公司", workplace_division="630103")
    )
    clock.set(moment + datetime.timedelta(hours=11))


MIXED_PERIODS = [
    (datetime.date(2025, 3, 1), datetime.date(2025, 4, 5)),  # March's rollup, then April's days
    (datetime.date(2025, 2, 20), datetime.date(2025, 4, 5)),  # days, a month, days
    (datetime.date(2025, 1, 1), datetime.date(2025, 4, 2)),  # three months, then days
    (datetime.date(2025, 3, 3), datetime.date(2025, 4, 2)),  # loose days of two months
]


def test_hot_employers_of_whole_months_and_loose_days_equal_a_recomputation(
    story, people, tree, clock
):
    _april_requests(people, tree, clock)
    refreshing.rebuild()
    for period, extra in itertools.product(MIXED_PERIODS, FILTERS[:6]):
        for user in (people.province_leader, people.xining_leader, people.haixi_leader):
            if extra.get("division") and not visible_divisions(user).filter(code=extra["division"]):
                continue  # refused for both: test_kpis
            filters = KpiFilters(*period, **extra)
            for limit in (1, 2, 10):
                assert case_volume(user, filters, "employer", limit=limit) == case_volume(
                    user, filters, "employer", limit=limit, source=RAW
                ), (period, extra, user.username, limit)


def test_hot_employers_add_the_loose_days_to_the_months_in_one_query(
    story, people, tree, clock, django_assert_num_queries
):
    _april_requests(people, tree, clock)
    refreshing.rebuild()
    leader, period = people.province_leader, (datetime.date(2025, 3, 1), datetime.date(2025, 4, 5))
    haixi = case_volume(leader, KpiFilters(*period, unit=tree.haixi.pk), "employer")
    assert [(row.label, row.cases) for row in haixi] == [("格尔木某盐化公司", 5)]
    with django_assert_num_queries(1):  # the user's roles are read by now
        rows = case_volume(leader, KpiFilters(*period), "employer", limit=2)
    # March: E and I (one worker each), C and H; April: three of two workers, and one.
    assert [(row.label, row.cases, row.people) for row in rows] == [
        ("格尔木某盐化公司", 5, 8),
        ("城中某商贸公司", 3, 3),
    ]


def test_figures_wait_for_the_refresh_then_catch_up(story, people, clock):
    refreshing.rebuild()
    leader, filters = people.province_leader, KpiFilters(*MARCH)
    before = {kpi.key: kpi for kpi in kpis(leader, filters)}
    # D's resolution (10 March) is followed up a week later, on the 17th.
    clock.set(at(17, 9))
    services.follow_up(story.cases["D"], actor=people.agent, rating=Rating.SATISFIED, solved=True)
    unchanged = {kpi.key: kpi for kpi in kpis(leader, filters)}
    assert unchanged == before
    assert totals(leader, filters) != totals(leader, filters, source=RAW)
    clock.set(at(17, 9, 5))
    result = refreshing.refresh()
    # D's days: received and handed over on the 4th, handed over and replied on... its
    # events fall on the 4th, 6th, 10th and 17th.
    assert result.days == 4
    after = {kpi.key: kpi for kpi in kpis(leader, filters)}
    assert (after["follow_up"].numerator, after["follow_up"].denominator) == (5, 5)
    assert after["satisfaction"].denominator == 4 + 1
    assert totals(leader, filters) == totals(leader, filters, source=RAW)


def test_a_refresh_with_nothing_new_changes_nothing(story, people, clock):
    refreshing.rebuild()
    rows = list(DailyCaseStat.objects.order_by("pk").values())
    rollups = StatRollup.objects.count()
    clock.set(at(20, 9))
    result = refreshing.refresh()
    assert result.days == 0
    assert list(DailyCaseStat.objects.order_by("pk").values()) == rows
    assert StatRollup.objects.count() == rollups
    assert AggregateState.objects.get().refreshed_at == at(20, 9)


def test_a_rebuild_of_a_range_gives_the_same_figures(story, people):
    refreshing.rebuild()
    leader, filters = people.province_leader, KpiFilters(*MARCH)
    whole = kpi_breakdown(leader, filters, "day")
    result = refreshing.rebuild(datetime.date(2025, 3, 5), datetime.date(2025, 3, 11))
    assert result.days == 7
    assert kpi_breakdown(leader, filters, "day") == whole


def test_the_nightly_job_recomputes_what_the_last_two_days_touched(story, people, clock):
    refreshing.rebuild()
    # Rows wiped behind the refresh's back (as if a refresh had been lost).
    DailyCaseStat.objects.filter(day=datetime.date(2025, 3, 3)).delete()
    StatRollup.objects.filter(grain="d", period=datetime.date(2025, 3, 3)).delete()
    leader, monday = people.province_leader, KpiFilters(MARCH[0], MARCH[0])
    assert totals(leader, monday)["received"] == 0
    clock.set(at(15, 2, 30))
    refresh_recent_figures.enqueue()
    # C was followed up on the 14th: its days, the 3rd among them, are recomputed.
    assert totals(leader, monday) == totals(leader, monday, source=RAW)
    assert totals(leader, monday)["received"] == 3


def test_the_first_refresh_builds_the_whole_history(story, people):
    assert AggregateState.objects.filter(refreshed_at__isnull=False).count() == 0
    result = refreshing.refresh()
    assert result.full
    assert totals(people.province_leader, KpiFilters(*MARCH))["received"] == 8


def test_the_refreshes_are_periodic_jobs():
    assert "hotline.analytics.tasks.refresh_figures" in registry
    assert registry.get("hotline.analytics.tasks.refresh_figures").every == datetime.timedelta(
        minutes=5
    )
    assert "hotline.analytics.tasks.refresh_recent_figures" in registry


def test_the_rebuild_command_recomputes_a_range_and_refuses_a_bad_one(story, people):
    out = io.StringIO()
    call_command("rebuild_analytics", "--from", "2025-03-03", "--to", "2025-03-14", stdout=out)
    assert "12 day(s)" in out.getvalue()
    filters = KpiFilters(*MARCH)
    assert totals(people.province_leader, filters) == totals(
        people.province_leader, filters, source=RAW
    )
    with pytest.raises(CommandError):
        call_command("rebuild_analytics", "--from", "2025-03-14", "--to", "2025-03-03")
    with pytest.raises(CommandError):
        call_command("rebuild_analytics", "--from", "14/03/2025")


def test_the_nightly_job_also_heals_a_case_deleted_behind_the_services(story, people, clock):
    # The platform never deletes a case; a benchmark that removes the cases it made does, and no
    # event tells the refresh. The nightly job recomputes the last two days whatever happened.
    refreshing.rebuild()
    wednesday = datetime.date(2025, 3, 5)
    leader, filters = people.province_leader, KpiFilters(wednesday, wednesday)
    assert totals(leader, filters)["received"] == 2  # E and F
    declined = story.cases["F"]
    OutboxMessage.objects.filter(case=declined).delete()
    Notification.objects.filter(case=declined).delete()
    CaseEvent.objects.filter(case=declined).delete()
    Case.objects.filter(pk=declined.pk).delete()
    refreshing.refresh()
    assert totals(leader, filters)["received"] == 2
    clock.set(at(7, 2, 30))  # the night two days later
    refresh_recent_figures.enqueue()
    assert totals(leader, filters)["received"] == 1
    assert totals(leader, filters) == totals(leader, filters, source=RAW)


def test_the_refresh_moves_the_rollups_and_sums_them_again_when_they_drifted(
    story, people, tree, clock
):
    refreshing.rebuild()
    leader, march = people.province_leader, KpiFilters(*periods("month", MARCH[0]))
    rollups = StatRollup.objects.count()
    # H, in progress at 城中区, goes to 城东区: its request moves from one unit to the other.
    clock.set(at(17, 9))
    services.reassign(story.cases["H"], actor=people.agent, to=tree.chengdong, reason="属城东区")
    clock.set(at(17, 9, 5))
    refreshing.refresh()
    assert totals(leader, march) == totals(leader, march, source=RAW)
    assert kpi_breakdown(leader, march, "unit") == kpi_breakdown(leader, march, "unit", source=RAW)
    assert abs(StatRollup.objects.count() - rollups) < 20  # moved, not rewritten
    # Rows lost behind the refresh's back: the next refresh that needs them sums all again.
    StatRollup.objects.filter(grain="m", period=march.start).delete()
    clock.set(at(17, 10))
    services.reassign(story.cases["H"], actor=people.agent, to=tree.chengzhong, reason="属城中区")
    clock.set(at(17, 10, 5))
    refreshing.refresh()
    for by in ("unit", "kind", "category"):
        assert kpi_breakdown(leader, march, by) == kpi_breakdown(leader, march, by, source=RAW)
