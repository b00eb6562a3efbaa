"""Benchmark: the case reads at 1,000,000 cases, on PostgreSQL.

The issue asks that the scoped case list API (page 1 and a deep filter) and the public lookup stay
under 50 ms median at a million cases, and the case list page (its tabs with their counts) under
200 ms of server time. This script times them for users of every size of scope (province,
prefecture, busy county, quiet county, grassroots union), the assisting units' list (协办), and
the reads around them, on the database ``bench/cases_generate.py`` fills::

    .venv/bin/python bench/cases_generate.py --cases 1000000
    .venv/bin/python bench/cases_bench.py [--repeat 50] [--explain]

Without ``DATABASE_URL`` it uses ``postgres://postgres@127.0.0.1:5432/hotline_bench_cases``; it
refuses SQLite. It changes nothing in the database except what the requests themselves write (a
login session, the throttle counters, which live in the process's cache). It prints the machine,
what the filters match, optionally the query plans, and a Markdown table: median and p95 in
milliseconds over ``--repeat`` runs after 5 warm-up runs, and the queries of one run.

The public lookup is rate limited (10 a minute per address); the script raises the limits in its
own process through ``settings.PUBLIC_API_RATES`` so that the throttle still runs (its cache
``add``/``incr`` is part of the time) but never refuses.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.timing import Timing
    from hotline.accounts.models import User


ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hotline_bench_cases"

PROVINCE_USER = "province_admin"
# The case pages need a case role, which province_admin (an administrator) has not.
PROVINCE_PAGE_USER = "province_agent"
PREFECTURE_USER = "xining_dispatcher"
COUNTY_USER = "chengdong_handler"
PAGE = 20  # the API's default page size
WARMUP = 5
# Measures slower than this on their first run get SLOW_RUNS timed runs instead of --repeat.
SLOW_MS = 250
SLOW_RUNS = 10


def measure(name: str, run: Callable[[], Any], repeat: int) -> Timing:
    """``bench.timing.measure`` with this benchmark's warm-up and slow-measure settings."""
    from bench.timing import measure as timed_measure

    return timed_measure(name, run, repeat, warmup=WARMUP, slow_ms=SLOW_MS, slow_runs=SLOW_RUNS)


COMMON_WORD = "工资"


