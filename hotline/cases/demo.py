"""Demo cases: about sixty workers' requests at every step of the lifecycle, made by the services.

``load_demo_cases`` (run by ``manage.py load_demo`` after the demo tree and accounts) plays each
case of ``data/demo_cases.json`` through the real services, as the demo account whose step it is:
registered by the provincial agent or by the worker online, dispatched province → 西宁 → 城东区
(or 海西 → 格尔木, or straight to 化隆), acknowledged, replied, reviewed, rated, returned,
extended, urged, merged, declined. Events, hash chains, dispatch chains and notices are therefore
real, and ``verify_case_history`` passes on them.

Time. A case's story is spread over the working days before today, so some cases are on time,
some due soon and some overdue, as the calendar says. The services read the time from
``django.utils.timezone.now``; while a story plays, ``_story_time`` makes that return the
story's moment (never later than the real now). That is done only here, by the management
command in its own process; nothing else about the cases or their events is written around the
services.

Workers are made up: names common in Qinghai, phones 139 0971 xxxx (Xining) and the like, and
their text messages are dropped once queued (they would go to real numbers). Employers are the
demo's grassroots unions' companies in the case's county. Loading is idempotent: it does nothing
once a demo case exists (their intake keys contain ``:demo:``), and it is all or nothing.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.notifications.models import Channel as MessageChannel
from hotline.notifications.models import OutboxMessage
from hotline.organizations.models import Level, Organization
from hotline.workdays.calendar import add_working_days, is_workday

from . import services
from .crypto import id_number_check_char
from .deadlines import LOCAL_ZONE, local_date
from .models import Case
from .states import Channel, Rating, Status

DATA_PATH = Path(__file__).resolve().parent / "data" / "demo_cases.json"
SEED = 12351
# Marks a demo case: its intake key is "<who>:demo:<n>".
MARK = ":demo:"

# Channels on which the worker files the request; the others are taken by an agent.
PUBLIC_CHANNELS = frozenset({Channel.WEB, Channel.WECHAT})


class DemoAccountsMissing(LookupError):
    """The demo accounts are not loaded: run ``load_demo`` first."""


@dataclass(frozen=True)
class Region:
    """Where a case's workplace is, and who handles cases there."""

    division: str
    prefecture: str | None  # the username of the prefecture's dispatcher, if cases go that way
    county: str | None  # the username of the county's handler
    phones: str  # the first seven digits of the workers' mobiles
    tibetan: bool = False
    hui: bool = False


REGIONS: dict[str, Region] = {
    "chengdong": Region("630102", "xining_dispatcher", "chengdong_handler", "1390971"),
    "chengzhong": Region("630103", "xining_dispatcher", "chengzhong_handler", "1390971"),
    "chengxi": Region("630104", None, None, "1380971"),
    "chengbei": Region("630105", None, None, "1380971"),
    "datong": Region("630121", None, None, "1350971", hui=True),
    "golmud": Region("632801", "haixi_dispatcher", "golmud_handler", "1390979", tibetan=True),
    "delingha": Region("632802", None, None, "1390977", tibetan=True),
    # Haidong has no demo account: the province dispatches straight to the county.
    "hualong": Region("630224", None, "hualong_handler", "1390972", hui=True),
}

USERNAMES = (
    "province_agent",
    "province_dispatcher",
    "province_supervisor",
    "province_lawyer",
    "xining_dispatcher",
    "haixi_dispatcher",
    "chengdong_handler",
    "chengzhong_handler",
    "golmud_handler",
    "hualong_handler",
)

