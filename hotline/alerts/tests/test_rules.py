"""The three rules: each fires at its threshold and not below it, fires once per subject, joins
new cases to the open alert, and fires again after acknowledgement only as documented."""

from __future__ import annotations

import datetime

import pytest
from chinese_calendar import get_holiday_detail

from hotline.alerts import services
from hotline.alerts.festival import SPRING_FESTIVALS, next_spring_festival, spring_festival
from hotline.alerts.models import AlertAction, AlertStatus, RiskAlert, Rule
from hotline.alerts.rules import season_on
from hotline.cases import services as case_services
from hotline.cases.states import Kind
from hotline.notifications.models import OutboxMessage

from .conftest import CREDIT_A, CREDIT_B, shanghai

# --- rule 2: many people -----------------------------------------------------------------------


def test_a_request_for_ten_workers_fires_a_many_people_alert_for_its_county(
    make_case, evaluate, tree
):
    case = make_case(people_involved=10)
    (alert,) = evaluate(case)
    assert alert.rule == Rule.MANY_PEOPLE
    assert alert.status == AlertStatus.OPEN
    assert alert.organization == tree.chengdong  # the workplace's county federation
    assert list(alert.cases.all()) == [case]
    assert (alert.case_count, alert.people_involved) == (1, 10)
    assert alert.facts["people"] == 10
    assert [event.action for event in alert.events.all()] == [AlertAction.FIRED]


def test_a_request_for_nine_workers_fires_nothing(make_case, evaluate):
    assert evaluate(make_case(people_involved=9)) == []
    assert not RiskAlert.objects.exists()


@pytest.mark.parametrize(
    ("kind", "category"),
    [(Kind.MEMBERSHIP, "0901"), (Kind.HELP, "1001"), (Kind.SUGGESTION, "1201")],
)
def test_requests_that_are_no_dispute_fire_nothing_whatever_their_size(
    make_case, evaluate, kind, category
):
    case = make_case(people_involved=30, kind=kind, category=category)
    assert evaluate(case) == []


def test_a_consultation_for_many_workers_is_a_risk(make_case, evaluate):
    case = make_case(people_involved=30, kind=Kind.CONSULTATION, category="1101")
    assert [alert.rule for alert in evaluate(case)] == [Rule.MANY_PEOPLE]


def test_the_threshold_is_read_from_the_rule_settings(make_case, evaluate, rule_settings):
    settings = rule_settings(Rule.MANY_PEOPLE)
    settings.min_people = 5
    settings.save()
    assert [alert.rule for alert in evaluate(make_case(people_involved=5))] == [Rule.MANY_PEOPLE]


def test_a_rule_switched_off_fires_nothing(make_case, evaluate, rule_settings):
    settings = rule_settings(Rule.MANY_PEOPLE)
    settings.is_active = False
    settings.save()
    assert evaluate(make_case(people_involved=50)) == []


def test_evaluating_a_case_twice_fires_once(make_case, evaluate):
    case = make_case(people_involved=12)
    evaluate(case)
    assert evaluate(case) == []
    assert RiskAlert.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="risk_alert").count() == 2  # county + prefecture


def test_an_acknowledged_many_people_alert_does_not_fire_again(make_case, evaluate, people):
    case = make_case(people_involved=12)
    (alert,) = evaluate(case)
    services.acknowledge_alert(alert, actor=people.province_supervisor, note="已督促城东区处理")
    assert evaluate(case) == []
    assert RiskAlert.objects.count() == 1


def test_a_case_without_workplace_division_belongs_to_its_registering_organization(
    make_case, evaluate, tree
):
    (alert,) = evaluate(make_case(people_involved=15, workplace_division=None))
    assert alert.organization == tree.province


# --- rule 1: repeated requests about one employer ----------------------------------------------


def test_three_requests_about_one_employer_within_thirty_days_fire(make_case, evaluate, tree):
    first = make_case(at=shanghai(2026, 3, 1, 9))
    second = make_case(at=shanghai(2026, 3, 12, 9))
    assert evaluate(first) == [] and evaluate(second) == []
    third = make_case(at=shanghai(2026, 3, 30, 9), employer_name="青海某建筑工程 有限公司")
    (alert,) = evaluate(third)
    assert alert.rule == Rule.EMPLOYER_REPEAT
    assert alert.subject_key.startswith("employer:name:")
    assert set(alert.cases.all()) == {first, second, third}
    assert (alert.period_start, alert.period_end) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 30),
    )
    assert alert.organization == tree.chengdong


