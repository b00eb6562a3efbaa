"""Benchmark: every staff page at 1,000,000 cases, on PostgreSQL, per kind of user.

The issue asks that each page render under 200 ms of server time with a million cases in the
database. ``bench/cases_bench.py`` times the case list and the API; this script times every other
page a member of staff works in, whole, through ``django.test.Client`` (middleware, session,
user, view, every query, the template; no network), with ``DEBUG`` off, for each kind of user:

- the province's agent and dispatcher (``province_agent``, ``province_dispatcher``),
- a prefecture's dispatcher (``xining_dispatcher``, 西宁市总工会, who is also its supervisor),
- the handler of the busiest county (``chengdong_handler``, 城东区总工会),
- the handler of the quietest county and of the busiest grassroots union (picked from the data
  as ``bench/cases_bench.py`` picks them),
- the province's supervisor (``province_supervisor``),

each on the pages their roles open: home ``/``, the case list and its "to dispatch" tab, the
agent workbench (empty, with the screen pop of the busiest caller, and a saved case's next step),
a case page (the case with the most events the user may see, and an open case in the unit's
hands with its action forms), the inbox with each of its filters, the supervision board (and
one level down), the follow-up queue and the Excel ledger of a filtered list. Notices have no
page of their own: they are the inbox's side panel.

On the database ``bench/cases_generate.py`` fills::

    .venv/bin/python bench/cases_generate.py --cases 1000000
    .venv/bin/python bench/pages_bench.py [--repeat 20] [--match TEXT] [--explain-slow 100]

Without ``DATABASE_URL`` it uses ``postgres://postgres@127.0.0.1:5432/hotline_bench_cases``; it
refuses SQLite. It only reads (a login session per user aside; the ledger's access log entries
are written inside a transaction that is rolled back). ``--explain-slow MS`` prints, for every
measure slower than ``MS``, the statements of one request with their times and the plan
(``EXPLAIN (ANALYZE, BUFFERS)``) of each one slower than 5 ms. Output: the machine, the samples,
then a Markdown table: median and p95 in milliseconds, the queries of one request, the size of
the answer.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from bench.timing import Timing
    from hotline.accounts.models import User

WARMUP = 3
SLOW_MS = 400
SLOW_RUNS = 8


def timed(name: str, run: Callable[[], Any], repeat: int) -> Timing:
    """``bench.timing.measure`` with this benchmark's warm-up and slow-measure settings."""
    from bench.timing import measure as timed_measure

    return timed_measure(name, run, repeat, warmup=WARMUP, slow_ms=SLOW_MS, slow_runs=SLOW_RUNS)


QUERY_PLAN_MS = 5.0

PROVINCE_AGENT = "province_agent"
PROVINCE_DISPATCHER = "province_dispatcher"
PREFECTURE_DISPATCHER = "xining_dispatcher"
BUSY_COUNTY_HANDLER = "chengdong_handler"
PROVINCE_SUPERVISOR = "province_supervisor"


