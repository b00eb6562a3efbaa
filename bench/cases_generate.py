"""Benchmark data: 1,000,000 realistic cases and their event histories, on PostgreSQL.

The issue asks for a generator that fills the database with a million cases and their events in
minutes. This script gives the case benchmarks (``bench/cases_bench.py``, ``bench/intake_load.py``)
a database of their own::

    .venv/bin/python bench/cases_generate.py [--cases 1000000] [--reset] [--workers 2]

It needs PostgreSQL (the rows go in through ``COPY``); without ``DATABASE_URL`` it uses
``postgres://postgres@127.0.0.1:5432/hotline_bench_cases`` and creates that database if missing.
It refuses SQLite, and ``--reset`` refuses any database whose name does not start with
``hotline_bench``. Steps: migrate, load the demo tree and accounts (``load_demo``), add one
handler account per handling unit and a few agents at the provincial centre, then plan every
case as a walk through the services' lifecycle (create, accept, dispatch, acknowledge, reply,
approve, follow-up...), stopped at the present moment: what a service would have written at each
step is what the case row and its events hold. Events are chained with the project's own
``hotline.cases.events.event_hash``. The rows are written with ``COPY`` by ``--workers``
processes, into tables whose secondary indexes and constraints are dropped for the load and
rebuilt after it (the usual bulk-load order: one sorted build instead of a million inserts per
index); then ``VACUUM (ANALYZE)``, as autovacuum would do on a database in service.

A second run with the same ``--cases`` finds the cases there and does nothing; another count, or a
half-finished load, needs ``--reset`` (drop and recreate the database). The same seed gives the
same cases, except the present moment: statuses and clocks are planned against the time of the
run.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import json
import math
import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hotline_bench_cases"
SEED = 12351
YEARS = 3
CHUNK = 20_000

UTC = datetime.UTC
LOCAL = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai has had no DST since 1991
# Lunar new year's day (春节) in the years covered: wage complaints peak in the weeks before it.
SPRING_FESTIVALS = [
    datetime.date(2023, 1, 22),
    datetime.date(2024, 2, 10),
    datetime.date(2025, 1, 29),
    datetime.date(2026, 2, 17),
    datetime.date(2027, 2, 6),
]
# Share of the day's intake by local hour: the hotline's staffed hours, online requests at night.
HOUR_WEIGHTS = [
    0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 1.2, 3.5, 6.5, 7.0, 6.2,
    4.0, 4.2, 6.3, 6.8, 6.0, 4.8, 2.8, 2.0, 1.6, 1.2, 0.8, 0.5,
]  # fmt: skip


def setup_django() -> None:
    """Django with the development settings on the benchmark's own PostgreSQL database."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            f"Refusing DATABASE_URL={url}: the generator writes with PostgreSQL's COPY and never "
            "touches SQLite (least of all var/db.sqlite3). Point it at a PostgreSQL database."
        )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def _maintenance_url(url: str) -> tuple[str, str]:
    """The URL of the server's ``postgres`` database, and the name of the one in ``url``."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def ensure_database(reset: bool) -> None:
    """Create the database if it is missing; drop and recreate it first with ``reset``."""
    import psycopg

    maintenance, name = _maintenance_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    if reset and not name.startswith("hotline_bench"):
        raise SystemExit(f"--reset drops the database: refusing {name!r} (not hotline_bench*).")
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and reset:
            print(f"Dropping database {name}.")
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            print(f"Creating database {name}.")
            connection.execute(f'CREATE DATABASE "{name}"')


# --- Who works on cases --------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """A member of staff as events record them: id, name, organization."""

    pk: int | None
    name: str
    org_id: int | None


WORKER = Actor(None, "", None)  # the worker on the public pages: no account, no organization


@dataclass(frozen=True)
class Unit:
    pk: int
    name: str
    path: str
    level: str
    division: str
    parent_id: int | None


@dataclass
class Employer:
    name: str
    key: str
    credit_code: str
    division: str
    union: Unit | None  # the grassroots union of this employer, if it has one


@dataclass
class World:
    """Everything the planners read, built once in the main process and inherited by the
    workers (fork): the tree, the staff, the pools of callers and employers, the categories."""

    root: Unit
    units: dict[int, Unit]
    county_of_division: dict[str, Unit]
    prefecture_of_division: dict[str, Unit]
    counties: list[Unit]
    county_weights: list[float]
    grassroots_by_county: dict[int, list[Unit]]
    handler: dict[int, Actor]
    agents: list[Actor]
    dispatchers: list[Actor]
    supervisors: list[Actor]
    lawyers: list[Actor]
    categories: dict[str, list[tuple[int, str, str]]]  # top code -> [(id, code, name)] children
    callers: list[tuple[str, str]]  # (phone, name) of people who call again and again
    caller_cum: list[float]
    employers: list[Employer]
    employer_cum: list[float]
    surnames: list[str]
    given_names: list[str]
    tibetan_names: list[str]
    tibetan_divisions: frozenset[str]
    area_codes: dict[str, str]
    now: datetime.datetime
    column_names: list[str] = field(default_factory=list)
    defaults: dict[str, Any] = field(default_factory=dict)  # a new Case's values, by column


class Row(dict):
    """A planned case row: a dict whose items are also attributes, so that the project's own
    ``deadlines.set_clock`` and ``clear_clock`` set the clock on it exactly as on a Case."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as missing:
            raise AttributeError(name) from missing

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


WORLD: World | None = None


def _zipf_cumulative(size: int, offset: float) -> list[float]:
    """Cumulative weights 1/(rank + offset): a few very frequent items and a long tail."""
    total, cumulative = 0.0, []
    for rank in range(1, size + 1):
        total += 1.0 / (rank + offset)
        cumulative.append(total)
    return cumulative


def _staff(username: str, org: Unit, roles: tuple[str, ...], name: str) -> Actor:
    from hotline.accounts import services as account_services
    from hotline.accounts.models import User
    from hotline.organizations.models import Organization

    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.create_user(
            username=username,
            organization=Organization.objects.get(pk=org.pk),
            roles=roles,
            password=None,
            name=name,
        )
    return Actor(user.pk, user.name or user.username, user.organization_id)


