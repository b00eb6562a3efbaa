"""Two evaluations of one subject at the same moment (two workers, or the job and the demo) raise
one alert: the partial unique index refuses the second, which then finds the first's alert."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hotline.alerts import services
from hotline.alerts.models import AlertRule, RiskAlert, Rule
from hotline.alerts.units import Units
from hotline.cases import services as case_services
from hotline.cases.models import Category
from hotline.cases.states import Channel, Kind
from hotline.notifications.models import OutboxMessage


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)
def test_two_evaluations_of_one_case_at_once_raise_one_alert(tree):
    # Transactional tests flush the data migrations' rows: the test makes what it uses.
    wages, _ = Category.objects.get_or_create(code="01", defaults={"name": "劳动报酬"})
    Category.objects.get_or_create(code="0101", defaults={"name": "拖欠工资", "parent": wages})
    AlertRule.objects.get_or_create(rule=Rule.MANY_PEOPLE, defaults={"min_people": 10})
    case, _ = case_services.register_case(
        actor=None,
        channel=Channel.WEB,
        kind=Kind.COMPLAINT,
        category="0101",
        title="三十名工人被拖欠工资",
        description="公司拖欠三十名工人三个月工资。",
        worker_name="马师傅",
        phone="13897110002",
        employer_name="青海某建筑工程有限公司",
        workplace_division="630102",
        people_involved=30,
    )
    start = threading.Barrier(2)
    raised: list[int] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            settings = {row.rule: row for row in AlertRule.objects.all()}
            units = Units()
            start.wait()
            raised.append(len(services.evaluate_case(case, settings=settings, units=units)))
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(raised) == [0, 1]
    assert RiskAlert.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="risk_alert").count() == 2