class Statements:
    """An execute wrapper that keeps each statement with its parameters and duration (a
    request's own log is emptied by ``request_started``, so CaptureQueriesContext cannot)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any, float]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, *rest: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, *rest)
        finally:
            self.seen.append((sql, params, (time.perf_counter() - started) * 1000))


def explain_request(run: Callable[[], Any]) -> list[str]:
    """The statements of one run of ``run``, slowest first, with the plans of the slow ones."""
    from django.db import connection

    statements = Statements()
    with connection.execute_wrapper(statements):
        run()
    lines = []
    for sql, params, ms in sorted(statements.seen, key=lambda seen: -seen[2]):
        lines.append(f"{ms:8.2f} ms  {sql[:300]}")
        if ms >= QUERY_PLAN_MS and sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            lines.append(f"```\n{sql}\n{params}\n\n{plan}\n```")
    return lines


def pick_users() -> dict[str, User]:
    """The seven users, by kind."""
    from bench.cases_bench import pick_samples
    from hotline.accounts.models import User

    named = {
        user.username: user
        for user in User.objects.select_related("organization__division").filter(
            username__in=[
                PROVINCE_AGENT,
                PROVINCE_DISPATCHER,
                PREFECTURE_DISPATCHER,
                BUSY_COUNTY_HANDLER,
                PROVINCE_SUPERVISOR,
            ]
        )
    }
    missing = {
        PROVINCE_AGENT,
        PROVINCE_DISPATCHER,
        PREFECTURE_DISPATCHER,
        BUSY_COUNTY_HANDLER,
        PROVINCE_SUPERVISOR,
    } - set(named)
    if missing:
        raise SystemExit(f"Users missing from the database: {sorted(missing)}")
    samples = pick_samples({BUSY_COUNTY_HANDLER: named[BUSY_COUNTY_HANDLER]})
    return {
        "province agent": named[PROVINCE_AGENT],
        "province dispatcher": named[PROVINCE_DISPATCHER],
        "prefecture dispatcher": named[PREFECTURE_DISPATCHER],
        "busy county handler": named[BUSY_COUNTY_HANDLER],
        "quiet county handler": samples["small_county_user"],
        "grassroots handler": samples["grassroots_user"],
        "province supervisor": named[PROVINCE_SUPERVISOR],
    }


def busiest_caller() -> tuple[str, int]:
    from django.db.models import Count

    from hotline.cases.models import Case

    caller = (
        Case.objects.exclude(phone="")
        .values("phone")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return caller["phone"], caller["n"]


def most_events_case(user: User) -> Any:
    """The case with the most events ``user`` may see (the newest of those)."""
    from hotline.cases.selectors import visible_cases

    cases = visible_cases(user).order_by("-event_count", "-created_at")
    return cases.only("number", "event_count").first()


def case_in_hands(user: User) -> Any:
    """An open case in ``user``'s unit's hands (its page shows the action forms), or None."""
    from hotline.cases.page_selectors import inbox

    return inbox(user, "in_progress").first()


def accepted_case(user: User) -> Any:
    """An accepted case of ``user``'s unit, for the workbench's next step (None if none)."""
    from hotline.cases.models import Case
    from hotline.cases.states import Status

    return (
        Case.objects.filter(status=Status.ACCEPTED, owner_org=user.organization)
        .only("number")
        .order_by("-created_at")
        .first()
    )


def ledger_filter(user: User) -> dict[str, str]:
    """A ledger a unit would export: its cases of the last 30 days below a county, the open
    cases in progress for a prefecture or the province (a few thousand rows at most)."""
    from hotline.organizations.models import Level

    level = user.organization.level
    if level in (Level.PROVINCE, Level.PREFECTURE):
        return {"status": "in_progress"}
    since = datetime.date.today() - datetime.timedelta(days=30)
    return {"created_from": since.isoformat()}


def build_measures(
    users: dict[str, User],
) -> tuple[list[tuple[str, Callable[[], Any]]], list[str]]:
    """Every page of every user, as (name, run); and the samples, to print."""
    from django.test import Client

    from hotline.cases.pages.casework_common import (
        FOLLOW_UP_PAGE_ROLES,
        INBOX_ROLES,
        SUPERVISION_ROLES,
    )
    from hotline.cases.pages.workbench import WORKBENCH_ROLES
    from hotline.cases.rules import DISPATCH_ROLES
    from hotline.cases.selectors import CaseFilters, case_list
    from hotline.organizations.models import Organization

    phone, calls = busiest_caller()
    notes = [f"busiest caller: {calls} cases"]
    measures: list[tuple[str, Callable[[], Any]]] = []
    for kind, user in users.items():
        client = Client()
        client.force_login(user, backend="hotline.accounts.backends.UserBackend")
        org = user.organization
        notes.append(f"{kind}: {user.username}, {org.name} ({', '.join(sorted(user.roles))})")

        def get(url: str, data: dict[str, Any] | None = None, client: Client = client) -> Any:
            def run() -> Any:
                response = client.get(url, data or {})
                if response.status_code != 200:
                    raise SystemExit(f"GET {url} {data} answered {response.status_code}.")
                return response

            return run

        def add(page: str, url: str, data: dict[str, Any] | None = None, kind: str = kind) -> None:
            measures.append((f"{page} ({kind})", get(url, data)))

        add("GET /", "/")
        add("GET /cases/", "/cases/")
        if user.has_role(*DISPATCH_ROLES):
            add("GET /cases/?tab=to_dispatch", "/cases/", {"tab": "to_dispatch"})
        if user.has_role(*WORKBENCH_ROLES):
            add("GET /cases/workbench/", "/cases/workbench/")
            add(
                "GET /cases/workbench/screen-pop/?phone=<busiest caller>",
                "/cases/workbench/screen-pop/",
                {"phone": phone},
            )
            accepted = accepted_case(user)
            if accepted is not None:
                add(
                    "GET /cases/workbench/case/<accepted>/",
                    f"/cases/workbench/case/{accepted.number}/",
                )
                notes.append(f"{kind}: accepted case on the workbench {accepted.number}")
        busiest = most_events_case(user)
        if busiest is not None:
            add(f"GET /cases/<case, {busiest.event_count} events>/", f"/cases/{busiest.number}/")
            notes.append(f"{kind}: case with most events {busiest.number}")
        if user.has_role(*INBOX_ROLES):
            held = case_in_hands(user)
            if held is not None:
                add("GET /cases/<case in the unit's hands>/", f"/cases/{held.number}/")
                notes.append(f"{kind}: case in hands {held.number}")
            add("GET /cases/inbox/", "/cases/inbox/")
            for show in ("to_acknowledge", "in_progress", "extension", "sent_back"):
                add(f"GET /cases/inbox/?show={show}", "/cases/inbox/", {"show": show})
        if user.has_role(*SUPERVISION_ROLES):
            add("GET /cases/supervision/", "/cases/supervision/")
            below = Organization.objects.filter(parent=org).order_by("path").first()
            if below is not None:
                add(
                    "GET /cases/supervision/?unit=<first unit below>",
                    "/cases/supervision/",
                    {"unit": below.pk},
                )
        if user.has_role(*FOLLOW_UP_PAGE_ROLES):
            add("GET /cases/follow-up/", "/cases/follow-up/")
        ledger = ledger_filter(user)
        add(
            "GET /cases/export.xlsx?" + "&".join(f"{k}={v}" for k, v in ledger.items()),
            "/cases/export.xlsx",
            ledger,
        )
    # The largest ledger a page allows is 10,000 rows: the province's last days come close.
    supervisor = users["province supervisor"]
    since = (datetime.date.today() - datetime.timedelta(days=8)).isoformat()
    near_cap = case_list(supervisor, CaseFilters(created_from=datetime.date.fromisoformat(since)))
    rows = near_cap.count()
    notes.append(f"ledger near the cap: {rows:,} cases received since {since}")
    client = Client()
    client.force_login(supervisor, backend="hotline.accounts.backends.UserBackend")

    def ledger_near_cap() -> Any:
        response = client.get("/cases/export.xlsx", {"created_from": since})
        if response.status_code != 200:
            raise SystemExit(f"The ledger of {rows} rows answered {response.status_code}.")
        return response

    measures.append(
        (
            f"GET /cases/export.xlsx?created_from=… ({rows:,} rows, province supervisor)",
            ledger_near_cap,
        )
    )
    measures.append(alert_measure(notes))
    return measures, notes


def alert_measure(notes: list[str]) -> tuple[str, Callable[[], Any]]:
    """The risk alerts' employer rule on the newest case of the credit code with the most cases
    (what the periodic job runs for each new case): not a page, but the reason for the index on
    ``Case.employer_credit_code``."""
    from django.db.models import Count

    from hotline.alerts.models import AlertRule
    from hotline.alerts.rules import employer_repeat
    from hotline.cases.models import Case

    top = (
        Case.objects.exclude(employer_credit_code="")
        .values("employer_credit_code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    case = Case.objects.filter(employer_credit_code=top["employer_credit_code"]).latest(
        "created_at"
    )
    rule = AlertRule.objects.get(rule="employer_repeat")
    notes.append(f"alerts: credit code with the most cases: {top['n']} cases; case {case.number}")
    return (
        "alerts.rules.employer_repeat (busiest credit code)",
        lambda: employer_repeat(case, rule),
    )


def rolled_back(run: Callable[[], Any]) -> Callable[[], Any]:
    """``run`` inside a transaction that is rolled back: the ledger's access log stays out of
    the shared database."""
    from django.db import transaction

    class Rollback(Exception):
        pass

    def wrapped() -> Any:
        answer = None
        try:
            with transaction.atomic():
                answer = run()
                raise Rollback
        except Rollback:
            pass
        return answer

    return wrapped


def add_notices(users: dict[str, User], count: int) -> str:
    """``count`` notices for the unit of each user (one in ten unread, the newest first), inside
    the transaction the run is rolled back in: the generator writes no notices, and the inbox's
    side panel reads the unit's unread ones. No case is referenced, so no case row is locked."""
    from django.db import connection

    units = sorted({user.organization_id for user in users.values()})
    with connection.cursor() as cursor:
        for unit in units:
            cursor.execute(
                """
                INSERT INTO notifications_notification (organization_id, kind, text, created_at,
                                                        read_at)
                SELECT %s, 'dispatch', '工单 ' || n || ' 已派至本单位，请签收。',
                       now() - n * interval '15 minutes',
                       CASE WHEN n %% 10 = 0 THEN NULL ELSE now() END
                FROM generate_series(1, %s) AS n
                """,
                [unit, count],
            )
    return f"{count:,} notices for each of {len(units)} units ({count // 10:,} unread each)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per measure")
    parser.add_argument("--match", default="", help="only measures whose name contains this")
    parser.add_argument(
        "--notices",
        type=int,
        default=0,
        metavar="N",
        help="add N notices to each user's unit for the run (rolled back at the end)",
    )
    parser.add_argument(
        "--explain-slow",
        type=float,
        default=0.0,
        metavar="MS",
        help="print the statements and slow plans of measures slower than MS",
    )
    arguments = parser.parse_args()
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")

    from bench.cases_bench import setup_django

    setup_django()
    from django.db import transaction

    from hotline.cases.matching import words
    from hotline.cases.models import Case

    if not Case.objects.exists():
        raise SystemExit("No cases: fill the database first with bench/cases_generate.py.")
    words("预热")  # jieba's dictionary loads on first use: not part of any measure
    users = pick_users()
    with transaction.atomic():
        notes = add_notices(users, arguments.notices) if arguments.notices else ""
        run_and_report(users, arguments, notes)
        transaction.set_rollback(True)