COMMENT_COUNTY = "已电话联系用人单位负责人，约定本周内到企业现场核实情况。"
COMMENT_PREFECTURE = "已与市人社局劳动保障监察部门沟通，请其协助核查。"
SUPERVISE_NOTE = "涉及职工人数较多，列入省总工会督办事项，请承办单位按时办结。"
URGE_NOTE = "请加快办理，尽快协调企业解决职工诉求，并及时回复办理结果。"
EXTENSION_REASON = "需等待人社部门劳动保障监察调查结果，申请延期5个工作日。"
RETURN_REASON = "经核实，该企业注册地和实际用工地均不在本辖区，请改派属地工会办理。"
REASSIGN_REASON = "经核实，用人单位注册地和用工地在城中区，改派城中区总工会办理。"
SEND_BACK_REASON = "回复未说明补发金额和支付时间，也未附企业支付凭证，请补充后重新回复。"
MERGE_NOTE = "与工友此前反映的同一欠薪问题重复，合并办理。"
REVIEW_EXPLANATION = (
    "经复核，承办单位已依法督促企业履行义务，来电人其余诉求证据不足，已告知其可申请劳动仲裁，"
    "工会可提供法律援助。"
)
REOPEN_REASON = "回访中职工反映企业承诺的款项至今未到账，请承办单位重新办理。"
FOLLOW_UP_NOTES = {
    Rating.SATISFIED: "回访：职工表示问题已解决，对处理结果满意。",
    Rating.BASICALLY_SATISFIED: "回访：职工表示问题基本解决，希望工会今后加强监督。",
    Rating.DISSATISFIED: "回访：职工对处理结果不满意，认为企业没有全部兑现诉求。",
}
APPROVE_NOTE = "回复属实，同意。"


@cache
def _data() -> dict[str, Any]:
    """``names``: the workers' names to draw from; ``cases``: one entry per demo case."""
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def demo_cases() -> QuerySet[Case]:
    """The demo cases loaded so far."""
    return Case.objects.filter(intake_key__contains=MARK)


def load_demo_cases() -> int:
    """Create the demo cases unless they exist; how many were created (0 when they exist).

    Needs the demo tree and accounts (``organizations.demo.load_demo``).
    """
    with transaction.atomic():
        if demo_cases().exists():
            return 0
        demo = _Demo()
        with _story_time() as clock:
            demo.clock = clock
            for index, entry in enumerate(_data()["cases"], start=1):
                _Story(demo, entry, index).play()
        # The demo's phone numbers are invented but real-looking: never text them.
        OutboxMessage.objects.filter(
            channel=MessageChannel.SMS, case__intake_key__contains=MARK
        ).delete()
        return demo_cases().count()


def summary(created: int) -> str:
    """One sentence for ``load_demo``'s output."""
    return _("Demo cases: %(created)d created, %(total)d in total.") % {
        "created": created,
        "total": demo_cases().count(),
    }


# --- the time of a story -------------------------------------------------------------------------


class _StoryClock:
    """What ``timezone.now`` returns while a story plays: the story's moment, never the future."""

    def __init__(self, real_now: datetime.datetime) -> None:
        # A minute's margin: nothing the demo does is dated after the loading itself.
        self.latest = real_now - datetime.timedelta(minutes=1)
        self.today = local_date(real_now)
        self.moment = self.latest

    def now(self) -> datetime.datetime:
        return self.moment

    def set(self, moment: datetime.datetime) -> None:
        self.moment = min(moment, self.latest)

    def working_days_back(self, days: int) -> datetime.date:
        """The ``days``-th working day before today (0: today, or the last working day)."""
        day = self.today
        while not is_workday(day):
            day -= datetime.timedelta(days=1)
        while days:
            day -= datetime.timedelta(days=1)
            days -= is_workday(day)
        return day


@contextmanager
def _story_time() -> Iterator[_StoryClock]:
    # Only for this loader, run by a management command in its own process: the services take
    # no time argument, and their events must carry the story's times to hash them.
    real_now = timezone.now
    clock = _StoryClock(real_now())
    timezone.now = clock.now  # type: ignore[assignment]
    try:
        yield clock
    finally:
        timezone.now = real_now  # type: ignore[assignment]


# --- who is who ----------------------------------------------------------------------------------