def test_two_requests_fire_nothing(make_case, evaluate):
    make_case(at=shanghai(2026, 3, 1, 9))
    assert evaluate(make_case(at=shanghai(2026, 3, 2, 9))) == []


def test_three_requests_spread_over_more_than_the_window_fire_nothing(make_case, evaluate):
    make_case(at=shanghai(2026, 1, 1, 9))
    make_case(at=shanghai(2026, 1, 20, 9))
    assert evaluate(make_case(at=shanghai(2026, 2, 5, 9))) == []


def test_names_match_whatever_their_width_spaces_and_case(make_case, evaluate):
    make_case(employer_name="ＡＢＣ建筑（青海）有限公司", at=shanghai(2026, 3, 1, 9))
    make_case(employer_name="abc建筑(青海)有限公司", at=shanghai(2026, 3, 2, 9))
    (alert,) = evaluate(
        make_case(employer_name="ABC 建筑 (青海) 有限公司", at=shanghai(2026, 3, 3))
    )
    assert alert.case_count == 3


def test_employers_match_by_credit_code_whatever_the_name(make_case, evaluate):
    make_case(employer_name="盐湖化工", employer_credit_code=CREDIT_A, at=shanghai(2026, 3, 1))
    make_case(employer_name="盐湖化工公司", employer_credit_code=CREDIT_A, at=shanghai(2026, 3, 2))
    (alert,) = evaluate(
        make_case(
            employer_name="青海盐湖化工有限公司",
            employer_credit_code=CREDIT_A,
            at=shanghai(2026, 3, 3),
        )
    )
    assert alert.subject_key == f"employer:credit:{CREDIT_A}"
    assert alert.facts["credit_code"] == CREDIT_A


def test_a_request_without_code_matches_the_coded_ones_by_name_and_joins_their_subject(
    make_case, evaluate
):
    make_case(employer_credit_code=CREDIT_A, at=shanghai(2026, 3, 1))
    make_case(employer_credit_code=CREDIT_A, at=shanghai(2026, 3, 2))
    (alert,) = evaluate(make_case(employer_credit_code="", at=shanghai(2026, 3, 3)))
    assert alert.subject_key == f"employer:credit:{CREDIT_A}"


def test_two_employers_with_one_name_but_different_codes_are_different(make_case, evaluate):
    make_case(employer_credit_code=CREDIT_A, at=shanghai(2026, 3, 1))
    make_case(employer_credit_code=CREDIT_A, at=shanghai(2026, 3, 2))
    assert evaluate(make_case(employer_credit_code=CREDIT_B, at=shanghai(2026, 3, 3))) == []


def test_merged_duplicates_and_requests_that_are_no_dispute_do_not_count(
    make_case, evaluate, people
):
    original = make_case(at=shanghai(2026, 3, 1))
    duplicate = make_case(at=shanghai(2026, 3, 2))
    case_services.merge(duplicate, actor=people.agent, into=original, note="重复")
    make_case(kind=Kind.SUGGESTION, category="1201", at=shanghai(2026, 3, 3))
    assert evaluate(make_case(at=shanghai(2026, 3, 4))) == []
    # The same three without the merge would have fired.
    assert len(evaluate(make_case(at=shanghai(2026, 3, 5)))) == 1


def test_a_fourth_request_joins_the_open_alert_without_a_second_notice(make_case, evaluate):
    for day in (1, 2):
        make_case(at=shanghai(2026, 3, day))
    (alert,) = evaluate(make_case(at=shanghai(2026, 3, 3)))
    notices = OutboxMessage.objects.filter(kind="risk_alert").count()
    fourth = make_case(at=shanghai(2026, 3, 4))
    (again,) = evaluate(fourth)
    assert again.pk == alert.pk
    again.refresh_from_db()
    assert again.case_count == 4 and fourth in again.cases.all()
    assert again.period_end == datetime.date(2026, 3, 4)
    assert [event.action for event in again.events.all()] == [
        AlertAction.FIRED,
        AlertAction.UPDATED,
    ]
    assert OutboxMessage.objects.filter(kind="risk_alert").count() == notices
    assert RiskAlert.objects.count() == 1