def build_world(now: datetime.datetime) -> World:
    """Read the tree, add the staff the histories need, draw the callers and employers."""
    from hotline.accounts.models import Role, User
    from hotline.cases.matching import employer_key
    from hotline.cases.models import Case, Category
    from hotline.organizations.demo import CATALOG_PATH, _CreditCodes
    from hotline.organizations.models import Level, Organization

    catalog = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    rng = random.Random(f"{SEED}:world")
    units = {
        org.pk: Unit(org.pk, org.name, org.path, org.level, org.division_id, org.parent_id)
        for org in Organization.objects.order_by("path")
    }
    root = next(unit for unit in units.values() if unit.parent_id is None)
    counties = [unit for unit in units.values() if unit.level == Level.COUNTY]
    county_of_division = {unit.division: unit for unit in counties}
    prefecture_of_division = {
        unit.division: unit for unit in units.values() if unit.level == Level.PREFECTURE
    }
    grassroots_by_county: dict[int, list[Unit]] = {unit.pk: [] for unit in counties}
    for unit in units.values():
        if unit.level == Level.GRASSROOTS and unit.division in county_of_division:
            grassroots_by_county[county_of_division[unit.division].pk].append(unit)
    # Xining's districts and Golmud have the most workers; the demo's union counts say as much.
    county_weights = [
        catalog["counties"][unit.division]["count"]
        * (2.5 if unit.division.startswith("6301") else 1.0)
        * (2.0 if unit.division == "632801" else 1.0)
        for unit in counties
    ]

    # One handler per handling unit (the demo's own where it has one), agents at the centre.
    names = [s + g for s in catalog["surnames"] for g in catalog["given_names"]]
    demo_users = {
        user.organization_id: user
        for user in User.objects.filter(role_assignments__role__in=[Role.HANDLER, Role.DISPATCHER])
        .exclude(organization_id=root.pk)
        .order_by("pk")
    }
    handler: dict[int, Actor] = {}
    for unit in units.values():
        if unit.level in (Level.PROVINCE, Level.TOWNSHIP, Level.INDUSTRIAL):
            continue
        user = demo_users.get(unit.pk)
        if user is not None:
            handler[unit.pk] = Actor(user.pk, user.name or user.username, unit.pk)
        else:
            handler[unit.pk] = _staff(
                f"bench_handler_{unit.pk}", unit, (Role.HANDLER,), rng.choice(names)
            )

    def at_root(role: str, username: str, count: int) -> list[Actor]:
        demo = User.objects.filter(username=username).first()
        found = [Actor(demo.pk, demo.name, root.pk)] if demo else []
        for index in range(1, count):
            found.append(_staff(f"bench_{role}_{index:02d}", root, (role,), rng.choice(names)))
        return found

    agents = at_root(Role.AGENT, "province_agent", 12)
    dispatchers = at_root(Role.DISPATCHER, "province_dispatcher", 4)
    supervisors = at_root(Role.SUPERVISOR, "province_supervisor", 2)
    lawyers = at_root(Role.LAWYER, "province_lawyer", 3)

    categories: dict[str, list[tuple[int, str, str]]] = {}
    for category in Category.objects.filter(parent__isnull=False).select_related("parent"):
        categories.setdefault(category.parent.code, []).append(
            (category.pk, category.code, category.name)
        )
    for children in categories.values():
        children.sort(key=lambda child: child[1])

    callers = []
    tibetan = set(catalog["tibetan_prefectures"])
    for _index in range(80_000):
        callers.append((_mobile(rng), _person(rng, catalog, tibetan_name=rng.random() < 0.15)))

    # Employers: the grassroots unions' own companies first, then companies named after each
    # county's economy. Ranks are shuffled so the big repeat employers land anywhere.
    employers: list[Employer] = []
    codes = _CreditCodes(rng)
    for unit in units.values():
        if unit.level == Level.GRASSROOTS and unit.name.endswith("工会"):
            name = unit.name.removesuffix("工会")
            known = unit.division in county_of_division or unit.division in prefecture_of_division
            division = unit.division if known else ""
            employers.append(
                Employer(name, employer_key(name), codes.issue("91", unit.division), division, unit)
            )
    patterns_by_county = {
        unit.division: [
            (pattern, catalog["counties"][unit.division]["place"])
            for industry in catalog["counties"][unit.division]["industries"]
            for pattern in catalog["industries"][industry]
        ]
        for unit in counties
    }
    seen = {employer.key for employer in employers}
    county_cum = list(_cumulative(county_weights))
    while len(employers) < 30_000:
        county = counties[bisect.bisect(county_cum, rng.random() * county_cum[-1])]
        pattern, place = rng.choice(patterns_by_county[county.division])
        brand = rng.choice(catalog["brands"]) + rng.choice(EMPLOYER_SUFFIXES)
        name = pattern.format(place=place, brand=brand)
        key = employer_key(name)
        if key in seen:
            continue
        seen.add(key)
        code = codes.issue("91", county.division) if rng.random() < 0.4 else ""
        employers.append(Employer(name, key, code, county.division, None))
    rng.shuffle(employers)

    columns = [model_field.column for model_field in Case._meta.concrete_fields]
    blank = Case()
    defaults = {f.column: getattr(blank, f.attname) for f in Case._meta.concrete_fields}
    return World(
        root=root,
        units=units,
        county_of_division=county_of_division,
        prefecture_of_division=prefecture_of_division,
        counties=counties,
        county_weights=county_weights,
        grassroots_by_county=grassroots_by_county,
        handler=handler,
        agents=agents,
        dispatchers=dispatchers,
        supervisors=supervisors,
        lawyers=lawyers,
        categories=categories,
        callers=callers,
        caller_cum=_zipf_cumulative(len(callers), 150),
        employers=employers,
        employer_cum=_zipf_cumulative(len(employers), 300),
        surnames=catalog["surnames"],
        given_names=catalog["given_names"],
        tibetan_names=catalog["tibetan_names"],
        tibetan_divisions=frozenset(tibetan),
        area_codes=catalog["area_codes"],
        now=now,
        column_names=columns,
        defaults=defaults,
    )


# Two more characters after the catalog's brand, so 30,000 company names can all differ.
EMPLOYER_SUFFIXES = [
    "", "鑫", "瑞", "恒", "泰", "华", "盛", "达", "宏", "源", "丰", "聚", "通", "安", "顺",
    "鑫盛", "恒达", "瑞丰", "宏源", "金泰", "华通", "聚德", "安泰", "永顺", "兴旺",
]  # fmt: skip
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "157", "158", "159", "166", "176", "177", "180", "181", "182", "183", "186",
    "187", "188", "189", "191", "193", "195", "198", "199",
]  # fmt: skip


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def _person(rng: random.Random, catalog: dict[str, Any], *, tibetan_name: bool) -> str:
    if tibetan_name:
        return rng.choice(catalog["tibetan_names"]) + rng.choice(catalog["tibetan_names"])
    return rng.choice(catalog["surnames"]) + rng.choice(catalog["given_names"])


# --- When cases arrive -------------------------------------------------------------------------


def _spring_festival_after(day: datetime.date) -> datetime.date:
    return next(festival for festival in SPRING_FESTIVALS if festival >= day)


def wage_season(day: datetime.date) -> float:
    """0 most of the year, rising to 1 on the eve of the Spring Festival (欠薪 before 春节)."""
    until = (_spring_festival_after(day) - day).days
    return max(0.0, (50 - until) / 50) if until <= 50 else 0.0


def day_weight(day: datetime.date, first: datetime.date) -> float:
    """How many cases arrive on ``day`` relative to an ordinary working day."""
    from hotline.workdays.calendar import is_workday

    weight = 1.0 + 0.12 * (day - first).days / 365.25  # the hotline becomes better known
    if not is_workday(day):
        weight *= 0.45  # the line is staffed on rest days, but fewer people call
    weight *= 1.0 + 0.8 * wage_season(day)
    festival = max(f for f in SPRING_FESTIVALS if f <= day + datetime.timedelta(days=0))
    since = (day - festival).days
    if 7 <= since <= 35:
        weight *= 1.15  # back at work after the festival: contracts, job changes
    return weight


def arrival_times(count: int, now: datetime.datetime) -> list[tuple[datetime.datetime, str]]:
    """``count`` intake moments over the last three years, oldest first, with case numbers
    (local date + the day's sequence, as ``next_case_number`` issues them)."""
    rng = random.Random(f"{SEED}:arrivals")
    today = now.astimezone(LOCAL).date()
    first = today.replace(year=today.year - YEARS)
    days = [first + datetime.timedelta(days=offset) for offset in range((today - first).days + 1)]
    elapsed_today = now.astimezone(LOCAL) - datetime.datetime.combine(today, datetime.time(), LOCAL)
    hour_cum = list(_cumulative(HOUR_WEIGHTS))
    weights = [day_weight(day, first) for day in days]
    # Today only up to now, in proportion to the share of its intake hours already gone.
    hours_done = elapsed_today.total_seconds() / 3600
    weights[-1] *= (
        sum(HOUR_WEIGHTS[: int(hours_done)])
        + HOUR_WEIGHTS[min(int(hours_done), 23)] * (hours_done % 1)
    ) / hour_cum[-1]
    total = sum(weights)
    exact = [count * weight / total for weight in weights]
    counts = [int(value) for value in exact]
    # Largest remainders get the cases rounding left over, so the total is exactly ``count``.
    for index in sorted(range(len(days)), key=lambda i: exact[i] - counts[i], reverse=True)[
        : count - sum(counts)
    ]:
        counts[index] += 1
    result: list[tuple[datetime.datetime, str]] = []
    limit = now - datetime.timedelta(minutes=2)
    for day, day_count in zip(days, counts, strict=True):
        midnight = datetime.datetime.combine(day, datetime.time(), LOCAL)
        moments = []
        while len(moments) < day_count:
            hour = bisect.bisect(hour_cum, rng.random() * hour_cum[-1])
            moment = midnight + datetime.timedelta(
                hours=hour, microseconds=rng.randrange(3_600_000_000)
            )
            if moment < limit:
                moments.append(moment.astimezone(UTC))
        moments.sort()
        stamp = f"{day:%Y%m%d}"
        result.extend((moment, f"{stamp}{seq:05d}") for seq, moment in enumerate(moments, 1))
    return result


