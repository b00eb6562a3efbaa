"""Acknowledging an alert (once, with a note, by a supervisor or leader in scope), the periodic
evaluation of new cases from its cursor, the jobs' registration, and the rules' settings."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hotline.alerts import services, tasks
from hotline.alerts.models import (
    AlertAction,
    AlertRule,
    AlertStatus,
    EvaluationCursor,
    RiskAlert,
    Rule,
)
from hotline.cases.models import Case
from hotline.core.errors import Conflict, DomainError, NotFound
from hotline.jobs.periodic import registry

# --- acknowledging -------------------------------------------------------------------------------


def test_a_supervisor_acknowledges_an_alert_with_a_note(many_people_alert, people):
    alert = many_people_alert()
    done = services.acknowledge_alert(alert, actor=people.xining_supervisor, note=" 已约谈企业 ")
    done.refresh_from_db()
    assert done.status == AlertStatus.ACKNOWLEDGED
    assert done.acknowledged_by == people.xining_supervisor
    assert done.acknowledgement_note == "已约谈企业"
    assert done.acknowledged_at is not None
    event = done.events.get(action=AlertAction.ACKNOWLEDGED)
    assert (event.actor, event.note) == (people.xining_supervisor, "已约谈企业")


def test_acknowledging_twice_is_a_conflict_and_keeps_the_first(many_people_alert, people):
    alert = many_people_alert()
    services.acknowledge_alert(alert, actor=people.province_leader, note="第一次")
    with pytest.raises(Conflict) as refused:
        services.acknowledge_alert(alert, actor=people.province_supervisor, note="第二次")
    assert refused.value.code == "alert.already_acknowledged"
    assert refused.value.status == 409
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (people.province_leader, "第一次")
    assert alert.events.filter(action=AlertAction.ACKNOWLEDGED).count() == 1


@pytest.mark.parametrize(
    ("note", "code"), [("", "alert.note_required"), ("   ", "alert.note_required"),
                       ("长" * 501, "alert.note_too_long")]
)  # fmt: skip
def test_a_note_is_required_and_bounded(many_people_alert, people, note, code):
    alert = many_people_alert()
    with pytest.raises(DomainError) as refused:
        services.acknowledge_alert(alert, actor=people.province_supervisor, note=note)
    assert refused.value.code == code and "note" in refused.value.fields
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.events.count() == 1


def test_only_supervisors_and_leaders_acknowledge(many_people_alert, people):
    alert = many_people_alert()
    with pytest.raises(DomainError) as refused:
        services.acknowledge_alert(alert, actor=people.chengdong_handler, note="收到")
    assert (refused.value.code, refused.value.status) == ("alert.role_required", 403)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_an_alert_outside_the_users_subtree_is_not_found(many_people_alert, people):
    alert = many_people_alert(workplace_division="632801")  # Golmud, not Chengdong
    with pytest.raises(NotFound):
        services.acknowledge_alert(alert, actor=people.chengdong_supervisor, note="收到")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


# --- the periodic evaluation of new cases ---------------------------------------------------------


def test_the_first_run_starts_from_the_newest_case_without_evaluating_history(make_case):
    make_case(people_involved=40)
    newest = Case.objects.latest("id").pk
    assert services.evaluate_new_cases() == {"cases": 0, "alerts": 0}
    assert EvaluationCursor.objects.get().last_case_id == newest
    assert not RiskAlert.objects.exists()


def test_a_run_evaluates_the_cases_registered_since_the_last_one(make_case):
    services.evaluate_new_cases()
    crowd = make_case(people_involved=40)
    single = make_case(people_involved=1)
    later = timezone.now() + services.SETTLE + datetime.timedelta(seconds=1)
    assert services.evaluate_new_cases(now=later) == {"cases": 2, "alerts": 1}
    alert = RiskAlert.objects.get()
    assert list(alert.cases.all()) == [crowd]
    assert EvaluationCursor.objects.get().last_case_id == single.pk
    # Nothing new: nothing done, nothing fired twice.
    assert services.evaluate_new_cases(now=later) == {"cases": 0, "alerts": 0}


def test_a_case_younger_than_the_settling_time_waits_for_the_next_run(make_case):
    services.evaluate_new_cases()
    case = make_case(people_involved=40)
    assert services.evaluate_new_cases(now=timezone.now()) == {"cases": 0, "alerts": 0}
    assert EvaluationCursor.objects.get().last_case_id < case.pk
    later = timezone.now() + services.SETTLE + datetime.timedelta(seconds=1)
    assert services.evaluate_new_cases(now=later) == {"cases": 1, "alerts": 1}


def test_a_run_reads_at_most_one_batch(make_case):
    services.evaluate_new_cases()
    cases = [make_case(people_involved=12, employer_name=f"企业{n}") for n in range(3)]
    later = timezone.now() + services.SETTLE + datetime.timedelta(seconds=1)
    assert services.evaluate_new_cases(now=later, batch=2) == {"cases": 2, "alerts": 2}
    assert services.evaluate_new_cases(now=later, batch=2) == {"cases": 1, "alerts": 1}
    assert EvaluationCursor.objects.get().last_case_id == cases[-1].pk


def test_both_jobs_are_registered_as_periodic():
    intake = registry.get(tasks.evaluate_new_cases.module_path)
    daily = registry.get(tasks.evaluate_wage_surge.module_path)
    assert intake is not None and intake.every == datetime.timedelta(minutes=5)
    assert daily is not None and daily.every == datetime.timedelta(days=1)
    assert daily.at == datetime.time(2, 30)


def test_the_intake_job_runs_the_evaluation(make_case):
    services.evaluate_new_cases()
    make_case(people_involved=40, at=timezone.now() - services.SETTLE * 2)
    result = tasks.evaluate_new_cases.call()
    assert result == {"cases": 1, "alerts": 1}


# --- the rules' settings --------------------------------------------------------------------------


def test_the_three_rules_are_shipped_with_their_defaults(db):
    rules = {row.rule: row for row in AlertRule.objects.select_related("category")}
    assert set(rules) == set(Rule.values)
    assert (rules[Rule.EMPLOYER_REPEAT].min_cases, rules[Rule.EMPLOYER_REPEAT].window_days) == (
        3,
        30,
    )
    assert rules[Rule.MANY_PEOPLE].min_people == 10
    surge = rules[Rule.WAGE_SURGE]
    assert (surge.min_cases, surge.window_days, str(surge.min_ratio)) == (10, 60, "1.50")
    assert surge.category.code == "01"


def test_a_rule_without_its_thresholds_is_refused_field_by_field(db):
    surge = AlertRule.objects.get(rule=Rule.WAGE_SURGE)
    surge.min_ratio = None
    surge.window_days = 3
    with pytest.raises(ValidationError) as refused:
        surge.full_clean()
    assert {"min_ratio", "window_days"} <= set(refused.value.message_dict)
