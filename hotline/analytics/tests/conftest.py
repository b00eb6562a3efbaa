"""The analytics fixtures: staff and leaders of the shared tree, a settable clock, and ``story``:
nine cases played through the real services over two working weeks of March 2025 (no holiday),
at every step of the lifecycle. The expected figures of the tests are counted by hand from the
story told here; each case says what it contributes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.cases import services
from hotline.cases.models import Case
from hotline.cases.states import Channel, Kind, Rating
from hotline.testing import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = (datetime.date(2025, 3, 3), datetime.date(2025, 3, 14))


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of March 2025 in Asia/Shanghai (the 3rd is a Monday)."""
    return datetime.datetime(2025, 3, day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    """Sets what ``timezone.now()`` returns."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def set(self, moment: datetime.datetime) -> None:
        self.moment = moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@dataclass
class People:
    agent: User
    supervisor: User
    province_leader: User
    xining_dispatcher: User
    xining_handler: User
    xining_leader: User
    chengdong_handler: User
    chengdong_leader: User
    chengzhong_handler: User
    golmud_handler: User
    golmud_leader: User
    haixi_leader: User


@pytest.fixture
def people(tree: Any) -> People:
    return People(
        agent=f.user(tree.province, Role.AGENT, name="坐席"),
        supervisor=f.user(tree.province, Role.SUPERVISOR, name="省督办"),
        province_leader=f.user(tree.province, Role.LEADER, name="省领导"),
        xining_dispatcher=f.user(tree.xining, Role.DISPATCHER, name="西宁派单员"),
        xining_handler=f.user(tree.xining, Role.HANDLER, name="西宁承办人"),
        xining_leader=f.user(tree.xining, Role.LEADER, Role.SUPERVISOR, name="西宁领导"),
        chengdong_handler=f.user(tree.chengdong, Role.HANDLER, name="城东承办人"),
        chengdong_leader=f.user(tree.chengdong, Role.LEADER, name="城东领导"),
        chengzhong_handler=f.user(tree.chengzhong, Role.HANDLER, name="城中承办人"),
        golmud_handler=f.user(tree.golmud, Role.HANDLER, name="格尔木承办人"),
        golmud_leader=f.user(tree.golmud, Role.LEADER, name="格尔木领导"),
        haixi_leader=f.user(tree.haixi, Role.LEADER, name="海西领导"),
    )


def _intake(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "actor": None,
        "channel": Channel.WEB,
        "kind": Kind.COMPLAINT,
        "category": "0101",
        "title": "拖欠工资",
        "description": "公司拖欠我三个月工资，多次讨要未果。",
        "worker_name": "张师傅",
        "phone": "13897112345",
        "employer_name": "青海某建筑工程有限公司",
        "workplace_division": "630102",
        "people_involved": 1,
    }
    fields.update(overrides)
    return fields


@dataclass
class Story:
    cases: dict[str, Case]


def play_story(
    people: People,
    tree: Any,
    clock: Clock,
    after_day: Callable[[int], None] | None = None,
) -> Story:
    """The nine cases, day by day; ``after_day(day)`` runs at the end of each day (at 20:00)."""
    p, s = people, services
    cases: dict[str, Case] = {}

    def register(letter: str, moment: datetime.datetime, **overrides: Any) -> Case:
        clock.set(moment)
        case, _created = s.register_case(**_intake(**overrides))
        cases[letter] = case
        return case

    def step(moment: datetime.datetime, action: Callable[..., Case], *args: Any, **kw: Any) -> Any:
        clock.set(moment)
        return action(*args, **kw)

    def end_of(day: int) -> None:
        if after_day is not None:
            clock.set(at(day, 20))
            after_day(day)

    # Monday 3 March.
    # A: answered on first contact, rated satisfied and solved (province's own figures).
    a = register("A", at(3, 9), kind=Kind.CONSULTATION, phone="13897110001", employer_name="")
    a = step(at(3, 9, 10), s.accept, a, actor=p.agent)
    a = step(at(3, 9, 20), s.resolve_directly, a, actor=p.agent, answer="可申请劳动仲裁。")
    # B: province -> Chengdong, acknowledged and replied on time, rated online.
    b = register(
        "B",
        at(3, 10),
        channel=Channel.WECHAT,
        category="0201",
        phone="13897110002",
        employer_name="西宁某物业公司",
        people_involved=3,
    )
    b = step(at(3, 10, 5), s.accept, b, actor=p.agent)
    b = step(at(3, 10, 10), s.dispatch, b, actor=p.agent, to=tree.chengdong)
    # C: province -> Xining (acknowledged late) -> Chengzhong, which returns it; Xining replies
    # late, rated dissatisfied, reopened, replied again on time, rated satisfied.
    c = register(
        "C",
        at(3, 11),
        kind=Kind.HELP,
        category="0301",
        phone="13897110003",
        employer_name="城中某商贸公司",
        workplace_division="630103",
    )
    c = step(at(3, 11, 5), s.accept, c, actor=p.agent)
    c = step(at(3, 11, 10), s.dispatch, c, actor=p.agent, to=tree.xining)
    end_of(3)

    # Tuesday 4 March.
    a = step(at(4, 10), s.follow_up, a, actor=p.agent, rating=Rating.SATISFIED, solved=True)
    b = step(at(4, 9), s.acknowledge, b, actor=p.chengdong_handler)
    # D: registered and accepted by the agent; province -> Xining -> Chengdong (acknowledged
    # late); Chengdong replies, Xining passes it up, the province approves; never followed up.
    clock.set(at(4, 10))
    d, _created = s.register_case(
        **_intake(
            actor=p.agent,
            channel=Channel.PHONE,
            phone="13897110004",
            employer_name="青海某建筑工程有限公司",
            people_involved=30,
        ),
        accept=True,
    )
    cases["D"] = d
    d = step(at(4, 10, 30), s.dispatch, d, actor=p.agent, to=tree.xining)
    d = step(at(4, 11), s.acknowledge, d, actor=p.xining_handler)
    d = step(at(4, 11, 30), s.dispatch, d, actor=p.xining_dispatcher, to=tree.chengdong)
    end_of(4)

    # Wednesday 5 March.
    c = step(at(5, 9), s.acknowledge, c, actor=p.xining_handler)
    c = step(at(5, 10), s.dispatch, c, actor=p.xining_dispatcher, to=tree.chengzhong)
    c = step(at(5, 14), s.acknowledge, c, actor=p.chengzhong_handler)
    # E: province -> Golmud, never acknowledged.
    e = register(
        "E",
        at(5, 10),
        channel=Channel.WECHAT,
        phone="13897110005",
        employer_name="格尔木某盐化公司",
        workplace_division="632801",
    )
    e = step(at(5, 10, 5), s.accept, e, actor=p.agent)
    e = step(at(5, 10, 10), s.dispatch, e, actor=p.agent, to=tree.golmud)
    # F: declined (no workplace given).
    f_case = register(
        "F",
        at(5, 11),
        kind=Kind.CONSULTATION,
        category="0201",
        phone="13897110006",
        employer_name="",
        workplace_division=None,
    )
    step(at(5, 11, 10), s.decline, f_case, actor=p.agent, referral="请拨打12333咨询社保政策。")
    end_of(5)

    # Thursday 6 March.
    c = step(at(6, 9), s.return_case, c, actor=p.chengzhong_handler, reason="不属于本区")
    d = step(at(6, 9), s.acknowledge, d, actor=p.chengdong_handler)
    b = step(at(6, 15), s.reply, b, actor=p.chengdong_handler, result="已补缴社保。", solved=True)
    b = step(at(6, 16), s.approve, b, actor=p.agent)
    # G: the same request as E again, merged into it (not counted).
    g = register(
        "G", at(6, 9), channel=Channel.WECHAT, phone="13897110005", workplace_division="632801"
    )
    step(at(6, 9, 30), s.merge, g, actor=p.agent, into=e)
    end_of(6)

    # Friday 7 March.
    step(
        at(7, 11),
        s.rate_by_worker,
        number=b.number,
        phone="13897110002",
        rating=Rating.BASICALLY_SATISFIED,
        solved=False,
    )
    # H: province -> Chengdong, reassigned before acknowledgement to Chengzhong.
    clock.set(at(7, 9))
    h, _created = s.register_case(
        **_intake(
            actor=p.agent,
            channel=Channel.PHONE,
            category="0301",
            phone="13897110008",
            employer_name="城中某商贸公司",
            workplace_division="630103",
        ),
        accept=True,
    )
    cases["H"] = h
    h = step(at(7, 10), s.dispatch, h, actor=p.agent, to=tree.chengdong)
    h = step(at(7, 15), s.reassign, h, actor=p.agent, to=tree.chengzhong, reason="属城中区")
    end_of(7)

    # Monday 10 March.
    h = step(at(10, 9), s.acknowledge, h, actor=p.chengzhong_handler)
    d = step(at(10, 10), s.reply, d, actor=p.chengdong_handler, result="已调解。", solved=True)
    d = step(at(10, 11), s.approve, d, actor=p.xining_dispatcher)
    d = step(at(10, 14), s.approve, d, actor=p.agent)
    # I: province -> Golmud, one consultation day; an approved extension makes a late reply
    # on time.
    i = register(
        "I",
        at(10, 9),
        kind=Kind.CONSULTATION,
        category="0201",
        phone="13897110009",
        employer_name="格尔木某盐化公司",
        workplace_division="632801",
    )
    i = step(at(10, 9, 30), s.accept, i, actor=p.agent)
    i = step(at(10, 10), s.dispatch, i, actor=p.agent, to=tree.golmud)
    i = step(at(10, 11), s.acknowledge, i, actor=p.golmud_handler)
    i = step(at(10, 12), s.request_extension, i, actor=p.golmud_handler, days=3, reason="需核实")
    i = step(at(10, 14), s.decide_extension, i, actor=p.agent, approve=True)
    end_of(10)

    # Tuesday 11 March.
    c = step(at(11, 10), s.reply, c, actor=p.xining_handler, result="已协调。", solved=False)
    c = step(at(11, 11), s.approve, c, actor=p.agent)
    end_of(11)

    # Wednesday 12 March.
    c = step(at(12, 9), s.follow_up, c, actor=p.agent, rating=Rating.DISSATISFIED, solved=False)
    c = step(at(12, 10), s.reopen, c, actor=p.supervisor, reason="职工不满意，重新办理")
    end_of(12)

    # Thursday 13 March.
    c = step(at(13, 10), s.reply, c, actor=p.xining_handler, result="已签合同。", solved=True)
    c = step(at(13, 11), s.approve, c, actor=p.agent)
    i = step(at(13, 10), s.reply, i, actor=p.golmud_handler, result="已答复。", solved=True)
    end_of(13)

    # Friday 14 March.
    c = step(at(14, 9), s.follow_up, c, actor=p.agent, rating=Rating.SATISFIED, solved=True)
    end_of(14)
    return Story(cases={letter: Case.objects.get(pk=case.pk) for letter, case in cases.items()})


@pytest.fixture
def story(people: People, tree: Any, clock: Clock) -> Story:
    """The nine cases, with the clock left at 20:00 on Friday 14 March."""
    played = play_story(people, tree, clock)
    clock.set(at(14, 20))
    return played