def setup_django() -> None:
    """Django with the development settings, DEBUG off, on the benchmark's PostgreSQL."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        raise SystemExit("The case benchmark runs on PostgreSQL only (see bench/README.md).")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    global URLCONF_NOTE
    URLCONF_NOTE = choose_urlconf()
    # The throttle runs but never refuses: see the module docstring.
    settings.PUBLIC_API_RATES = {"lookup_ip": "1000000/min", "lookup_phone": "1000000/min"}
    warnings.filterwarnings("ignore", message="No directory at")


URLCONF_NOTE = ""


def choose_urlconf() -> str:
    """``config.urls``, or the API alone (``bench.api_urls``) when another app's pages fail to
    import while the tree is being changed; the reason, to print with the results."""
    import importlib

    from django.conf import settings

    try:
        importlib.import_module(settings.ROOT_URLCONF)
    except Exception as broken:  # any import error of someone else's pages
        settings.ROOT_URLCONF = "bench.api_urls"
        return f"config.urls did not import ({broken!r}); timed with bench.api_urls (API only)"
    return f"URLs: {settings.ROOT_URLCONF}"


def pick_samples(users: dict[str, User]) -> dict[str, Any]:
    """Real values from the database for the filters and the small scopes: a busy employer of the
    county, the busiest caller, a case to look up, a repeat employer of the last 30 days, the
    county federation with the fewest cases and the grassroots union with the most."""
    from django.db.models import Count
    from django.utils import timezone

    from hotline.accounts.models import User
    from hotline.cases.models import Case
    from hotline.cases.states import Status
    from hotline.organizations.models import Level, Organization

    county = users[COUNTY_USER].organization
    employer = (
        Case.objects.filter(handling_path__startswith=county.path)
        .exclude(employer_name="")
        .values("employer_name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    caller = (
        Case.objects.exclude(phone="")
        .values("phone")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    recent = timezone.now() - datetime.timedelta(days=30)
    repeat = (
        Case.objects.filter(created_at__gte=recent)
        .exclude(employer_key="")
        .values("employer_key")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    repeat_case = (
        Case.objects.filter(employer_key=repeat["employer_key"]).order_by("-created_at").first()
    )
    # A case the worker would look up: filed from a mobile, dispatched and closed (8 events).
    lookup = (
        Case.objects.filter(
            status=Status.CLOSED, event_count=8, phone__startswith="1", handling_org__isnull=False
        )
        .order_by("pk")
        .first()
    )
    handled = dict(
        Case.objects.exclude(handling_org=None).values_list("handling_org").annotate(n=Count("pk"))
    )

    def staff_of(level: str, pick: Callable[[list[Organization]], Organization]) -> User:
        units = [org for org in Organization.objects.filter(level=level) if org.pk in handled]
        unit = pick(units)
        return (
            User.objects.select_related("organization__division")
            .filter(organization=unit)
            .order_by("pk")[0]
        )

    return {
        "county": county,
        "employer": employer["employer_name"],
        "employer_cases": employer["n"],
        "caller": caller["phone"],
        "caller_cases": caller["n"],
        "repeat_employer": repeat_case.employer_name,
        "repeat_case": repeat_case,
        "repeat_recent_cases": repeat["n"],
        "lookup": lookup,
        "small_county_user": staff_of(
            Level.COUNTY, lambda units: min(units, key=lambda org: handled[org.pk])
        ),
        "grassroots_user": staff_of(
            Level.GRASSROOTS, lambda units: max(units, key=lambda org: handled[org.pk])
        ),
    }


def run_measures(repeat: int, explain: bool, match: str = "") -> None:
    from django.db import connection
    from django.test import Client

    from bench.org_tree import machine
    from hotline.accounts.models import User
    from hotline.cases import selectors
    from hotline.cases.events import verify_case
    from hotline.cases.matching import words
    from hotline.cases.models import Case, CaseEvent
    from hotline.cases.page_selectors import counted_tabs
    from hotline.cases.selectors import CaseFilters, case_list, count_cases

    users = {
        user.username: user
        for user in User.objects.select_related("organization__division").filter(
            username__in=[PROVINCE_USER, PROVINCE_PAGE_USER, PREFECTURE_USER, COUNTY_USER]
        )
    }
    province, prefecture, county = (
        users[name] for name in (PROVINCE_USER, PREFECTURE_USER, COUNTY_USER)
    )
    samples = pick_samples(users)
    # jieba loads its dictionary on first use (a second or two): not part of any measure.
    words("预热")
    small_county, grassroots = samples["small_county_user"], samples["grassroots_user"]
    users[small_county.username], users[grassroots.username] = small_county, grassroots
    county_org = samples["county"]

    deep = CaseFilters(unit=county_org.pk, status="in_progress", category="01", overdue=True)
    deep_query = {"unit": county_org.pk, "status": "in_progress", "category": "01", "overdue": True}
    prefecture_deep = CaseFilters(status="in_progress", category="01", overdue=True)
    text = samples["employer"]

    def exact(user: User, filters: CaseFilters | None = None) -> Callable[[], object]:
        """What the API's list does: the exact count, then the page."""

        def run() -> object:
            cases = case_list(user, filters)
            return cases.count(), list(cases[:PAGE])

        return run

    def capped(user: User, filters: CaseFilters | None = None) -> Callable[[], object]:
        """The count capped at 1,000 (``selectors.count_cases``), then the page."""

        def run() -> object:
            cases = case_list(user, filters)
            return count_cases(cases), list(cases[:PAGE])

        return run

    def logged_in(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="hotline.accounts.backends.UserBackend")
        return client

    clients = {name: logged_in(user) for name, user in users.items()}

    def api(name: str, data: dict[str, Any] | None = None) -> Callable[[], object]:
        client = clients[name]

        def get() -> object:
            response = client.get("/api/v1/cases", data or {})
            if response.status_code != 200:
                raise SystemExit(f"GET /api/v1/cases {data} answered {response.status_code}.")
            return response

        return get

    def page(name: str, data: dict[str, Any] | None = None) -> Callable[[], object]:
        """The staff case list page, whole (middleware, session, tabs with counts, template)."""
        client = clients[name]

        def get() -> object:
            response = client.get("/cases/", data or {})
            if response.status_code != 200:
                raise SystemExit(f"GET /cases/ {data} as {name} answered {response.status_code}.")
            return response

        return get

    def assisting(user: User) -> Callable[[], object]:
        """The assisting list (``scope=assisting``): capped count, then the page."""
        return capped(user, CaseFilters(assisting=True))

    def tab_counts(user: User) -> Callable[[], object]:
        return lambda: selectors.case_counts(user, counted_tabs(user))

    lookup_case = samples["lookup"]
    public = Client()

    def lookup() -> object:
        response = public.post(
            "/api/v1/public/cases/lookup",
            {"number": lookup_case.number, "phone": lookup_case.phone},
            content_type="application/json",
        )
        if response.status_code != 200:
            raise SystemExit(f"The public lookup answered {response.status_code}.")
        return response

    def screen_pop_api() -> object:
        response = clients[PROVINCE_USER].get(
            "/api/v1/cases/screen-pop", {"phone": samples["caller"]}
        )
        if response.status_code != 200:
            raise SystemExit(f"The screen pop answered {response.status_code}.")
        return response

    scopes = [
        ("province", province),
        (f"prefecture {prefecture.organization.name}", prefecture),
        (f"county {county.organization.name}", county),
        (f"small county {small_county.organization.name}", small_county),
        (f"grassroots {grassroots.organization.name}", grassroots),
    ]
    below_root = scopes[1:]
    # The page users: the province's agent (a case role), then the same users as above.
    page_users = [(f"province, {PROVINCE_PAGE_USER}", users[PROVINCE_PAGE_USER]), *below_root]
    repeat_case = samples["repeat_case"]
    measures: list[tuple[str, Callable[[], object]]] = []
    for label, user in scopes:
        measures.append((f"case_list({label}): exact count + page 1", exact(user)))
        measures.append((f"case_list({label}): count_cases (capped) + page 1", capped(user)))
    for label, user in below_root:
        measures.append(
            (f"case_list({label}, assisting): count_cases (capped) + page 1", assisting(user))
        )
    for label, user in page_users:
        measures.append((f"case_counts({label}): the work tabs' counts", tab_counts(user)))
    for label, user in page_users:
        name = user.username
        measures.append((f"GET /cases/ ({label})", page(name)))
        measures.append(
            (f"GET /cases/?tab=in_progress ({label})", page(name, {"tab": "in_progress"}))
        )
        if (label, user) in below_root:
            measures.append(
                (f"GET /cases/?tab=assisting ({label})", page(name, {"tab": "assisting"}))
            )
    for label, user in scopes:
        name = user.username
        measures.append((f"GET /api/v1/cases ({name}, {label})", api(name)))
    for label, user in below_root:
        name = user.username
        measures.append(
            (
                f"GET /api/v1/cases?scope=assisting ({name}, {label})",
                api(name, {"scope": "assisting"}),
            )
        )
    measures += [
        ("case_list(province), deep filter: county subtree + in_progress + 劳动报酬 + overdue: "
         "exact count + page 1", exact(province, deep)),
        ("case_list(prefecture), deep filter: in_progress + 劳动报酬 + overdue: exact count + "
         "page 1", exact(prefecture, prefecture_deep)),
        ("case_list(province), category 13 表扬 (1.5% of cases): count_cases (capped) + page 1",
         capped(province, CaseFilters(category="13"))),
        ("case_list(county), category 06 女职工权益: count_cases (capped) + page 1",
         capped(county, CaseFilters(category="06"))),
        (f'case_list(county), text "{text}": exact count + page 1',
         exact(county, CaseFilters(text=text))),
        (f'case_list(province), text "{text}": exact count + page 1',
         exact(province, CaseFilters(text=text))),
        (f'case_list(province), text "{COMMON_WORD}": exact count + page 1',
         exact(province, CaseFilters(text=COMMON_WORD))),
        (f'case_list(province), text "{COMMON_WORD}": count_cases (capped) + page 1',
         capped(province, CaseFilters(text=COMMON_WORD))),
        (f"GET /api/v1/cases?unit=…&status=in_progress&category=01&overdue=true ({PROVINCE_USER})",
         api(PROVINCE_USER, deep_query)),
        (f"GET /api/v1/cases?status=in_progress&category=01&overdue=true ({PREFECTURE_USER})",
         api(PREFECTURE_USER, {"status": "in_progress", "category": "01", "overdue": True})),
        (f"GET /api/v1/cases?text=… ({COUNTY_USER})", api(COUNTY_USER, {"text": text})),
        (f"GET /api/v1/cases?text=… ({PROVINCE_USER})", api(PROVINCE_USER, {"text": text})),
        ("POST /api/v1/public/cases/lookup (number + phone)", lookup),
        (f"verify_case (one case, {lookup_case.event_count} events)",
         lambda: verify_case(lookup_case)),
        (f"screen_pop(phone of the busiest caller, {samples['caller_cases']} cases)",
         lambda: selectors.screen_pop(samples["caller"])),
        ("GET /api/v1/cases/screen-pop (province_admin)", screen_pop_api),
        (f"duplicate_hints (repeat employer, {samples['repeat_recent_cases']} cases in 30 days)",
         lambda: selectors.duplicate_hints(
             repeat_case.phone, repeat_case.employer_name, repeat_case.description,
             exclude=repeat_case,
         )),
    ]  # fmt: skip
    measures = [(name, run) for name, run in measures if match in name]
    print(f"Timing {len(measures)} measures:", flush=True)
    results = [measure(name, run, repeat) for name, run in measures]

    print("\n## Machine\n")
    for label, value in machine():
        print(f"- {label}: {value}")
    print(f"- {URLCONF_NOTE}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        print(f"- PostgreSQL jit: {cursor.fetchone()[0]}")
    print("\n## Data\n")
    print(f"- cases: {Case.objects.count():,}; events: {CaseEvent.objects.count():,}")
    for label, user, filters in [
        *[(f"visible to {label}", user, None) for label, user in scopes],
        *[
            (f"assisted by {label}", user, CaseFilters(assisting=True))
            for label, user in below_root
        ],
        ("deep filter (province user, county subtree)", province, deep),
        ("deep filter (prefecture user)", prefecture, prefecture_deep),
        (f'text "{text}" (county user)', county, CaseFilters(text=text)),
        (f'text "{text}" (province user)', province, CaseFilters(text=text)),
        (f'text "{COMMON_WORD}" (province user)', province, CaseFilters(text=COMMON_WORD)),
    ]:
        print(f"- {label}: {case_list(user, filters).count():,} cases")
    print(f"- busiest caller: {samples['caller_cases']} cases")
    print(
        f"- repeat employer {samples['repeat_employer']}: {samples['repeat_recent_cases']} "
        "cases in the last 30 days"
    )
    print(f"- lookup: case {lookup_case.number}, {lookup_case.event_count} events")
    if explain:
        print("\n## Query plans\n")
        for label, user, filters in [
            (f"prefecture list ({prefecture.organization.name})", prefecture, None),
            (f"grassroots list ({grassroots.organization.name})", grassroots, None),
            (
                f"county assisting list ({county.organization.name})",
                county,
                CaseFilters(assisting=True),
            ),
            (
                f"prefecture assisting list ({prefecture.organization.name})",
                prefecture,
                CaseFilters(assisting=True),
            ),
            ("deep filter, province user", province, deep),
            (f'text "{text}", county user', county, CaseFilters(text=text)),
        ]:
            for sql, plan in explain_list(connection, case_list(user, filters)):
                print(f"### {label}\n\n```\n{sql}\n\n{plan}\n```\n")
        for label, user in [("province", users[PROVINCE_PAGE_USER]), ("county", county)]:
            for sql, plan in explain_queries(
                connection, lambda user=user: selectors.case_counts(user, counted_tabs(user))
            ):
                print(f"### work tab counts, {label}\n\n```\n{sql}\n\n{plan}\n```\n")
    print("\n## Timings (median and p95 of the timed runs, after warm-up runs)\n")
    print("| measure | runs | median ms | p95 ms | queries |")
    print("|---|---:|---:|---:|---:|")
    for result in results:
        print(
            f"| {result.measure} | {result.runs} | {result.median_ms:.2f} | {result.p95_ms:.2f} "
            f"| {result.queries} |"
        )


def explain_list(connection: Any, cases: Any) -> list[tuple[str, str]]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of a list's exact count, its capped count and its first
    page."""
    from hotline.cases.selectors import count_cases

    def run() -> None:
        cases.count()
        count_cases(cases)
        list(cases[:PAGE])

    return explain_queries(connection, run)


def explain_queries(connection: Any, run: Callable[[], object]) -> list[tuple[str, str]]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of each query ``run`` makes."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    plans = []
    with connection.cursor() as cursor:
        for query in captured:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plans.append((query["sql"], "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per measure")
    parser.add_argument("--explain", action="store_true", help="print the lists' query plans")
    parser.add_argument(
        "--match", default="", help="time only the measures whose name contains this text"
    )
    parser.add_argument(
        "--no-jit",
        action="store_true",
        help="turn PostgreSQL's JIT compilation off for this run's connections (PGOPTIONS)",
    )
    arguments = parser.parse_args()
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")
    if arguments.no_jit:
        # libpq reads PGOPTIONS when it connects: every connection of this process gets it.
        os.environ["PGOPTIONS"] = (os.environ.get("PGOPTIONS", "") + " -c jit=off").strip()
    setup_django()
    from hotline.cases.models import Case

    if not Case.objects.exists():
        raise SystemExit("No cases: fill the database first with bench/cases_generate.py.")
    run_measures(arguments.repeat, arguments.explain, arguments.match)


if __name__ == "__main__":
    main()