def test_an_alert_over_two_counties_belongs_to_their_prefecture(make_case, evaluate, tree):
    make_case(workplace_division="630102", at=shanghai(2026, 3, 1))
    make_case(workplace_division="630103", at=shanghai(2026, 3, 2))
    (alert,) = evaluate(make_case(workplace_division="630102", at=shanghai(2026, 3, 3)))
    assert alert.organization == tree.xining


def test_an_acknowledged_employer_fires_again_only_on_as_many_new_requests(
    make_case, evaluate, people
):
    for day in (1, 2):
        make_case(at=shanghai(2026, 3, day))
    (first,) = evaluate(make_case(at=shanghai(2026, 3, 3)))
    services.acknowledge_alert(first, actor=people.xining_supervisor, note="已约谈企业")
    # One or two new requests: the acknowledgement covers the employer still.
    assert evaluate(make_case(at=shanghai(2026, 3, 5))) == []
    assert evaluate(make_case(at=shanghai(2026, 3, 6))) == []
    # A third new one: three requests no alert has seen, within 30 days.
    (second,) = evaluate(make_case(at=shanghai(2026, 3, 7)))
    assert second.pk != first.pk and second.status == AlertStatus.OPEN
    assert second.subject_key == first.subject_key
    assert second.case_count == 6  # every request of the window, old and new
    first.refresh_from_db()
    assert first.status == AlertStatus.ACKNOWLEDGED and first.case_count == 3
    assert second.events.get().data["refired"] is True


def test_notices_go_to_the_alerts_organization_and_its_prefecture(make_case, evaluate, tree):
    (alert,) = evaluate(make_case(people_involved=30, workplace_division="632801"))
    messages = OutboxMessage.objects.filter(kind="risk_alert")
    assert {message.organization for message in messages} == {tree.golmud, tree.haixi}
    assert all(message.channel == "internal" for message in messages)
    assert all(alert.title in message.body for message in messages)


def test_an_alert_of_a_prefecture_is_notified_to_that_prefecture_alone(make_case, evaluate, tree):
    make_case(workplace_division="630102", at=shanghai(2026, 3, 1))
    make_case(workplace_division="630103", at=shanghai(2026, 3, 2))
    evaluate(make_case(workplace_division="630103", at=shanghai(2026, 3, 3)))
    notices = OutboxMessage.objects.filter(kind="risk_alert")
    assert [message.organization for message in notices] == [tree.xining]


# --- rule 3: wage requests surging before the Spring Festival ------------------------------------

# 2027's festival is on 6 February: the 60-day window opens on 8 December 2026.
TODAY = datetime.date(2027, 1, 20)


@pytest.fixture
def surge_settings(rule_settings):
    settings = rule_settings(Rule.WAGE_SURGE)
    settings.min_cases = 3
    settings.save()
    return settings


def wage_cases(make_case, days, *, division="630102", category="0101"):
    return [
        make_case(at=shanghai(day.year, day.month, day.day, 10), workplace_division=division,
                  category=category, employer_name=f"企业{index}")
        for index, day in enumerate(days)
    ]  # fmt: skip


def test_the_season_counts_the_whole_days_so_far_against_the_same_days_last_year():
    season = season_on(TODAY, 60)
    assert season.festival == datetime.date(2027, 2, 6)
    assert (season.start, season.end) == (datetime.date(2026, 12, 8), TODAY)
    # 2026's festival was on 17 February: the same 43 days after its window opened.
    assert season.baseline_start == datetime.date(2025, 12, 19)
    assert season.baseline_end == datetime.date(2026, 1, 31)
    assert season_on(datetime.date(2026, 12, 8), 60) is None  # no whole day yet
    assert season_on(datetime.date(2026, 11, 25), 60) is None  # before the window
    assert season_on(datetime.date(2027, 2, 6), 60) is None  # the festival itself