class _Demo:
    """The demo accounts, their units, the employers by county, and what the stories share."""

    clock: _StoryClock

    def __init__(self) -> None:
        users = {user.username: user for user in User.objects.filter(username__in=USERNAMES)}
        missing = sorted(set(USERNAMES) - set(users))
        if missing:
            raise DemoAccountsMissing(
                f"Demo accounts missing: {', '.join(missing)}. Run load_demo first."
            )
        self.users = users
        self.rng = random.Random(SEED)
        self.by_title: dict[str, Case] = {}
        self.used_phones: set[str] = set()
        self.reviewers = {
            users[name].organization_id: users[name]
            for name in ("province_dispatcher", "xining_dispatcher", "haixi_dispatcher")
        }
        self.employers = _employers([region.division for region in REGIONS.values()])

    def user(self, username: str) -> User:
        return self.users[username]

    def unit(self, username: str) -> Organization:
        return self.users[username].organization

    def employer(self, region: Region, keyword: str) -> str:
        if not keyword:
            return ""
        names = self.employers.get(region.division, [])
        matching = [name for name in names if keyword in name] or names
        return self.rng.choice(matching) if matching else ""

    def worker(self, region: Region) -> tuple[str, str, str]:
        """A name, a mobile and (for some) an ID number of a worker of ``region``."""
        rng, names = self.rng, _data()["names"]
        if region.tibetan and rng.random() < 0.5:
            name = "".join(rng.sample(names["tibetan"], 2))
        else:
            surnames = (
                names["hui_surnames"] if region.hui and rng.random() < 0.7 else names["surnames"]
            )
            name = rng.choice(surnames) + rng.choice(names["given"])
        while True:
            phone = f"{region.phones}{rng.randint(0, 9999):04d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                break
        id_number = ""
        if rng.random() < 0.35:
            born = datetime.date(rng.randint(1968, 2003), rng.randint(1, 12), rng.randint(1, 28))
            body = f"{region.division}{born:%Y%m%d}{rng.randint(100, 999)}"
            id_number = body + id_number_check_char(body)
        return name, phone, id_number


def _employers(divisions: list[str]) -> dict[str, list[str]]:
    """Company names by division: the demo's grassroots unions of companies, without 工会."""
    names: dict[str, list[str]] = {}
    unions = Organization.objects.filter(
        level=Level.GRASSROOTS, division_id__in=divisions, name__endswith="公司工会"
    ).order_by("name")
    for division, name in unions.values_list("division_id", "name"):
        names.setdefault(division, []).append(name.removesuffix("工会"))
    return names


# --- one case's story ----------------------------------------------------------------------------