def run_and_report(users: dict[str, User], arguments: argparse.Namespace, added: str) -> None:
    """Time every measure of ``users`` and print the report."""
    from django.db import connection

    from bench.org_tree import machine
    from hotline.cases.models import Case

    measures, notes = build_measures(users)
    measures = [
        (name, rolled_back(run) if "export" in name else run)
        for name, run in measures
        if arguments.match in name
    ]
    print(f"Timing {len(measures)} measures:", flush=True)
    results = []
    slow = []
    for name, run in measures:
        result = timed(name, run, arguments.repeat)
        results.append(result)
        if arguments.explain_slow and result.median_ms > arguments.explain_slow:
            slow.append((name, run))

    print("\n## Machine\n")
    for label, value in machine():
        print(f"- {label}: {value}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        print(f"- PostgreSQL jit: {cursor.fetchone()[0]}")
    print("\n## Samples\n")
    print(f"- cases: {Case.objects.count():,}")
    if added:
        print(f"- added for the run: {added}")
    for note in notes:
        print(f"- {note}")
    for name, run in slow:
        print(f"\n## Statements of {name}\n")
        for line in explain_request(run):
            print(line)
    print("\n## Timings (median and p95 of the timed runs, after warm-up runs)\n")
    print("| page (user) | runs | median ms | p95 ms | queries | KB |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in results:
        print(
            f"| {result.measure} | {result.runs} | {result.median_ms:.1f} | {result.p95_ms:.1f} "
            f"| {result.queries} | {result.size / 1024:.0f} |"
        )
    over = [result for result in results if result.median_ms > 200]
    print(f"\n{len(over)} of {len(results)} measures over 200 ms median.")


if __name__ == "__main__":
    main()
