"""Benchmark: reads of the union organization tree at 20,000 grassroots unions.

The issue asks for subtree queries that stay fast at 20,000 grassroots unions, with no recursion
in Python per request. This script fills a database of its own to that size and times the reads
that every page and API call makes through the tree::

    .venv/bin/python bench/org_tree.py [--grassroots 20000] [--repeat 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench .venv/bin/python bench/org_tree.py

Without ``DATABASE_URL`` it uses ``var/bench.sqlite3``; it refuses the development database
``var/db.sqlite3``. It migrates, loads the demo data, then adds grassroots unions through
``organizations.services.create_children`` below every county federation until there are N of
them (a second run only tops up what is missing). It prints the machine, the tree, the query
plans of a prefecture's subtree and a Markdown table: median and p95 in milliseconds over
``--repeat`` runs, and the number of queries of one run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotline.organizations.models import Organization
    from hotline.organizations.services import NewOrganization

ROOT = Path(__file__).resolve().parent.parent
DEV_DATABASE = ROOT / "var" / "db.sqlite3"
BENCH_DATABASE = ROOT / "var" / "bench.sqlite3"
# Unions created per call of create_children: one transaction and one lock on the county each.
BATCH_SIZE = 500
# Untimed runs first, so that connections, caches and compiled templates are warm.
WARMUP = 5
SEED = 12351

PROVINCE_USER = "province_admin"
PREFECTURE_USER = "xining_dispatcher"
COUNTY_USER = "chengdong_handler"
SEARCH_TEXT = "拉面"
PAGE_SEARCH_TEXT = "光伏"
PAGE_SIZE = 50

# Lamian (hand-pulled noodle) restaurants, run all over the province by Hualong people, are
# missing from the demo catalog's catering names; they give the search for 拉面 something to find.
EXTRA_PATTERNS = {
    "catering": ["{place}{brand}拉面餐饮有限公司", "{place}{brand}牛肉拉面连锁有限公司"]
}


def setup_django() -> None:
    """Point Django at the development settings and the benchmark's own database."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_DATABASE}"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    from django.conf import settings

    database = settings.DATABASES["default"]
    if (
        database["ENGINE"] == "django.db.backends.sqlite3"
        and Path(database["NAME"]).resolve() == DEV_DATABASE.resolve()
    ):
        raise SystemExit(
            f"Refusing to run on the development database {DEV_DATABASE}: the benchmark adds "
            "thousands of organizations. Unset DATABASE_URL to use var/bench.sqlite3."
        )
    # Production runs without DEBUG; with it, every query would also be recorded in
    # connection.queries, a cost no real request pays.
    settings.DEBUG = False
    # Without DEBUG, WhiteNoise looks for collected static files, which the pages timed here do
    # not need; its warning about the missing directory would only clutter the output.
    warnings.filterwarnings("ignore", message="No directory at")


# --- Filling the tree -------------------------------------------------------------------------


class UnionFactory:
    """Grassroots unions named after each county's economy, with unique credit codes.

    Credit codes carry a serial number that starts at the number of organizations in the
    database: organizations are never deleted, so a later run never reuses one. The issuer pair
    ``MD`` is one the demo data never uses, so they cannot collide with the demo's codes either.
    """

    # GB 11714 organization code: a check character over eight characters with these weights.
    _WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

    def __init__(self, catalog: dict[str, Any], first_serial: int) -> None:
        self.catalog = catalog
        self.serial = first_serial
        self.rng = random.Random(f"{SEED}:{first_serial}")

    def new_union(self, county: Organization) -> NewOrganization:
        from hotline.organizations.models import Formation, Level
        from hotline.organizations.services import NewOrganization

        catalog, rng = self.catalog, self.rng
        county_data = catalog["counties"][county.division.code]
        industry = rng.choice(county_data["industries"])
        patterns = catalog["industries"][industry] + EXTRA_PATTERNS.get(industry, [])
        name = rng.choice(patterns).format(
            place=county_data["place"], brand=rng.choice(catalog["brands"])
        )
        phone = rng.choice(("139", "138", "135", "150", "158", "180", "189"))
        return NewOrganization(
            name=name + "工会",
            level=Level.GRASSROOTS,
            division=county.division,
            credit_code=self._credit_code(county.division.code),
            formation=Formation.SINGLE,
            contact_name=rng.choice(catalog["surnames"]) + rng.choice(catalog["given_names"]),
            contact_phone=phone + f"{rng.randint(0, 99999999):08d}",
        )

    def _credit_code(self, division_code: str) -> str:
        from hotline.organizations.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

        number, digits = self.serial, []
        self.serial += 1
        for _position in range(6):
            number, remainder = divmod(number, len(CREDIT_CODE_ALPHABET))
            digits.append(CREDIT_CODE_ALPHABET[remainder])
        body = "MD" + "".join(reversed(digits))
        total = sum(
            int(char, 36) * weight for char, weight in zip(body, self._WEIGHTS, strict=True)
        )
        check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
        code17 = "91" + division_code + body + check
        return code17 + credit_code_check_char(code17)