class _Story:
    """One entry of the data file played through the services, step by step."""

    def __init__(self, demo: _Demo, entry: dict[str, Any], index: int) -> None:
        self.demo = demo
        self.entry = entry
        self.index = index
        self.region = REGIONS[entry["region"]]
        self.path, self.ago = entry["path"], PATHS[entry["path"]][0]
        self.start = demo.clock.working_days_back(self.ago)
        # Each story's steps a little later or earlier in the day than the times written below.
        self.offset = datetime.timedelta(minutes=demo.rng.randint(-25, 45))
        self.case: Case | None = None

    def play(self) -> None:
        PATHS[self.path][1](self)
        assert self.case is not None
        self.demo.by_title[self.entry["title"]] = self.case

    # -- time --

    def at(self, day: int, clock_time: str) -> None:
        """Set the time to ``clock_time`` on the ``day``-th working day after the first one."""
        hour, minute = map(int, clock_time.split(":"))
        date = add_working_days(self.start, day)
        moment = datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=LOCAL_ZONE)
        self.demo.clock.set(moment + self.offset)

    # -- who --

    @property
    def agent(self) -> User:
        return self.demo.user("province_agent")

    @property
    def county_user(self) -> User:
        if self.region.county is None:
            raise ValueError(f"No handling county for the {self.path} case {self.index}")
        return self.demo.user(self.region.county)

    @property
    def prefecture_user(self) -> User | None:
        return self.demo.user(self.region.prefecture) if self.region.prefecture else None

    def reviewer(self) -> User:
        assert self.case is not None
        return self.demo.reviewers[self.case.dispatching_org_id]

    # -- the steps --

    def register(self, *, actor: User | None = None, at: str = "09:00", employer: str = "") -> None:
        entry, demo = self.entry, self.demo
        self.at(0, at)
        public = entry.get("channel") in PUBLIC_CHANNELS
        actor = None if public else (actor or self.agent)
        anonymous = bool(entry.get("anonymous"))
        name, phone, id_number = demo.worker(self.region)
        case, _created = services.register_case(
            actor=actor,
            channel=entry.get("channel", Channel.PHONE),
            kind=entry["kind"],
            category=entry["category"],
            title=entry["title"],
            description=entry["description"],
            worker_name="" if anonymous else name,
            phone="" if anonymous else phone,
            id_number="" if anonymous else id_number,
            is_anonymous=anonymous,
            employer_name=employer or demo.employer(self.region, entry.get("employer", "")),
            workplace_division=self.region.division,
            people_involved=entry.get("people", 1),
            intake_key=f"demo:{self.index}",
        )
        self.case = case

    def accept(self, day: int = 0, at: str = "09:35", actor: User | None = None) -> None:
        self.at(day, at)
        self.case = services.accept(self.case, actor=actor or self.agent)

    def down(self, day: int = 0, *, assisting: tuple[Organization, ...] = ()) -> int:
        """Dispatch to the region's county (through its prefecture); the day the county has it."""
        self.dispatch(day)
        prefecture = self.prefecture_user
        if prefecture is None:
            self.acknowledge(day + 1, self.county_user)
            return day + 1
        self.acknowledge(day + 1, prefecture)
        self.pass_down(day + 1, assisting=assisting)
        self.acknowledge(day + 2, self.county_user)
        return day + 2

    def dispatch(self, day: int = 0, at: str = "10:20") -> None:
        self.at(day, at)
        first = self.prefecture_user or self.county_user
        self.case = services.dispatch(
            self.case,
            actor=self.demo.user("province_dispatcher"),
            to=first.organization,
            note="请核实情况并依法依规办理，按时回复。",
        )

    def acknowledge(self, day: int, user: User, at: str = "09:15") -> None:
        self.at(day, at)
        self.case = services.acknowledge(self.case, actor=user)

    def pass_down(
        self, day: int, *, at: str = "10:40", assisting: tuple[Organization, ...] = ()
    ) -> None:
        self.at(day, at)
        prefecture = self.prefecture_user
        assert prefecture is not None
        self.case = services.dispatch(
            self.case,
            actor=prefecture,
            to=self.county_user.organization,
            assisting=assisting,
            note="请属地工会核实办理。",
        )

    def comment(self, day: int, user: User, text: str) -> None:
        self.at(day, "15:30")
        self.case = services.comment(self.case, actor=user, text=text)

    def reply(self, day: int, *, user: User | None = None) -> None:
        self.at(day, "16:10")
        self.case = services.reply(
            self.case, actor=user or self.county_user, result=self.entry["result"], solved=True
        )

    def approve(self, day: int) -> None:
        """Every level above approves the reply, a working day apart, up to the owner."""
        while self.case.status == Status.REPLIED:
            self.at(day, "10:00")
            self.case = services.approve(self.case, actor=self.reviewer(), note=APPROVE_NOTE)
            day += 1

    def follow_up(self, day: int, rating: str, actor: User | None = None) -> None:
        self.at(day, "14:20")
        self.case = services.follow_up(
            self.case,
            actor=actor or self.agent,
            rating=rating,
            solved=rating != Rating.DISSATISFIED,
            note=FOLLOW_UP_NOTES[rating],
        )

    def resolved_through_the_chain(self, reply_day: int) -> int:
        """Down to the county, replied on ``reply_day``, approved up; the day it is resolved."""
        self.register()
        self.accept()
        self.down()
        self.reply(reply_day)
        self.approve(reply_day + 1)
        return reply_day + (2 if self.prefecture_user else 1)


# --- the paths through the lifecycle: (working days ago the case came in, the steps) ----------


def _received(s: _Story) -> None:
    s.register(at="08:40")


def _accepted(s: _Story) -> None:
    s.register()
    s.accept()


