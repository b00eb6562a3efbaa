"""Fixtures for the case tests: staff of the shared tree, a case at every step, a settable clock,
and ``refused`` to check that a refused action changed nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.cases import services
from hotline.cases.crypto import id_number_check_char
from hotline.cases.models import Case, CaseAssist, CaseEvent, Category
from hotline.cases.states import Channel, Kind
from hotline.core.errors import DomainError
from hotline.notifications.models import OutboxMessage
from hotline.testing import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def id_number(body: str = "63010219900307123") -> str:
    """A valid ID number with the 17 digits ``body``."""
    return body + id_number_check_char(body)


@dataclass
class Staff:
    agent: User
    lawyer: User
    province_dispatcher: User
    province_supervisor: User
    xining_dispatcher: User
    xining_handler: User
    xining_supervisor: User
    chengdong_dispatcher: User
    chengdong_handler: User
    chengzhong_handler: User
    golmud_handler: User
    haixi_dispatcher: User


@pytest.fixture
def wage_categories() -> None:
    """The categories intake uses, for a transactional test: it runs after whatever an earlier
    transactional test flushed, the data migration's categories included."""
    wages, _ = Category.objects.get_or_create(code="01", defaults={"name": "劳动报酬"})
    Category.objects.get_or_create(code="0101", defaults={"name": "拖欠工资", "parent": wages})


@pytest.fixture
def staff(tree: Any) -> Staff:
    return Staff(
        agent=f.user(tree.province, Role.AGENT, name="坐席小王"),
        lawyer=f.user(tree.province, Role.LAWYER, name="值班律师"),
        province_dispatcher=f.user(tree.province, Role.DISPATCHER, name="省派单员"),
        province_supervisor=f.user(tree.province, Role.SUPERVISOR, name="省督办"),
        xining_dispatcher=f.user(tree.xining, Role.DISPATCHER, name="西宁派单员"),
        xining_handler=f.user(tree.xining, Role.HANDLER, name="西宁承办人"),
        xining_supervisor=f.user(tree.xining, Role.SUPERVISOR, name="西宁督办"),
        chengdong_dispatcher=f.user(tree.chengdong, Role.DISPATCHER, name="城东派单员"),
        chengdong_handler=f.user(tree.chengdong, Role.HANDLER, name="城东承办人"),
        chengzhong_handler=f.user(tree.chengzhong, Role.HANDLER, name="城中承办人"),
        golmud_handler=f.user(tree.golmud, Role.HANDLER, name="格尔木承办人"),
        haixi_dispatcher=f.user(tree.haixi, Role.DISPATCHER, name="海西派单员"),
    )


def intake(**overrides: Any) -> dict[str, Any]:
    """A valid public request; ``overrides`` change single fields."""
    fields: dict[str, Any] = {
        "actor": None,
        "channel": Channel.WEB,
        "kind": Kind.COMPLAINT,
        "category": "0101",
        "title": "建筑公司拖欠三个月工资",
        "description": "青海某建筑工程有限公司拖欠我们三个月工资，一共二十多人，多次讨要未果。",
        "worker_name": "张师傅",
        "phone": "13897112345",
        "id_number": "",
        "is_anonymous": False,
        "is_confidential": False,
        "employer_name": "青海某建筑工程有限公司",
        "employer_credit_code": "",
        "workplace_division": "630102",
        "people_involved": 23,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def new_case(staff: Staff) -> Callable[..., Case]:
    """Register a public request (``overrides`` as in ``intake``)."""

    def make(**overrides: Any) -> Case:
        case, _created = services.register_case(**intake(**overrides))
        return case

    return make


@pytest.fixture
def accepted_case(new_case: Callable[..., Case], staff: Staff) -> Callable[..., Case]:
    def make(**overrides: Any) -> Case:
        return services.accept(new_case(**overrides), actor=staff.agent)

    return make


@dataclass
class Flow:
    """Moves a case through the usual steps, as the right people."""

    staff: Staff
    tree: Any

    def at_prefecture(self, case: Case) -> Case:
        """Dispatched by the province to Xining and acknowledged there."""
        case = services.dispatch(case, actor=self.staff.agent, to=self.tree.xining, note="请核实")
        return services.acknowledge(case, actor=self.staff.xining_handler)

    def at_county(self, case: Case) -> Case:
        """Passed on by Xining to Chengdong, and acknowledged there."""
        case = self.at_prefecture(case)
        case = services.dispatch(case, actor=self.staff.xining_dispatcher, to=self.tree.chengdong)
        return services.acknowledge(case, actor=self.staff.chengdong_handler)

    def replied_at_prefecture(self, case: Case) -> Case:
        case = self.at_prefecture(case)
        return services.reply(
            case, actor=self.staff.xining_handler, result="已协调企业补发工资。", solved=True
        )

    def resolved(self, case: Case) -> Case:
        case = self.replied_at_prefecture(case)
        return services.approve(case, actor=self.staff.agent)


@pytest.fixture
def flow(staff: Staff, tree: Any) -> Flow:
    return Flow(staff=staff, tree=tree)


def snapshot(case: Case) -> dict[str, Any]:
    """Everything an action could change about ``case``, read from the database."""
    return {
        "case": Case.objects.filter(pk=case.pk).values().get(),
        "events": list(CaseEvent.objects.filter(case_id=case.pk).values_list("pk", "hash")),
        "assists": list(CaseAssist.objects.filter(case_id=case.pk).values_list("organization_id")),
        "outbox": OutboxMessage.objects.filter(case_id=case.pk).count(),
    }


@pytest.fixture
def refused() -> Callable[..., Any]:
    """``with refused(case, "case.wrong_status"): <action>``: refused with that code, and
    nothing about the case changed."""

    @contextmanager
    def check(case: Case, code: str) -> Iterator[pytest.ExceptionInfo[DomainError]]:
        before = snapshot(case)
        with pytest.raises(DomainError) as info:
            yield info
        assert info.value.code == code, info.value.as_dict()
        assert snapshot(case) == before

    return check


class Clock:
    """Sets what ``timezone.now()`` returns."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def set(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def advance(self, **delta: float) -> None:
        self.moment += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)