def populate(grassroots: int) -> None:
    """Migrate, load the demo data, then top the tree up to ``grassroots`` grassroots unions."""
    from django.core.management import call_command
    from django.db import connection

    from hotline.organizations import services
    from hotline.organizations.demo import CATALOG_PATH, DEFAULT_PASSWORD, load_demo
    from hotline.organizations.models import Level, Organization

    call_command("migrate", interactive=False, verbosity=0)
    load_demo(DEFAULT_PASSWORD)
    present = Organization.objects.filter(level=Level.GRASSROOTS).count()
    missing = grassroots - present
    if missing <= 0:
        print(f"The tree already holds {present} grassroots unions; nothing added.")
        return
    counties = list(
        Organization.objects.filter(level=Level.COUNTY).select_related("division").order_by("path")
    )
    catalog = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    factory = UnionFactory(catalog, first_serial=Organization.objects.count())
    started = time.perf_counter()
    for index, county in enumerate(counties):
        share = missing // len(counties) + (1 if index < missing % len(counties) else 0)
        for start in range(0, share, BATCH_SIZE):
            batch = [factory.new_union(county) for _ in range(min(BATCH_SIZE, share - start))]
            services.create_children(county, batch)
    print(
        f"Added {missing} grassroots unions below {len(counties)} county federations "
        f"in {time.perf_counter() - started:.1f} s."
    )
    if connection.vendor == "postgresql":
        # Fresh planner statistics, as autovacuum would have them on a database in service.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE organizations_organization")


# --- Measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    measure: str
    median_ms: float
    p95_ms: float
    queries: int


def percentile(timings: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest timing at or above ``fraction`` of the runs."""
    ordered = sorted(timings)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class QueryCounter:
    """Counts the queries run through a connection while installed as its execute wrapper.

    CaptureQueriesContext cannot count a request's queries: the request_started signal empties
    the query log it reads.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], *args: Any) -> Any:
        self.count += 1
        return execute(*args)


def measure(name: str, run: Callable[[], object], repeat: int) -> Result:
    """Time ``run`` ``repeat`` times after the warm-up; count the queries of one more run."""
    from django.db import connection

    for _ in range(WARMUP):
        run()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        run()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return Result(name, statistics.median(timings), percentile(timings, 0.95), counter.count)


def path_range_end(path: str) -> str:
    """The first string after every path that starts with ``path`` (``path`` ends with ".")."""
    return path[:-1] + chr(ord(path[-1]) + 1)