def _declined(s: _Story) -> None:
    s.register()
    s.at(0, "09:50")
    s.case = services.decline(s.case, actor=s.agent, referral=s.entry["result"])


def _resolved_directly(s: _Story) -> None:
    s.register()
    s.accept()
    s.at(0, "09:50")
    s.case = services.resolve_directly(s.case, actor=s.agent, answer=s.entry["result"])


def _closed_direct(s: _Story) -> None:
    _resolved_directly(s)
    s.follow_up(2, Rating.SATISFIED)


def _lawyer(s: _Story) -> None:
    s.register()
    s.accept()
    lawyer = s.demo.user("province_lawyer")
    s.at(0, "10:05")
    s.case = services.assign_lawyer(s.case, actor=s.agent, lawyer=lawyer, note="请律师解答。")
    s.at(1, "11:30")
    s.case = services.resolve_directly(s.case, actor=lawyer, answer=s.entry["result"])


def _dispatched(s: _Story) -> None:
    s.register(at="08:45")
    s.accept(at="09:00")
    s.dispatch(at="09:30")


def _at_prefecture(s: _Story) -> None:
    s.register()
    s.accept()
    s.dispatch()
    prefecture = s.prefecture_user
    assert prefecture is not None
    s.acknowledge(1, prefecture)
    s.comment(2, prefecture, COMMENT_PREFECTURE)


def _at_county(s: _Story) -> None:
    s.register()
    s.accept()
    day = s.down()
    s.comment(day + 1, s.county_user, COMMENT_COUNTY)


def _in_progress(s: _Story) -> None:
    s.register()
    s.accept()
    s.down()


def _assisted(s: _Story) -> None:
    s.register()
    s.accept()
    s.down(assisting=(s.demo.unit("chengzhong_handler"),))


def _duplicate(s: _Story) -> None:
    original = s.demo.by_title[s.entry["of"]]
    s.register(at="20:15", employer=original.employer_name)
    s.at(1, "09:20")
    s.case = services.merge(s.case, actor=s.agent, into=original, note=MERGE_NOTE)


def _supervised_urged(s: _Story) -> None:
    _in_progress(s)
    s.at(8, "11:00")
    s.case = services.supervise(
        s.case, actor=s.demo.user("province_supervisor"), note=SUPERVISE_NOTE
    )
    s.at(9, "10:30")
    s.case = services.urge(s.case, actor=s.reviewer(), note=URGE_NOTE)


def _extension_requested(s: _Story) -> None:
    _in_progress(s)
    s.at(8, "15:00")
    s.case = services.request_extension(
        s.case, actor=s.county_user, days=5, reason=EXTENSION_REASON
    )


def _extension_approved(s: _Story) -> None:
    _in_progress(s)
    s.at(9, "15:00")
    s.case = services.request_extension(
        s.case, actor=s.county_user, days=5, reason=EXTENSION_REASON
    )
    s.at(10, "09:40")
    s.case = services.decide_extension(
        s.case, actor=s.reviewer(), approve=True, note="同意延期，请在延期内办结。"
    )


def _returned(s: _Story) -> None:
    _in_progress(s)
    s.at(3, "11:10")
    s.case = services.return_case(s.case, actor=s.county_user, reason=RETURN_REASON)


def _reassigned(s: _Story) -> None:
    # Xining first passes it to the wrong district (城东区), then to the right one (the region's).
    xining = s.demo.user("xining_dispatcher")
    chengdong = s.demo.user("chengdong_handler")
    s.register()
    s.accept()
    s.dispatch()
    s.acknowledge(1, xining)
    s.at(1, "10:40")
    s.case = services.dispatch(s.case, actor=xining, to=chengdong.organization)
    s.acknowledge(2, chengdong)
    s.at(3, "10:15")
    s.case = services.reassign(
        s.case, actor=xining, to=s.county_user.organization, reason=REASSIGN_REASON
    )
    s.acknowledge(4, s.county_user, at="08:55")


def _replied(s: _Story) -> None:
    _in_progress(s)
    s.reply(7)