# --- One case, walked through the lifecycle ------------------------------------------------------


class Future(Exception):
    """The next step of a case lies after the present moment: its history stops here."""


# Top-level categories: share of all cases, and the kinds a case of it comes as.
CATEGORY_MIX: dict[str, tuple[float, list[tuple[str, float]]]] = {
    "01": (0.27, [("complaint", 0.65), ("consultation", 0.35)]),
    "02": (0.11, [("consultation", 0.6), ("complaint", 0.4)]),
    "03": (0.10, [("consultation", 0.55), ("complaint", 0.45)]),
    "04": (0.07, [("consultation", 0.5), ("complaint", 0.3), ("help", 0.2)]),
    "05": (0.06, [("consultation", 0.5), ("complaint", 0.5)]),
    "06": (0.03, [("consultation", 0.5), ("complaint", 0.5)]),
    "07": (0.03, [("complaint", 0.7), ("suggestion", 0.3)]),
    "08": (0.10, [("consultation", 0.5), ("complaint", 0.5)]),
    "09": (0.04, [("membership", 1.0)]),
    "10": (0.04, [("help", 1.0)]),
    "11": (0.09, [("consultation", 1.0)]),
    "12": (0.03, [("suggestion", 1.0)]),
    "13": (0.015, [("praise", 1.0)]),
    "99": (0.015, [("consultation", 0.6), ("suggestion", 0.4)]),
}
# Within 劳动报酬, unpaid wages dominate.
WAGE_CHILDREN = {"0101": 0.6, "0102": 0.12, "0103": 0.12, "0104": 0.05, "0105": 0.04}
CHANNELS = [
    ("phone", 0.62), ("wechat", 0.14), ("web", 0.10), ("walk_in", 0.05), ("national", 0.04),
    ("letter", 0.015), ("email", 0.01), ("api", 0.025),
]  # fmt: skip
PUBLIC_CHANNELS = frozenset({"web", "wechat"})
# How each kind is usually settled: resolved on first contact, dispatched, declined, merged.
OUTCOMES = {
    "consultation": [("direct", 0.84), ("dispatch", 0.09), ("decline", 0.05), ("merge", 0.02)],
    "complaint": [("dispatch", 0.80), ("direct", 0.08), ("decline", 0.08), ("merge", 0.04)],
    "help": [("dispatch", 0.85), ("direct", 0.10), ("decline", 0.05)],
    "suggestion": [("dispatch", 0.5), ("direct", 0.5)],
    "praise": [("direct", 0.9), ("dispatch", 0.1)],
    "membership": [("dispatch", 0.7), ("direct", 0.3)],
}
# Median days from acknowledgement to reply, by kind (the completion rule is 1 to 15 days).
REPLY_DAYS = {
    "consultation": 0.6,
    "complaint": 6.0,
    "help": 2.5,
    "suggestion": 4.0,
    "praise": 1.5,
    "membership": 2.5,
}

JOBS = [
    "建筑工人", "钢筋工", "保安", "保洁员", "厨师", "服务员", "货车司机", "快递员", "外卖骑手",
    "仓库管理员", "销售", "会计", "车间操作工", "护工", "矿工", "电焊工", "装卸工", "拉面师傅",
    "网约车司机", "收银员", "化验员", "放牧工",
]  # fmt: skip
DESCRIPTIONS = {
    "01": [
        "我在{employer}做{job}，{months}个月工资共{amount}元一直没有发，找老板讨要多次无果，"
        "眼看要过年了，希望工会帮忙讨薪。",
        "我们{people}人在{employer}的工地干活，包工头说工程款没结算，拖欠我们工资{amount}元，"
        "现在联系不上人了，请工会帮忙。",
        "{employer}每月无故克扣工资，这个月又扣了{small}元，说是迟到罚款，请问这样合法吗？",
        "单位安排我们节假日加班，没有支付加班费，也不安排补休，共加班{days}天，想咨询如何维权。",
        "我在{employer}上班，工资低于当地最低工资标准，每月只有{small}元，请工会核实。",
    ],
    "02": [
        "我在{employer}工作{years}年了，单位一直没有给缴纳社会保险，想问怎么办。",
        "{employer}给我们按最低基数缴纳社保，和实际工资差距很大，请问可以要求补缴吗？",
        "我换工作到外地，养老保险关系怎么转移？需要准备哪些材料？",
        "住房公积金单位停缴了{months}个月，问了人事说公司困难，请问如何处理。",
    ],
    "03": [
        "我在{employer}干了{months}个月，一直没签劳动合同，请问可以要求双倍工资吗？",
        "试用期被延长到{months}个月，工资只发八成，这样合法吗？",
        "我是{job}，平台说我们不是劳动关系，出了事找谁？想咨询新就业形态劳动者的权益。",
        "公司让我们和劳务派遣公司重新签合同，工龄要清零，想咨询怎么办。",
    ],
    "04": [
        "我在{employer}做{job}时受伤，单位不给申报工伤，已经住院{days}天了，请帮帮我。",
        "工伤认定下来了，单位一直不支付停工留薪期工资，请问怎么维权？",
        "在高原矿区干活多年，现在查出尘肺病，想申请职业病诊断，不知道怎么办理。",
    ],
    "05": [
        "{employer}长期要求每天工作{hours}小时，一个月只休两天，身体吃不消，请工会关注。",
        "我工作满{years}年了，单位从来不让休带薪年休假，也不给补偿，想咨询。",
        "生病请病假，单位说病假期间不发工资，请问医疗期待遇怎么计算？",
    ],
    "06": [
        "我怀孕{months}个月了，{employer}让我主动辞职，不然就调岗降薪，请工会帮忙。",
        "休完产假回来，岗位被别人顶了，单位让我去做{job}，工资少了一半。",
        "单位不让哺乳期女职工按规定休息，请问有什么规定？",
    ],
    "07": [
        "{employer}的车间粉尘很大，不发口罩和防护用品，工人都咳嗽，请有关部门检查。",
        "高原夏季施工没有防暑降温措施，也没有高原作业补贴，请工会关注。",
        "单位新招的工人没有经过安全培训就上岗操作设备，很危险。",
    ],
    "08": [
        "{employer}突然通知我明天不用来了，没有任何补偿，我已经工作了{years}年。",
        "公司说经营困难要裁员，我们{people}个人被辞退，经济补偿怎么算？",
        "我提出辞职，单位不给开离职证明，也不给办社保转移手续。",
    ],
    "09": [
        "我是{job}，想加入工会，请问怎么办理入会手续？",
        "我们{employer}有{people}多名职工，想成立工会，需要什么程序？",
        "换了单位，会员关系怎么转接？会员服务卡还能用吗？",
    ],
    "10": [
        "家里孩子考上大学，生活困难，想申请工会的金秋助学。",
        "我爱人患重病住院，花了{amount}元，家庭困难，想申请医疗救助。",
        "下岗后一直没找到工作，想咨询工会有没有就业培训和帮扶。",
    ],
    "11": [
        "想申请劳动仲裁，需要准备哪些材料？仲裁时效是多长时间？",
        "老板拖欠工资不给，我想请律师但是没钱，能申请法律援助吗？",
        "请问今年本地最低工资标准是多少？",
    ],
    "12": [
        "建议工会多组织户外劳动者驿站，冬天环卫工人和外卖骑手没地方取暖。",
        "热线电话有时打不进去，建议增加坐席或者开通留言功能。",
    ],
    "13": [
        "感谢{unit}帮我们讨回了工资，工作人员很负责，特此表扬。",
        "热线的工作人员耐心解答问题，态度很好，表示感谢。",
    ],
    "99": ["想咨询一下工会的其他服务，比如职工疗休养怎么申请。"],
}
ANSWERS = [
    "根据《劳动合同法》第八十二条，用人单位自用工之日起超过一个月不满一年未与劳动者订立书面"
    "劳动合同的，应当向劳动者每月支付二倍的工资。建议保留工资流水、考勤等证据。",
    "劳动争议申请仲裁的时效期间为一年，从当事人知道或者应当知道其权利被侵害之日起计算。"
    "可向用人单位所在地的劳动人事争议仲裁委员会申请，工会可提供法律援助。",
    "已告知职工向工作所在地人社部门咨询社保补缴事宜，并说明了所需材料。",
    "已解答入会程序：向所在单位工会或所在地乡镇（街道）工会提出申请，填写入会申请书即可。",
    "已告知职工工伤认定申请时限和所需材料，提醒在事故发生之日起一年内提出申请。",
    "已将您的意见转达相关部门，感谢您对工会工作的支持。",
]
REFERRALS = [
    "该诉求属于人社部门劳动保障监察职责，请拨打12333或到当地劳动保障监察大队投诉。",
    "该事项属于民事纠纷，建议向人民法院提起诉讼，可申请法律援助。",
    "请向用人单位所在地劳动人事争议仲裁委员会申请仲裁。",
    "该事项涉及医保政策，请咨询当地医疗保障局。",
]
REPLIES_SOLVED = [
    "经{unit}核实，{employer}已于近日补发拖欠工资{amount}元，职工表示认可。",
    "经{unit}协调，单位已为职工补缴社会保险并签订书面劳动合同。",
    "经{unit}调解，双方达成和解，单位支付经济补偿{amount}元。",
    "{unit}已上门走访，企业承诺整改，职工对处理结果表示满意。",
]
REPLIES_UNSOLVED = [
    "经{unit}多次调解，双方未能达成一致，已引导职工申请劳动仲裁，并安排律师提供法律援助。",
    "企业负责人暂时联系不上，{unit}已将线索移交劳动保障监察部门，将持续跟进。",
]
DISPATCH_NOTES = ["请核实处理并按期回复。", "请尽快联系职工，依法维护其合法权益。", ""]
URGE_NOTES = ["请抓紧办理，职工多次来电询问。", "已临近办理期限，请加快进度。", ""]
SUPERVISE_NOTES = ["涉及人数较多，列为督办件。", "职工反复来电，列为督办件，请限期办结。"]
COMMENTS = ["已电话联系职工了解情况。", "职工补充提供了工资条和考勤记录。", "已联系用人单位核实。"]
FOLLOW_UP_NOTES = ["回访职工，对办理结果满意。", "职工表示问题已解决。", "", ""]
CLOSE_EXPLANATIONS = ["经复核，承办单位已依法处理，职工诉求超出政策范围，予以办结。"]