def explain_plans(prefecture: Organization) -> list[tuple[str, str]]:
    """Query plans of a prefecture's subtree: its count and its rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hotline.organizations.models import Organization

    subtree = Organization.objects.filter(path__startswith=prefecture.path)
    rows = subtree.values_list("pk", "name")
    postgresql = connection.vendor == "postgresql"
    # The SQL as it went to the database; queryset.explain() only explains a SELECT, so the
    # count's plan is asked for with that SQL.
    with CaptureQueriesContext(connection) as captured:
        subtree.count()
        list(rows)
    count_sql, rows_sql = (query["sql"] for query in captured)
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + count_sql)
            count_plan = "\n".join(row[0] for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + count_sql)
            count_plan = "\n".join(row[-1] for row in cursor.fetchall())
    rows_plan = rows.explain(analyze=True, buffers=True) if postgresql else rows.explain()
    plans = [(count_sql, count_plan), (rows_sql, rows_plan)]
    if not postgresql:
        # SQLite's LIKE ignores case, so it can only search an index built NOCASE; the same
        # subtree as a range on the path shows what an index search would be.
        start, end = prefecture.path, path_range_end(prefecture.path)
        in_range = Organization.objects.filter(path__gte=start, path__lt=end)
        label = f"for comparison, not what the code runs: path >= '{start}' AND path < '{end}'"
        plans.append((label, in_range.explain()))
    return plans


def run_measures(repeat: int) -> tuple[list[Result], dict[str, object], Organization]:
    """Time every measure; return the results, facts about the tree and the prefecture used."""
    from django.test import Client

    from hotline.accounts.models import User
    from hotline.organizations import scoping, selectors
    from hotline.organizations.models import Level, Organization

    users = {
        user.username: user
        for user in User.objects.select_related("organization__division").filter(
            username__in=[PROVINCE_USER, PREFECTURE_USER, COUNTY_USER]
        )
    }
    province_user, prefecture_user = users[PROVINCE_USER], users[PREFECTURE_USER]
    county_user = users[COUNTY_USER]
    province, prefecture = province_user.organization, prefecture_user.organization

    def logged_in(user: User) -> Client:
        client = Client()
        # The backend a real login records; it loads the user with organization and division.
        client.force_login(user, backend="hotline.accounts.backends.UserBackend")
        return client

    province_client, county_client = logged_in(province_user), logged_in(county_user)

    def page(
        path: str, data: dict[str, str] | None = None, client: Client = province_client
    ) -> Callable[[], object]:
        def get() -> object:
            response = client.get(path, data)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} {data or ''} answered {response.status_code}.")
            return response

        return get

    def subtree_range() -> int:
        # Not what the code does: the same subtree as a plain range on the path, for comparison.
        end = path_range_end(prefecture.path)
        return Organization.objects.filter(path__gte=prefecture.path, path__lt=end).count()

    measures: list[tuple[str, Callable[[], object]]] = [
        (
            "visible_organizations(province user).count()",
            lambda: scoping.visible_organizations(province_user).count(),
        ),
        (
            f"visible_organizations(prefecture user, {prefecture.name}).count()",
            lambda: scoping.visible_organizations(prefecture_user).count(),
        ),
        (
            f"visible_organizations(county user, {county_user.organization.name}).count()",
            lambda: scoping.visible_organizations(county_user).count(),
        ),
        (
            f"subtree of {prefecture.name}: path__startswith, ids and names",
            lambda: list(
                Organization.objects.filter(path__startswith=prefecture.path).values_list(
                    "pk", "name"
                )
            ),
        ),
        (f"for comparison: subtree of {prefecture.name} as path range, count", subtree_range),
        (
            "selectors.organization_overview(province)",
            lambda: selectors.organization_overview(province),
        ),
        (
            f"selectors.organization_overview(county, {county_user.organization.name})",
            lambda: selectors.organization_overview(county_user.organization),
        ),
        (
            f'selectors.search_organizations(province user, text="{SEARCH_TEXT}"), first page',
            lambda: list(
                selectors.search_organizations(province_user, text=SEARCH_TEXT)[:PAGE_SIZE]
            ),
        ),
        (f"GET / (home page, {PROVINCE_USER})", page("/")),
        (f"GET / (home page, {COUNTY_USER})", page("/", client=county_client)),
        (
            f"GET /organizations/?q={PAGE_SEARCH_TEXT} ({PROVINCE_USER})",
            page("/organizations/", {"q": PAGE_SEARCH_TEXT}),
        ),
    ]
    results = [measure(name, run, repeat) for name, run in measures]
    facts = {
        "organizations": Organization.objects.count(),
        "grassroots unions": Organization.objects.filter(level=Level.GRASSROOTS).count(),
        "county federations": Organization.objects.filter(level=Level.COUNTY).count(),
        f"organizations in the subtree of {prefecture.name}": scoping.visible_organizations(
            prefecture_user
        ).count(),
        f"organizations in the subtree of {county_user.organization.name}": (
            scoping.visible_organizations(county_user).count()
        ),
        f"direct children of {county_user.organization.name} (rows on its home page)": (
            selectors.count_organization_children(county_user.organization)
        ),
        f'names or codes containing "{SEARCH_TEXT}"': selectors.search_organizations(
            province_user, text=SEARCH_TEXT
        ).count(),
        f'names or codes containing "{PAGE_SEARCH_TEXT}"': selectors.search_organizations(
            province_user, text=PAGE_SEARCH_TEXT
        ).count(),
    }
    return results, facts, prefecture


# --- Reporting --------------------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    """What the numbers were measured on: hardware, software, database, load."""
    import django
    from django.db import connection

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f"{kilobytes / 1024 / 1024:.1f} GiB"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]} ({connection.settings_dict['NAME']})"
    load = Path("/proc/loadavg")
    return [
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("memory", memory),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("database", database),
        (
            "load average (1, 5, 15 min) after the runs",
            " ".join(load.read_text().split()[:3]) if load.exists() else "unknown",
        ),
    ]


def report(
    results: list[Result], facts: dict[str, object], prefecture: Organization, repeat: int
) -> None:
    """Print the machine, the tree, the subtree's query plans and the table of timings."""
    print("\n## Machine\n")
    for label, value in machine():
        print(f"- {label}: {value}")
    print("\n## Tree\n")
    for label, value in facts.items():
        print(f"- {label}: {value}")
    print(f"\n## Query plans: the subtree of {prefecture}\n")
    for sql, plan in explain_plans(prefecture):
        print(f"```\n{sql}\n\n{plan}\n```\n")
    print(f"## Timings ({repeat} runs after {WARMUP} warm-up runs)\n")
    width = max(len(result.measure) for result in results)
    print(f"| {'measure':<{width}} | median ms | p95 ms | queries |")
    print(f"|{'-' * (width + 2)}|----------:|-------:|--------:|")
    for result in results:
        print(
            f"| {result.measure:<{width}} | {result.median_ms:9.2f} | {result.p95_ms:6.2f} "
            f"| {result.queries:7d} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grassroots", type=int, default=20_000, help="grassroots unions wanted")
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per measure")
    arguments = parser.parse_args()
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")
    setup_django()
    populate(arguments.grassroots)
    report(*run_measures(arguments.repeat), repeat=arguments.repeat)


if __name__ == "__main__":
    main()