def _replied_to_province(s: _Story) -> None:
    _in_progress(s)
    s.reply(7)
    s.at(8, "10:00")
    s.case = services.approve(s.case, actor=s.reviewer(), note=APPROVE_NOTE)


def _sent_back(s: _Story) -> None:
    _in_progress(s)
    s.reply(6)
    s.at(7, "09:30")
    s.case = services.send_back(s.case, actor=s.reviewer(), reason=SEND_BACK_REASON)


def _resolved(s: _Story) -> None:
    s.resolved_through_the_chain(8)


def _closed(rating: str) -> Callable[[_Story], None]:
    def play(s: _Story) -> None:
        day = s.resolved_through_the_chain(9)
        s.follow_up(day + 2, rating)

    return play


def _closed_after_review(s: _Story) -> None:
    day = s.resolved_through_the_chain(9)
    s.follow_up(day + 2, Rating.DISSATISFIED)
    s.at(day + 4, "16:00")
    s.case = services.close_after_review(
        s.case, actor=s.demo.user("province_supervisor"), explanation=REVIEW_EXPLANATION
    )


def _rated_online(s: _Story) -> None:
    day = s.resolved_through_the_chain(8)
    s.at(day + 1, "20:30")
    s.case = services.rate_by_worker(
        number=s.case.number,
        phone=s.case.phone,
        rating=Rating.BASICALLY_SATISFIED,
        solved=True,
        note="问题基本解决，谢谢工会。",
    )


def _reopened(s: _Story) -> None:
    day = s.resolved_through_the_chain(9)
    s.follow_up(day + 2, Rating.DISSATISFIED)
    s.at(day + 3, "10:30")
    s.case = services.reopen(s.case, actor=s.demo.user("province_supervisor"), reason=REOPEN_REASON)


def _xining_walk_in(s: _Story) -> None:
    # A walk-in at the Xining federation's service centre: Xining owns and dispatches the case.
    xining = s.demo.user("xining_dispatcher")
    s.register(actor=xining, at="10:00")
    s.accept(at="10:20", actor=xining)
    s.at(0, "11:00")
    s.case = services.dispatch(s.case, actor=xining, to=s.county_user.organization)
    s.acknowledge(1, s.county_user)
    s.reply(6)
    s.approve(7)
    s.follow_up(9, Rating.SATISFIED, actor=xining)


PATHS: dict[str, tuple[int, Callable[[_Story], None]]] = {
    "received": (0, _received),
    # Nobody accepted it within the working day it had.
    "received_overdue": (3, _received),
    "accepted": (1, _accepted),
    "declined": (4, _declined),
    "resolved_directly": (1, _resolved_directly),
    "closed_direct": (6, _closed_direct),
    "lawyer": (3, _lawyer),
    "dispatched": (0, _dispatched),
    # Dispatched three working days ago and never acknowledged (one day allowed).
    "dispatched_overdue": (3, _dispatched),
    "at_prefecture": (4, _at_prefecture),
    "at_county": (5, _at_county),
    "assisted": (4, _assisted),
    "duplicate": (4, _duplicate),
    # A complaint has 15 working days; the last fifth of them has begun.
    "due_soon": (13, _in_progress),
    "overdue": (19, _in_progress),
    "supervised_urged": (11, _supervised_urged),
    "extension_requested": (10, _extension_requested),
    "extension_approved": (12, _extension_approved),
    "returned": (5, _returned),
    "reassigned": (6, _reassigned),
    "replied": (8, _replied),
    "replied_to_province": (9, _replied_to_province),
    "sent_back": (9, _sent_back),
    "resolved": (12, _resolved),
    "closed_satisfied": (16, _closed(Rating.SATISFIED)),
    "closed_basically": (18, _closed(Rating.BASICALLY_SATISFIED)),
    "dissatisfied": (15, _closed(Rating.DISSATISFIED)),
    "closed_after_review": (20, _closed_after_review),
    "rated_online": (13, _rated_online),
    "reopened": (24, _reopened),
    "xining_walk_in": (12, _xining_walk_in),
}