@dataclass
class Event:
    at: datetime.datetime
    action: str
    actor: Actor
    org_id: int | None
    from_status: str
    to_status: str
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    public: bool = False


# Working days per (stage, kind, category), read once per process (a query each).
RULE_DAYS: dict[tuple[str, str, int], int] = {}


class Planner:
    """Plans the cases of one chunk: each case's fields and events, as the services would have
    left them had each step happened at its planned moment, up to now."""

    def __init__(self, world: World, rng: random.Random) -> None:
        from hotline.cases import deadlines

        self.world, self.rng, self.now = world, rng, world.now
        self.deadlines = deadlines
        self._deadline: dict[tuple[datetime.date, int], datetime.datetime] = {}
        self.recent: list[tuple[dict[str, Any], list[Event]]] = []

    # -- the running clock, through the project's deadline functions --

    def rule(self, stage: str, kind: str, category_id: int) -> int:
        key = (stage, kind, category_id)
        if key not in RULE_DAYS:
            RULE_DAYS[key] = self.deadlines.rule_days(stage, kind, category_id)
        return RULE_DAYS[key]

    def deadline_for(self, start: datetime.datetime, days: int) -> datetime.datetime:
        key = (self.deadlines.local_date(start), days)
        if key not in self._deadline:
            self._deadline[key] = self.deadlines.deadline_for(start, days)
        return self._deadline[key]

    def set_clock(
        self,
        case: dict[str, Any],
        stage: str,
        start: datetime.datetime,
        *,
        deadline: datetime.datetime | None = None,
        at: datetime.datetime | None = None,
    ) -> None:
        """``deadlines.set_clock`` on the planned row; ``at`` is when it runs (default
        ``start``): a reminder can only follow the action that set the clock."""
        case["_clock_at"] = at or start
        days = None
        if deadline is None:
            days = self.rule(stage, case["kind"], case["category_id"])
        self.deadlines.set_clock(case, stage, start, days, deadline=deadline)  # type: ignore[arg-type]

    def clear_clock(self, case: dict[str, Any]) -> None:
        self.deadlines.clear_clock(case)  # type: ignore[arg-type]

    # -- helpers --

    def pick(self, weighted: list[tuple[str, float]]) -> str:
        point, total = self.rng.random() * sum(w for _, w in weighted), 0.0
        for value, weight in weighted:
            total += weight
            if point < total:
                return value
        return weighted[-1][0]

    def later(
        self, moment: datetime.datetime, median_hours: float, sigma: float = 0.8
    ) -> datetime.datetime:
        """A moment a log-normal while after ``moment``; ``Future`` if that is after now."""
        hours = self.rng.lognormvariate(math.log(median_hours), sigma)
        return self.step(moment + datetime.timedelta(hours=hours))

    def step(self, moment: datetime.datetime) -> datetime.datetime:
        if moment > self.now:
            raise Future
        return moment

    def event(
        self,
        events: list[Event],
        case: dict[str, Any],
        at: datetime.datetime,
        action: str,
        actor: Actor,
        to_status: str | None = None,
        **extra: Any,
    ) -> None:
        from_status = case["status"]
        if to_status is not None:
            case["status"] = to_status
        events.append(Event(at, action, actor, actor.org_id, from_status, case["status"], **extra))

    def text(self, template: str, case: dict[str, Any], unit: str = "") -> str:
        rng = self.rng
        return template.format(
            employer=case["employer_name"] or "单位",
            job=rng.choice(JOBS),
            months=rng.randint(2, 10),
            amount=rng.randrange(3, 400) * 100 * max(1, min(case["people_involved"], 20)),
            small=rng.randrange(5, 40) * 50,
            people=case["people_involved"],
            days=rng.randint(3, 30),
            years=rng.randint(1, 15),
            hours=rng.randint(11, 14),
            unit=unit or "承办单位",
        )

    # -- one case --

    def plan(self, pk: int, number: str, created: datetime.datetime) -> tuple[dict, list[Event]]:
        world, rng = self.world, self.rng
        case = self.new_case(pk, number, created)
        events: list[Event] = []
        outcome = self.pick(OUTCOMES[case["kind"]])
        original = self.find_original(case) if outcome == "merge" else None
        if outcome == "merge" and original is None:
            outcome = "direct"
        creator = WORKER if case["channel"] in PUBLIC_CHANNELS else rng.choice(world.agents[:6])
        case["created_by_id"] = creator.pk
        agent = rng.choice(world.agents)
        self.set_clock(case, "accept", created)
        self.event(
            events,
            case,
            created,
            "create",
            creator,
            "received",
            data={"channel": case["channel"]},
            public=True,
        )
        try:
            if outcome == "decline":
                self.decline(case, events, agent)
            else:
                self.accept(case, events, agent)
                if outcome == "merge":
                    self.merge(case, events, agent, original)
                elif outcome == "direct":
                    self.resolve_directly(case, events, agent)
                    self.follow_up(case, events)
                else:
                    self.dispatch_and_handle(case, events)
                    self.follow_up(case, events)
        except Future:
            pass
        self.reminders(case, events)
        case["event_count"] = len(events)  # provisional; merges may add to an original
        self.recent.append((case, events))
        if len(self.recent) > 300:
            del self.recent[:100]
        return case, events

    def new_case(self, pk: int, number: str, created: datetime.datetime) -> dict[str, Any]:
        world, rng = self.world, self.rng
        local_day = created.astimezone(LOCAL).date()
        top = self.pick_category(local_day)
        children = world.categories[top]
        if top == "01":
            code = self.pick([*WAGE_CHILDREN.items(), ("rest", 0.07)])
            child = next((c for c in children if c[1] == code), children[-1])
        else:
            child = children[0] if rng.random() < 0.4 else rng.choice(children)
        kind = self.pick(CATEGORY_MIX[top][1])
        channel = self.pick(CHANNELS)
        employer: Employer | None = None
        if top in ("09", "10", "11", "12", "99") and rng.random() < 0.7:
            employer = None
        elif rng.random() < 0.85:
            index = bisect.bisect(world.employer_cum, rng.random() * world.employer_cum[-1])
            employer = world.employers[index]
        if employer is not None and employer.division:
            division = employer.division
        else:
            cum = list(_cumulative(world.county_weights))
            county = world.counties[bisect.bisect(cum, rng.random() * cum[-1])]
            division = county.division
        anonymous = rng.random() < 0.03
        if rng.random() < 0.3:
            index = bisect.bisect(world.caller_cum, rng.random() * world.caller_cum[-1])
            phone, name = world.callers[index]
        else:
            phone = _mobile(rng)
            if rng.random() < 0.05:
                prefecture = division[:4] + "00"
                area = world.area_codes.get(division, world.area_codes.get(prefecture, "0971"))
                phone = area + f"{rng.randrange(10_000_000):07d}"
            tibetan = division[:4] + "00" in world.tibetan_divisions
            name = _person(
                rng,
                {
                    "surnames": world.surnames,
                    "given_names": world.given_names,
                    "tibetan_names": world.tibetan_names,
                },
                tibetan_name=tibetan and rng.random() < 0.6,
            )
        if anonymous:
            name = ""
            if channel not in PUBLIC_CHANNELS and rng.random() < 0.5:
                phone = ""
        people = 1
        if rng.random() < 0.15:
            people = min(300, int(rng.paretovariate(1.3)) + 1)
        case = Row(self.world.defaults)
        case.update(
            {
                "id": pk,
                "number": number,
                "channel": channel,
                "kind": kind,
                "category_id": child[0],
                "worker_name": name,
                "phone": phone,
                "id_number_encrypted": "",
                "id_number_tail": "",
                "is_anonymous": anonymous,
                "is_confidential": rng.random() < 0.02,
                "employer_name": employer.name if employer else "",
                "employer_key": employer.key if employer else "",
                "employer_credit_code": (
                    employer.credit_code if employer and rng.random() < 0.5 else ""
                ),
                "workplace_division_id": division,
                "people_involved": people,
                "status": "",
                "owner_org_id": world.root.pk,
                "owner_path": world.root.path,
                "handling_org_id": None,
                "handling_path": "",
                "dispatching_org_id": None,
                "dispatch_chain": [],
                "lawyer_id": None,
                "stage": "",
                "deadline_at": None,
                "warning_at": None,
                "warned_at": None,
                "overdue_notified_at": None,
                "completion_due_at": None,
                "extension_state": "",
                "extension_days": None,
                "extension_reason": "",
                "supervised": False,
                "urge_count": 0,
                "return_count": 0,
                "answer": "",
                "referral": "",
                "reply_text": "",
                "reply_solved": None,
                "rating": "",
                "solved": None,
                "rated_by_worker": False,
                "merged_into_id": None,
                "created_by_id": None,
                "intake_key": None,
                "created_at": created,
                "accepted_at": None,
                "dispatched_at": None,
                "acknowledged_at": None,
                "replied_at": None,
                "resolved_at": None,
                "followed_up_at": None,
                "closed_at": None,
                "updated_at": created,
                "event_count": 0,
                "last_event_hash": "",
                # Planning only, not columns:
                "_employer": employer,
                "_template": rng.choice(DESCRIPTIONS[top]),
            }
        )
        description = self.text(case["_template"], case)
        case["description"] = description
        case["title"] = self.title(child[2], kind, employer)
        if not anonymous and rng.random() < 0.08:
            number_id = self.id_number(division)
            case["id_number_encrypted"] = self.encrypt(number_id)
            case["id_number_tail"] = number_id[-4:]
        return case

    def pick_category(self, day: datetime.date) -> str:
        season = wage_season(day)
        weighted = [
            (code, share * (1.0 + 2.0 * season if code == "01" else 1.0))
            for code, (share, _kinds) in CATEGORY_MIX.items()
        ]
        return self.pick(weighted)

    def title(self, category_name: str, kind: str, employer: Employer | None) -> str:
        if kind == "complaint" and employer is not None:
            return f"反映{employer.name}{category_name}问题"[:100]
        if kind == "consultation":
            return f"咨询{category_name}"
        if kind == "help":
            return f"申请{category_name}"
        if kind == "praise":
            return "表扬"
        return category_name

    def id_number(self, division: str) -> str:
        from hotline.cases.crypto import id_number_check_char

        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=self.rng.randrange(16_000))
        first17 = f"{division}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
        return first17 + id_number_check_char(first17)

    @staticmethod
    def encrypt(value: str) -> str:
        from hotline.cases import crypto

        return crypto.encrypt(value)

    def find_original(self, case: dict[str, Any]) -> tuple[dict, list[Event]] | None:
        """A recent case this one repeats: not merged, still short enough to take one more
        event. The duplicate takes over its caller, employer and topic."""
        for original, events in reversed(self.recent[-40:]):
            if (
                original["status"] != "merged"
                and original["phone"]
                and len(events) <= 6
                and self.rng.random() < 0.3
            ):
                for name in (
                    "phone", "worker_name", "employer_name", "employer_key", "category_id",
                    "kind", "workplace_division_id", "is_anonymous", "_employer", "title",
                ):  # fmt: skip
                    case[name] = original[name]
                case["description"] = (
                    original["description"] + "之前反映过，一直没有结果，再次来电。"
                )
                return original, events
        return None

    # -- the steps, each doing what its service does --

    def accept(self, case: dict, events: list[Event], agent: Actor) -> None:
        public = case["channel"] in PUBLIC_CHANNELS
        at = self.later(case["created_at"], 3.0 if public else 0.08, 1.0)
        case["accepted_at"] = at
        self.set_clock(case, "complete", at)
        case["completion_due_at"] = case["deadline_at"]
        self.event(events, case, at, "accept", agent, "accepted", public=True)

    def decline(self, case: dict, events: list[Event], agent: Actor) -> None:
        noted = self.later(case["created_at"], 0.05)
        self.event(events, case, noted, "comment", agent, note=self.rng.choice(COMMENTS))
        at = self.later(noted, 1.0)
        referral = self.rng.choice(REFERRALS)
        case["referral"] = referral
        case["closed_at"] = at
        self.clear_clock(case)
        self.event(
            events,
            case,
            at,
            "decline",
            agent,
            "declined",
            note=referral,
            data={"public_text": referral},
            public=True,
        )

    def resolve_directly(self, case: dict, events: list[Event], agent: Actor) -> None:
        actor = agent
        start = case["accepted_at"]
        if case["kind"] == "consultation" and self.rng.random() < 0.15:
            lawyer = self.rng.choice(self.world.lawyers)
            at = self.later(start, 0.5)
            case["lawyer_id"] = lawyer.pk
            self.event(events, case, at, "assign_lawyer", agent, data={"lawyer": lawyer.pk})
            actor, start = lawyer, at
        at = self.later(start, 0.3 if actor is agent else 20.0, 1.0)
        answer = self.rng.choice(ANSWERS)
        case["answer"] = answer
        case["resolved_at"] = at
        self.set_clock(case, "follow_up", at)
        self.event(
            events,
            case,
            at,
            "resolve_directly",
            actor,
            "resolved",
            note=answer,
            data={"public_text": answer, "article": ""},
            public=True,
        )

    def handling_unit(self, case: dict) -> Unit:
        world, rng = self.world, self.rng
        employer: Employer | None = case["_employer"]
        if employer is not None and employer.union is not None and rng.random() < 0.5:
            return employer.union
        division = case["workplace_division_id"]
        county = world.county_of_division.get(division)
        prefecture = world.prefecture_of_division.get(division[:4] + "00")
        if prefecture is not None and (county is None or rng.random() < 0.08):
            return prefecture
        if county is not None:
            return county
        return rng.choice(world.counties)

    def dispatch_and_handle(self, case: dict, events: list[Event]) -> None:
        world, rng = self.world, self.rng
        dispatcher = rng.choice(world.dispatchers)
        unit = self.handling_unit(case)
        at = self.later(case["accepted_at"], 1.0, 1.0)
        due = self.deadline_for(at, self.rule("complete", case["kind"], case["category_id"]))
        case["dispatch_chain"] = [{"org": world.root.pk, "due": _iso(case["completion_due_at"])}]
        case["dispatching_org_id"] = world.root.pk
        case["handling_org_id"], case["handling_path"] = unit.pk, unit.path
        case["dispatched_at"] = at
        case["completion_due_at"] = due
        assisting = self.assisting_units(unit) if rng.random() < 0.04 else []
        case["_assisting"] = assisting
        self.set_clock(case, "acknowledge", at)
        if case["deadline_at"] > due:
            self.set_clock(case, "acknowledge", at, deadline=due)
        self.event(
            events,
            case,
            at,
            "dispatch",
            dispatcher,
            "dispatched",
            note=rng.choice(DISPATCH_NOTES),
            data={
                "to": unit.pk,
                "to_name": unit.name,
                "assisting": [helper.pk for helper in assisting],
                "days": None,
                "completion_due_at": _iso(due),
            },
            public=True,
        )
        handler = world.handler[unit.pk]
        ack = self.later(at, 3.0 if rng.random() > 0.04 else 40.0, 1.0)
        on_time = ack <= case["deadline_at"]
        case["acknowledged_at"] = ack
        self.set_clock(case, "complete", at, deadline=due, at=ack)
        self.event(
            events,
            case,
            ack,
            "acknowledge",
            handler,
            "in_progress",
            data={"on_time": on_time},
            public=True,
        )
        # How long the unit takes: mostly within the rule, some late, a few stuck for months.
        median = REPLY_DAYS[case["kind"]] * 24
        draw = rng.random()
        if draw < 0.004:
            median *= 20
        elif draw < 0.06:
            median *= 2.5
        reply_at = ack + datetime.timedelta(hours=rng.lognormvariate(math.log(median), 0.7))
        # What happens while the unit works: a note, an urge, supervision, an extension.
        extra = rng.random()
        midway = ack + (reply_at - ack) * rng.uniform(0.3, 0.9)
        if reply_at - ack > datetime.timedelta(days=20) and rng.random() < 0.5:
            supervisor = rng.choice(world.supervisors)
            self.step(midway)
            case["supervised"] = True
            self.event(
                events, case, midway, "supervise", supervisor, note=rng.choice(SUPERVISE_NOTES)
            )
        elif extra < 0.05:
            self.step(midway)
            case["urge_count"] += 1
            self.event(
                events,
                case,
                midway,
                "urge",
                dispatcher,
                note=rng.choice(URGE_NOTES),
                data={"count": case["urge_count"]},
            )
        elif extra < 0.12:
            self.step(midway)
            self.event(events, case, midway, "comment", handler, note=rng.choice(COMMENTS))
        elif extra < 0.14 and reply_at > self.now:
            # Running long: the unit asks for more time (only open cases carry one here; a
            # closed history with an extension would pass eight events).
            self.extension(case, events, handler, dispatcher, ack, reply_at)
        reply_at = self.step(reply_at)
        solved = rng.random() < 0.82
        result = self.text(
            rng.choice(REPLIES_SOLVED if solved else REPLIES_UNSOLVED), case, unit.name
        )
        on_time = reply_at <= case["completion_due_at"]
        case["reply_text"], case["reply_solved"], case["replied_at"] = result, solved, reply_at
        self.set_clock(case, "review", reply_at)
        self.event(
            events,
            case,
            reply_at,
            "reply",
            handler,
            "replied",
            note=result,
            data={
                "solved": solved,
                "on_time": on_time,
                "completion_due_at": _iso(case["completion_due_at"]),
            },
        )
        approved = self.later(reply_at, 5.0, 1.0)
        case["resolved_at"] = approved
        self.set_clock(case, "follow_up", approved)
        self.event(
            events,
            case,
            approved,
            "approve",
            dispatcher,
            "resolved",
            data={"public_text": result, "solved": solved},
            public=True,
        )

    def extension(
        self,
        case: dict,
        events: list[Event],
        handler: Actor,
        dispatcher: Actor,
        ack: datetime.datetime,
        reply_at: datetime.datetime,
    ) -> None:
        rng = self.rng
        asked = self.step(ack + (case["completion_due_at"] - ack) * rng.uniform(0.5, 0.9))
        days = rng.choice([5, 10, 15])
        reason = "涉及人数较多，需进一步调查取证。"
        case.update(extension_state="requested", extension_days=days, extension_reason=reason)
        self.event(
            events, case, asked, "request_extension", handler, note=reason, data={"days": days}
        )
        decided = self.later(asked, 8.0)
        approve = rng.random() < 0.85
        if approve:
            case["extension_state"] = "approved"
            case["completion_due_at"] = self.deadline_for(case["completion_due_at"], days)
            self.set_clock(case, "complete", decided, deadline=case["completion_due_at"])
        else:
            case["extension_state"] = "refused"
        self.event(
            events,
            case,
            decided,
            "decide_extension",
            dispatcher,
            note="" if approve else "请在原期限内办结。",
            data={
                "approved": approve,
                "days": days,
                "completion_due_at": _iso(case["completion_due_at"]),
            },
        )

    def assisting_units(self, unit: Unit) -> list[Unit]:
        world = self.world
        if unit.level == "county":
            pool = [u for u in world.grassroots_by_county.get(unit.pk, []) if u.pk != unit.pk]
        else:
            pool = [c for c in world.counties if c.pk != unit.pk and c.path[:10] == unit.path[:10]]
        if not pool:
            return []
        return self.rng.sample(pool, min(len(pool), self.rng.choice([1, 1, 2])))

    def follow_up(self, case: dict, events: list[Event]) -> None:
        rng = self.rng
        online = case["channel"] in PUBLIC_CHANNELS and rng.random() < 0.35
        at = self.later(case["resolved_at"], 20.0 if rng.random() > 0.03 else 150.0, 0.9)
        solved = bool(case["reply_solved"]) if case["reply_solved"] is not None else True
        if rng.random() < 0.1:
            solved = not solved
        draw = rng.random()
        if solved:
            rating = (
                "satisfied"
                if draw < 0.86
                else "basically_satisfied"
                if draw < 0.97
                else "dissatisfied"
            )
        else:
            rating = "dissatisfied" if draw < 0.45 else "basically_satisfied"
        if rating == "dissatisfied" and len(events) >= 7:
            rating = "basically_satisfied"  # keeps every history within eight events
        actor = WORKER if online else rng.choice(self.world.agents)
        case.update(rating=rating, solved=solved, followed_up_at=at, rated_by_worker=online)
        self.clear_clock(case)
        to_status = "resolved" if rating == "dissatisfied" else "closed"
        if to_status == "closed":
            case["closed_at"] = at
        self.event(
            events,
            case,
            at,
            "rate" if online else "follow_up",
            actor,
            to_status,
            note="" if online else rng.choice(FOLLOW_UP_NOTES),
            data={"rating": rating, "solved": solved},
            public=True,
        )
        if rating == "dissatisfied":
            # Closed by a supervisor after review: one more event (histories stay within 8).
            closed = self.later(at, 60.0, 0.7)
            case["closed_at"] = closed
            self.event(
                events,
                case,
                closed,
                "close",
                rng.choice(self.world.supervisors),
                "closed",
                note=CLOSE_EXPLANATIONS[0],
                public=True,
            )

    def merge(
        self, case: dict, events: list[Event], agent: Actor, original: tuple[dict, list[Event]]
    ) -> None:
        target, target_events = original
        at = self.later(case["accepted_at"], 0.5)
        case["merged_into_id"] = target["id"]
        case["closed_at"] = at
        self.clear_clock(case)
        self.event(
            events,
            case,
            at,
            "merge",
            agent,
            "merged",
            data={"into": target["number"]},
            public=True,
        )
        status = next(
            (event.to_status for event in reversed(target_events) if event.at <= at),
            target["status"],
        )
        target_events.append(
            Event(
                at, "merge", agent, agent.org_id, status, status, data={"duplicate": case["number"]}
            )
        )
        target_events.sort(key=lambda event: event.at)
        target["updated_at"] = max(target["updated_at"], at)

    def reminders(self, case: dict, events: list[Event]) -> None:
        """What the periodic deadline job (every few minutes) has done for an open clock."""
        if case["deadline_at"] is None:
            return
        lag = datetime.timedelta(minutes=self.rng.randint(1, 5))
        warning, deadline = case["warning_at"], case["deadline_at"]
        # The job sees a clock only once the action that set it has committed.
        warn_at = max(warning, case["_clock_at"]) + lag
        overdue_at = max(deadline, case["_clock_at"]) + lag
        unit = self.waiting_unit(case)
        # Histories stay within eight events: a notice with no room is one the job has yet to
        # send (its flag stays empty, as it would be before the job's next run).
        room = 8 - len(events)
        if room < 1:
            return
        if warn_at <= self.now and warn_at <= deadline and (room >= 2 or overdue_at > self.now):
            case["warned_at"] = warn_at
            self.event(
                events,
                case,
                warn_at,
                "deadline_warning",
                Actor(None, "", unit),
                data={
                    "kind": "due_soon",
                    "stage": case["stage"],
                    "deadline_at": deadline.isoformat(),
                },
            )
        if overdue_at <= self.now and len(events) < 8:
            case["overdue_notified_at"] = overdue_at
            case["warned_at"] = case["warned_at"] or overdue_at
            self.event(
                events,
                case,
                overdue_at,
                "deadline_warning",
                Actor(None, "", unit),
                data={
                    "kind": "overdue",
                    "stage": case["stage"],
                    "deadline_at": deadline.isoformat(),
                },
            )

    @staticmethod
    def waiting_unit(case: dict) -> int:
        if case["stage"] == "review" and case["dispatching_org_id"]:
            return case["dispatching_org_id"]
        if case["stage"] in ("acknowledge", "complete") and case["handling_org_id"]:
            return case["handling_org_id"]
        return case["owner_org_id"]


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- Writing a chunk -----------------------------------------------------------------------------

