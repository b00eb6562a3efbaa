"""Fixtures for the risk alert tests: supervisors and leaders at each level, cases registered
through the intake service at a chosen time, and an API caller."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from hotline.accounts.models import Role, User
from hotline.accounts.tokens import create_api_token
from hotline.alerts import services
from hotline.alerts.models import AlertRule, RiskAlert, Rule
from hotline.alerts.rules import active_rules
from hotline.alerts.units import Units
from hotline.cases import services as case_services
from hotline.cases.models import Case
from hotline.cases.states import Channel, Kind
from hotline.testing import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
API = "/api/v1"
HTMX = {"HX-Request": "true"}
# Valid unified social credit codes (check characters computed by the validators' rule).
CREDIT_A = "91630100MA752X0G0A"
CREDIT_B = "91630100MA752X0G1D"


def shanghai(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@dataclass
class People:
    province_supervisor: User
    province_leader: User
    xining_supervisor: User
    chengdong_supervisor: User
    golmud_leader: User
    chengdong_handler: User
    agent: User


@pytest.fixture
def people(tree: Any) -> People:
    return People(
        province_supervisor=f.user(tree.province, Role.SUPERVISOR, name="省督办"),
        province_leader=f.user(tree.province, Role.LEADER, name="省领导"),
        xining_supervisor=f.user(tree.xining, Role.SUPERVISOR, name="西宁督办"),
        chengdong_supervisor=f.user(tree.chengdong, Role.SUPERVISOR, name="城东督办"),
        golmud_leader=f.user(tree.golmud, Role.LEADER, name="格尔木领导"),
        chengdong_handler=f.user(tree.chengdong, Role.HANDLER, name="城东承办人"),
        agent=f.user(tree.province, Role.AGENT, name="坐席小王"),
    )


_phones = itertools.count(1000)


@pytest.fixture
def make_case(tree: Any) -> Callable[..., Case]:
    """Register a public request through the intake service, dated ``at`` (default: now).

    Only the registration time is moved afterwards (a test's way to place cases in a window);
    everything else is what the service wrote.
    """

    def make(at: datetime.datetime | None = None, **overrides: Any) -> Case:
        fields: dict[str, Any] = {
            "actor": None,
            "channel": Channel.WEB,
            "kind": Kind.COMPLAINT,
            "category": "0101",
            "title": "公司拖欠工资",
            "description": "公司已经两个月没有发工资了，希望工会帮忙协调。",
            "worker_name": "张师傅",
            "phone": f"1389711{next(_phones) % 10000:04d}",
            "employer_name": "青海某建筑工程有限公司",
            "workplace_division": "630102",
            "people_involved": 1,
        }
        fields.update(overrides)
        case, _created = case_services.register_case(**fields)
        if at is not None:
            Case.objects.filter(pk=case.pk).update(created_at=at)
            case.refresh_from_db()
        return case

    return make


@pytest.fixture
def evaluate() -> Callable[..., list[RiskAlert]]:
    """Rules 1 and 2 on one case, as the periodic job runs them."""

    def run(case: Case, now: datetime.datetime | None = None) -> list[RiskAlert]:
        return services.evaluate_case(case, settings=active_rules(), units=Units(), now=now)

    return run


@pytest.fixture
def rule_settings(db: None) -> Callable[[str], AlertRule]:
    return lambda rule: AlertRule.objects.get(rule=rule)


@pytest.fixture
def many_people_alert(
    make_case: Callable[..., Case], evaluate: Callable[..., list[RiskAlert]]
) -> Callable[..., RiskAlert]:
    """An open rule-2 alert about a new case (``overrides`` as in ``make_case``)."""

    def make(**overrides: Any) -> RiskAlert:
        # Each about an employer of its own, so that no repeated-requests alert joins in.
        overrides.setdefault("employer_name", f"某某有限公司{next(_phones)}")
        case = make_case(people_involved=overrides.pop("people_involved", 20), **overrides)
        (alert,) = [alert for alert in evaluate(case) if alert.rule == Rule.MANY_PEOPLE]
        return alert

    return make


class Caller:
    """One user calling the API with a bearer token."""

    def __init__(self, client: Client, user: User) -> None:
        self.client = client
        _, self.token = create_api_token(user, name="tests")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(
            f"{API}{path}", params, headers={"Authorization": f"Bearer {self.token}"}
        )

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"{API}{path}",
            {} if body is None else body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.token}"},
        )


@pytest.fixture
def caller(client: Client) -> Callable[[User], Caller]:
    return lambda user: Caller(client, user)