def test_a_wage_surge_fires_for_the_prefecture_and_the_province(make_case, surge_settings, tree):
    this_season = [
        datetime.date(2026, 12, 10),
        datetime.date(2027, 1, 5),
        datetime.date(2027, 1, 19),
    ]
    current = wage_cases(make_case, this_season)
    wage_cases(make_case, [datetime.date(2026, 1, 5)])  # last year: one
    assert services.evaluate_wage_surge(today=TODAY) == 2
    by_unit = {alert.organization: alert for alert in RiskAlert.objects.all()}
    assert set(by_unit) == {tree.province, tree.xining}
    alert = by_unit[tree.xining]
    assert alert.rule == Rule.WAGE_SURGE
    assert alert.subject_key == f"wage_surge:{tree.xining.pk}:2027"
    assert (alert.facts["current"], alert.facts["baseline"], alert.facts["ratio"]) == (3, 1, "3.00")
    assert set(alert.cases.all()) == set(current)
    assert (alert.period_start, alert.period_end) == (
        datetime.date(2026, 12, 8),
        datetime.date(2027, 1, 19),
    )


def test_no_surge_below_the_ratio(make_case, surge_settings):
    wage_cases(make_case, [datetime.date(2026, 12, 10)] * 3)
    wage_cases(make_case, [datetime.date(2026, 1, 5)] * 2)  # 3 / 2 = 1.5: just enough
    assert services.evaluate_wage_surge(today=TODAY) == 2
    RiskAlert.objects.all().delete()
    wage_cases(make_case, [datetime.date(2026, 1, 6)])  # 3 / 3 = 1
    assert services.evaluate_wage_surge(today=TODAY) == 0


def test_no_surge_below_the_minimum_count(make_case, surge_settings):
    wage_cases(make_case, [datetime.date(2026, 12, 10)] * 2)
    assert services.evaluate_wage_surge(today=TODAY) == 0


def test_only_wage_requests_inside_the_window_count(make_case, surge_settings):
    wage_cases(make_case, [datetime.date(2026, 12, 10)] * 2)
    wage_cases(make_case, [datetime.date(2026, 12, 7)])  # the day before the window
    wage_cases(make_case, [TODAY])  # today is counted tomorrow
    wage_cases(make_case, [datetime.date(2026, 12, 11)], category="0201")  # social insurance
    assert services.evaluate_wage_surge(today=TODAY) == 0


def test_no_surge_outside_the_season(make_case, surge_settings):
    wage_cases(make_case, [datetime.date(2026, 10, 10)] * 5)
    assert services.evaluate_wage_surge(today=datetime.date(2026, 11, 1)) == 0


def test_a_surge_fires_once_a_season_and_takes_in_the_new_requests(
    make_case, surge_settings, tree, people
):
    wage_cases(make_case, [datetime.date(2026, 12, 10)] * 3, division="632801")
    services.evaluate_wage_surge(today=TODAY)
    haixi = RiskAlert.objects.get(organization=tree.haixi)
    later = wage_cases(make_case, [TODAY], division="632801")
    assert services.evaluate_wage_surge(today=TODAY + datetime.timedelta(days=1)) == 2
    haixi.refresh_from_db()
    assert haixi.case_count == 4 and later[0] in haixi.cases.all()
    assert RiskAlert.objects.count() == 2
    services.acknowledge_alert(haixi, actor=people.province_supervisor, note="已部署欠薪专项行动")
    wage_cases(make_case, [datetime.date(2027, 1, 21)] * 3, division="632801")
    services.evaluate_wage_surge(today=datetime.date(2027, 1, 22))
    assert RiskAlert.objects.filter(organization=tree.haixi).count() == 1


# --- the Spring Festival --------------------------------------------------------------------------


def test_every_festival_the_calendar_package_knows_lies_in_its_spring_festival_holiday():
    checked = 0
    for year, day in SPRING_FESTIVALS.items():
        try:
            is_holiday, name = get_holiday_detail(day)
        except NotImplementedError:
            continue  # a year chinesecalendar does not know
        assert is_holiday and name == "Spring Festival", (year, day, name)
        checked += 1
    assert checked >= 20


def test_the_next_festival_is_strictly_after_the_day():
    assert spring_festival(2026) == datetime.date(2026, 2, 17)
    assert next_spring_festival(datetime.date(2026, 2, 17)) == datetime.date(2027, 2, 6)
    assert next_spring_festival(datetime.date(2026, 2, 16)) == datetime.date(2026, 2, 17)
    assert next_spring_festival(datetime.date(2060, 3, 1)) is None