EVENT_COLUMNS = [
    "case_id", "sequence", "action", "actor_id", "actor_name", "organization_id", "from_status",
    "to_status", "note", "data", "public", "created_at", "previous_hash", "hash",
]  # fmt: skip


def write_chunk(task: tuple[int, list[tuple[int, datetime.datetime, str]]]) -> dict[str, Any]:
    """Plan and COPY one chunk of cases (run in a worker process)."""
    from django.db import connection, transaction

    from hotline.cases.events import canonical_data, event_hash

    index, arrivals = task
    world = WORLD
    assert world is not None
    started = time.perf_counter()
    planner = Planner(world, random.Random(f"{SEED}:chunk:{index}"))
    planned = [planner.plan(pk, number, created) for pk, created, number in arrivals]
    case_rows, event_rows, assist_rows = [], [], []
    statuses: Counter[str] = Counter()
    for case, events in planned:
        # Merges and reminders were added after the steps: history is in time order.
        events.sort(key=lambda event: event.at)
        previous = ""
        for sequence, event in enumerate(events, 1):
            data = canonical_data(event.data)
            digest = event_hash(
                previous,
                number=case["number"],
                sequence=sequence,
                action=event.action,
                actor_id=event.actor.pk,
                actor_name=event.actor.name,
                organization_id=event.org_id,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                data=data,
                public=event.public,
                created_at=event.at,
            )
            event_rows.append(
                (
                    case["id"], sequence, event.action, event.actor.pk, event.actor.name,
                    event.org_id, event.from_status, event.to_status, event.note,
                    json.dumps(data, ensure_ascii=False), event.public, event.at, previous,
                    digest,
                )
            )  # fmt: skip
            previous = digest
        case["event_count"] = len(events)
        case["last_event_hash"] = previous
        case["updated_at"] = max(case["updated_at"], events[-1].at)
        case["dispatch_chain"] = json.dumps(case["dispatch_chain"])
        statuses[case["status"]] += 1
        for helper in case.get("_assisting", ()):
            assist_rows.append((case["id"], helper.pk, helper.path))
        case_rows.append([case[column] for column in world.column_names])
    planned_at = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        columns = ", ".join(world.column_names)
        with cursor.copy(f"COPY cases_case ({columns}) FROM STDIN") as copy:
            for row in case_rows:
                copy.write_row(row)
        with cursor.copy(f"COPY cases_caseevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row in event_rows:
                copy.write_row(row)
        if assist_rows:
            with cursor.copy(
                "COPY cases_caseassist (case_id, organization_id, path) FROM STDIN"
            ) as copy:
                for row in assist_rows:
                    copy.write_row(row)
    return {
        "cases": len(case_rows),
        "events": len(event_rows),
        "statuses": statuses,
        "plan_s": planned_at - started,
        "copy_s": time.perf_counter() - planned_at,
    }


def _init_worker() -> None:
    from django.db import connections

    # Each process opens its own connection; the parent's must not be shared across fork.
    connections.close_all()


# --- Indexes off during the load, rebuilt after -------------------------------------------------

BULK_TABLES = ("cases_case", "cases_caseevent")


@dataclass
class SavedSchema:
    constraints: list[tuple[str, str, str]]  # table, name, definition
    indexes: list[str]  # CREATE INDEX statements


def drop_secondary_indexes() -> SavedSchema:
    """Drop the foreign keys, unique constraints and plain indexes of the two big tables (the
    primary keys stay); return what it takes to put them back exactly as they were."""
    from django.db import connection

    saved = SavedSchema([], [])
    with connection.cursor() as cursor:
        for table in BULK_TABLES:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
                [table],
            )
            saved.constraints += [(table, name, definition) for name, definition in cursor]
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
                "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) "
                "ORDER BY indexname",
                [table, table],
            )
            rows = cursor.fetchall()
            saved.indexes += [definition for _name, definition in rows]
            for _table, name, _definition in saved.constraints:
                if _table == table:
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in rows:
                cursor.execute(f'DROP INDEX "{name}"')
    return saved


def restore_indexes(saved: SavedSchema) -> float:
    """Build the indexes again, then the constraints (which check every row as they come)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem TO '1GB'")
        for definition in saved.indexes:
            cursor.execute(definition)
        for table, name, definition in sorted(saved.constraints, key=lambda c: "FOREIGN" in c[2]):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("RESET maintenance_work_mem")
    return time.perf_counter() - started


# --- Main ---------------------------------------------------------------------------------------


def prepare() -> None:
    from django.core.management import call_command

    from hotline.organizations.demo import DEFAULT_PASSWORD, load_demo

    call_command("migrate", interactive=False, verbosity=0)
    print(load_demo(DEFAULT_PASSWORD))


def finish(arrivals: list[tuple[datetime.datetime, str]]) -> None:
    """Sequences and counters after explicit ids: the next intake must not collide."""
    from django.db import connection

    from hotline.cases.models import DailySequence

    with connection.cursor() as cursor:
        for table in (*BULK_TABLES, "cases_caseassist"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
    last: dict[datetime.date, int] = {}
    for _moment, number in arrivals:
        day = datetime.date(int(number[:4]), int(number[4:6]), int(number[6:8]))
        last[day] = max(last.get(day, 0), int(number[8:]))
    DailySequence.objects.all().delete()
    DailySequence.objects.bulk_create(
        [DailySequence(day=day, last=value) for day, value in last.items()], batch_size=2000
    )


def vacuum_analyze() -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (*BULK_TABLES, "cases_caseassist", "cases_dailysequence"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        # And every other table (the tree, the accounts): the planner joins them to cases.
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def spot_check(sample: int) -> int:
    """Verify ``sample`` random cases' chains with the project's own checker; problems found."""
    from hotline.cases.events import verify_case
    from hotline.cases.models import Case

    rng = random.Random(f"{SEED}:check")
    top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = rng.sample(range(1, top + 1), min(sample, top))
    problems = 0
    for case in Case.objects.filter(pk__in=ids):
        found = verify_case(case)
        problems += len(found)
        for problem in found[:3]:
            print("  ", problem)
    return problems


def summary() -> None:
    from django.db import connection
    from django.db.models import Count, Q
    from django.utils import timezone

    from hotline.cases.models import Case
    from hotline.cases.states import OPEN_STATUSES

    now = timezone.now()
    open_q = Q(status__in=OPEN_STATUSES)
    totals = Case.objects.aggregate(
        cases=Count("pk"),
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=open_q & Q(deadline_at__lt=now)),
        due_soon=Count("pk", filter=open_q & Q(warning_at__lte=now, deadline_at__gte=now)),
        supervised_cases=Count("pk", filter=Q(supervised=True)),
        supervised_and_open=Count("pk", filter=open_q & Q(supervised=True)),
    )
    print("\n## Cases\n")
    for label, value in totals.items():
        print(f"- {label}: {value:,}")
    by_status = Counter(dict(Case.objects.values_list("status").annotate(n=Count("pk"))))
    print("- by status: " + ", ".join(f"{s} {n:,}" for s, n in by_status.most_common()))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(n), max(n), avg(n) FROM "
            "(SELECT count(*) n FROM cases_caseevent GROUP BY case_id) per_case"
        )
        count, low, high, mean = cursor.fetchone()
        print(f"- events per case ({count:,} cases): min {low}, max {high}, mean {mean:.2f}")
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('cases_case')), "
            "pg_size_pretty(pg_total_relation_size('cases_caseevent')), "
            "pg_size_pretty(pg_database_size(current_database()))"
        )
        cases_size, events_size, database_size = cursor.fetchone()
        print(f"- size: cases {cases_size}, events {events_size}, database {database_size}")
        cursor.execute(
            "SELECT phone, count(*) FROM cases_case WHERE phone <> '' GROUP BY phone "
            "ORDER BY 2 DESC LIMIT 1"
        )
        _phone, calls = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM (SELECT phone FROM cases_case WHERE phone <> '' "
            "GROUP BY phone HAVING count(*) > 1) repeat"
        )
        print(f"- repeat callers: {cursor.fetchone()[0]:,} phones; the busiest {calls} cases")
        cursor.execute(
            "SELECT employer_name, count(*) FROM cases_case WHERE employer_key <> '' "
            "GROUP BY employer_name ORDER BY 2 DESC LIMIT 1"
        )
        employer, cases = cursor.fetchone()
        print(f"- busiest employer: {employer} ({cases} cases)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to generate")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database")
    parser.add_argument("--workers", type=int, default=2, help="processes planning and writing")
    parser.add_argument("--check", type=int, default=2000, help="cases whose chain is verified")
    arguments = parser.parse_args()
    if arguments.cases < 1:
        parser.error("--cases must be at least 1")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        setup_django()  # refuses with the reason
    ensure_database(arguments.reset)
    setup_django()
    from django.db import connections
    from django.utils import timezone

    from hotline.cases.models import Case

    total_started = time.perf_counter()
    prepare()
    present = Case.objects.count()
    if present == arguments.cases:
        print(f"The database already holds {present:,} cases; nothing to do.")
        summary()
        return
    if present:
        raise SystemExit(
            f"The database holds {present:,} cases, not {arguments.cases:,}: run with --reset "
            "to start again."
        )
    now = timezone.now()
    print(f"Planning against now = {now.astimezone(LOCAL):%Y-%m-%d %H:%M} (Asia/Shanghai).")
    global WORLD
    WORLD = build_world(now)
    started = time.perf_counter()
    arrivals = arrival_times(arguments.cases, now)
    print(f"Drew {len(arrivals):,} intake moments in {time.perf_counter() - started:.1f} s.")
    saved = drop_secondary_indexes()
    tasks = [
        (
            index,
            [
                (start + i + 1, *arrivals[start + i])
                for i in range(min(CHUNK, len(arrivals) - start))
            ],
        )
        for index, start in enumerate(range(0, len(arrivals), CHUNK))
    ]
    connections.close_all()
    load_started = time.perf_counter()
    totals: Counter[str] = Counter()
    cases = events = 0
    plan_s = copy_s = 0.0
    context = multiprocessing.get_context("fork")
    with context.Pool(arguments.workers, initializer=_init_worker) as pool:
        for done in pool.imap_unordered(write_chunk, tasks):
            cases += done["cases"]
            events += done["events"]
            totals.update(done["statuses"])
            plan_s += done["plan_s"]
            copy_s += done["copy_s"]
            elapsed = time.perf_counter() - load_started
            print(
                f"  {cases:>9,} cases, {events:>10,} events  {elapsed:6.1f} s "
                f"({cases / elapsed:,.0f} cases/s)",
                flush=True,
            )
    load_s = time.perf_counter() - load_started
    print(
        f"Wrote {cases:,} cases and {events:,} events in {load_s:.1f} s "
        f"({cases / load_s:,.0f} cases/s, {events / load_s:,.0f} events/s); "
        f"worker time planning {plan_s:.0f} s, copying {copy_s:.0f} s."
    )
    index_s = restore_indexes(saved)
    print(
        f"Rebuilt {len(saved.indexes)} indexes and {len(saved.constraints)} constraints in "
        f"{index_s:.1f} s."
    )
    finish(arrivals)
    vacuum_s = vacuum_analyze()
    print(f"VACUUM (ANALYZE) in {vacuum_s:.1f} s.")
    total_s = time.perf_counter() - total_started
    print(
        f"Total {total_s:.1f} s: {cases / total_s:,.0f} cases/s, "
        f"{(cases + events) / total_s:,.0f} rows/s overall."
    )
    problems = spot_check(arguments.check)
    print(
        f"Chains of {arguments.check:,} random cases verified with verify_case: "
        f"{problems} problem(s)."
    )
    summary()


if __name__ == "__main__":
    main()
