"""Benchmark: intake through the API under concurrent load, with gunicorn, on PostgreSQL.

The issue asks that intake through the API sustains at least 300 cases/s on this 2-core machine
with gunicorn. This script starts gunicorn on the loopback interface against the database
``bench/cases_generate.py`` fills, creates an API token for an agent of the provincial hotline
centre, and POSTs realistic cases to ``/api/v1/cases`` from client threads, each on its own
keep-alive connection, for a bounded time and count::

    .venv/bin/python bench/intake_load.py [--duration 30] [--max-requests 20000]
        [--concurrency 16] [--workers 4] [--threads 1] [--accept] [--keep]
    .venv/bin/python bench/intake_load.py --direct [--workers 2] [--duration 30]

Without ``DATABASE_URL`` it uses ``postgres://postgres@127.0.0.1:5432/hotline_bench_cases``; it
refuses SQLite. gunicorn runs ``config.wsgi`` with ``bench/settings.py``, the production settings
(DEBUG off, persistent database connections), given on the command line what production reads
from the environment: the database, ``ALLOWED_HOSTS=127.0.0.1``, the development ``SECRET_KEY``
(so that the ID-number key is the one the generated rows were written with), and
``SECURE_SSL_REDIRECT=0`` (there is no TLS on the loopback). gunicorn is stopped at the end, by
the process id this script started.

It prints the machine, the settings, and a table: cases/s over the measured window, latency
p50/p95/p99/max in milliseconds, and every answer that was not 201 (the target is none); the CPU
per case of gunicorn, of the database backends and of itself; what the backends were doing
(sampled from ``pg_stat_activity``). It checks the registered cases (distinct numbers, each
one's event chain with ``verify_case``), then removes them (``--keep`` keeps them). ``--direct``
runs no server: ``--workers`` processes call ``services.register_case`` directly, to show what
the domain layer alone sustains.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hotline_bench_cases"
HOST, PORT = "127.0.0.1", 8799
AGENT = "province_agent"
WARMUP_REQUESTS = 200
SEED = 12351


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        raise SystemExit("The intake load test runs on PostgreSQL only (see bench/README.md).")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- What the agents type ------------------------------------------------------------------------


@dataclass
class Bodies:
    """Case bodies like the generator's: its texts, real employers and callers of the database
    (some repeat, as on the line), categories weighted towards wages."""

    employers: list[str]
    phones: list[str]
    categories: dict[str, list[str]]  # top-level code -> its subcategories' codes
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> bytes:
        from bench.cases_generate import CATEGORY_MIX, DESCRIPTIONS, JOBS, MOBILE_PREFIXES

        with self.lock:
            rng = self.rng
            top = rng.choices(list(CATEGORY_MIX), [share for share, _ in CATEGORY_MIX.values()])[0]
            kinds = CATEGORY_MIX[top][1]
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            employer = rng.choice(self.employers) if rng.random() < 0.7 else ""
            phone = (
                rng.choice(self.phones)
                if rng.random() < 0.3
                else rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            )
            description = rng.choice(DESCRIPTIONS[top]).format(
                employer=employer or "单位",
                job=rng.choice(JOBS),
                months=rng.randint(2, 10),
                amount=rng.randrange(3, 400) * 100,
                small=rng.randrange(5, 40) * 50,
                people=rng.randint(1, 30),
                days=rng.randint(3, 30),
                years=rng.randint(1, 15),
                hours=rng.randint(11, 14),
                unit="承办单位",
            )
            category = rng.choice(self.categories[top])
            name = rng.choice(["张", "李", "马", "韩"]) + rng.choice(["建国", "秀兰", "海燕"])
        body = {
            "channel": "phone",
            "kind": kind,
            "category": category,
            "title": description[:30],
            "description": description,
            "worker_name": name,
            "phone": phone,
            "employer_name": employer,
            "people_involved": 1,
        }
        return json.dumps(body, ensure_ascii=False).encode()


def load_bodies() -> Bodies:
    from django.db.models import Count

    from hotline.cases.models import Case, Category

    recent = Case.objects.order_by("-pk")[:50_000]
    employers = [
        row["employer_name"]
        for row in Case.objects.filter(pk__in=recent.values("pk"))
        .exclude(employer_name="")
        .values("employer_name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:2000]
    ]
    phones = list(
        Case.objects.filter(pk__in=recent.values("pk"))
        .exclude(phone="")
        .values_list("phone", flat=True)[:5000]
    )
    categories: dict[str, list[str]] = {}
    for category in Category.objects.filter(parent__isnull=False).select_related("parent"):
        categories.setdefault(category.parent.code, []).append(category.code)
    return Bodies(
        employers=employers or ["青海昆仑建筑工程有限公司"], phones=phones, categories=categories
    )


# --- The server ---------------------------------------------------------------------------------


def urls_to_serve() -> tuple[str, str]:
    """``config.urls``, or the API alone when another app's pages fail to import while the tree
    is being changed; with the reason, to print with the results."""
    import importlib

    try:
        importlib.import_module("config.urls")
    except Exception as broken:  # any import error of someone else's pages
        note = f"config.urls did not import ({broken!r}); served bench.api_urls (API only)"
        return "bench.api_urls", note
    return "config.urls", "URLs: config.urls"


def start_gunicorn(workers: int, threads: int, urlconf: str) -> subprocess.Popen[bytes]:
    from django.conf import settings

    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_URLCONF": urlconf,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"{HOST}:{PORT}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=environment, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, PORT, timeout=2)
            connection.request("GET", "/api/v1/me")
            connection.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited at start; see its output above.") from None
            time.sleep(0.3)
    stop_gunicorn(server)
    raise SystemExit("gunicorn did not answer within 30 s.")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn this script started (its master; the workers follow)."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- The load -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    numbers: list[str] = field(default_factory=list)


def client_thread(
    token: str,
    bodies: Bodies,
    stop_at: float,
    budget: list[int],
    budget_lock: threading.Lock,
    outcome: Outcome,
    outcome_lock: threading.Lock,
) -> None:
    """POST cases on one keep-alive connection until the time or the request budget runs out."""
    connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    latencies, statuses, errors, numbers = [], Counter(), Counter(), []
    while time.monotonic() < stop_at:
        with budget_lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        body = bodies.next()
        started = time.perf_counter()
        try:
            connection.request(
                "POST",
                "/api/v1/cases",
                body=body,
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as failure:
            errors[type(failure).__name__] += 1
            connection.close()
            connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[response.status] += 1
        if response.status == 201:
            numbers.append(json.loads(payload)["number"])
        elif len(errors) < 5:
            errors[f"{response.status}: {payload[:200]!r}"] += 1
    connection.close()
    with outcome_lock:
        outcome.latencies += latencies
        outcome.statuses.update(statuses)
        outcome.errors.update(errors)
        outcome.numbers += numbers


def run_load(
    token: str, bodies: Bodies, concurrency: int, duration: float, max_requests: int
) -> tuple[Outcome, float]:
    outcome, outcome_lock, budget_lock = Outcome(), threading.Lock(), threading.Lock()
    budget = [max_requests]
    stop_at = time.monotonic() + duration
    threads = [
        threading.Thread(
            target=client_thread,
            args=(token, bodies, stop_at, budget, budget_lock, outcome, outcome_lock),
        )
        for _ in range(concurrency)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else float("nan")


# --- Where the CPU went -------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / TICKS


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def _machine_busy() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine so far (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


@dataclass
class CpuSnapshot:
    gunicorn: float
    postgres: float
    client: float
    machine_busy: float
    machine_total: float


def cpu_snapshot(server_pid: int) -> CpuSnapshot:
    """CPU used so far by gunicorn (master and workers), the database's backends serving them,
    this load generator, and the whole machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    busy, total = _machine_busy()
    return CpuSnapshot(
        gunicorn=sum(_process_cpu(pid) for pid in [server_pid, *_children(server_pid)]),
        postgres=sum(_process_cpu(pid) for pid in backends),
        client=time.process_time(),
        machine_busy=busy,
        machine_total=total,
    )


class WaitSampler(threading.Thread):
    """Samples what the database's backends serving gunicorn are doing, every 20 ms: running,
    waiting for a lock (e.g. on the day's case-number counter row), or idle in between."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: Counter[str] = Counter()
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg
        from django.conf import settings

        database = settings.DATABASES["default"]
        with psycopg.connect(
            dbname=database["NAME"],
            user=database["USER"],
            host=database["HOST"],
            port=database["PORT"] or 5432,
            password=database["PASSWORD"] or None,
            autocommit=True,
        ) as connection:
            while not self.stop.is_set():
                rows = connection.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"
                ).fetchall()
                for state, wait_type, wait_event in rows:
                    if state == "active" and wait_type == "Lock":
                        self.samples[f"waiting for a lock ({wait_event})"] += 1
                    elif state == "active":
                        self.samples["running"] += 1
                    else:
                        self.samples[state or "unknown"] += 1
                time.sleep(0.02)


def remove_cases(numbers: list[str]) -> int:
    """Delete the cases this run registered, with their events and notifications, and set the
    day's number counter back: the million-case database stays as the generator left it, so
    that list timings and later runs are not skewed by thousands of fresh unassigned cases.

    A benchmark tidying its own synthetic rows in its own database; the application itself
    never deletes events.
    """
    from django.db import connection, transaction

    if not numbers:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_gone ON COMMIT DROP AS "
            "SELECT id FROM cases_case WHERE number = ANY(%s)",
            [numbers],
        )
        cursor.execute(
            "DELETE FROM django_tasks_database_dbtaskresult WHERE task_path = "
            "'hotline.notifications.tasks.deliver_outbox_message' AND "
            "(args_kwargs->'args'->>0)::bigint IN (SELECT id FROM notifications_outboxmessage "
            "WHERE case_id IN (SELECT id FROM bench_gone))"
        )
        for table in (
            "notifications_notification",
            "notifications_outboxmessage",
            "cases_attachment",
            "cases_caseassist",
            "cases_caseevent",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE case_id IN (SELECT id FROM bench_gone)")
        cursor.execute("DELETE FROM cases_case WHERE id IN (SELECT id FROM bench_gone)")
        removed = cursor.rowcount
        # Each day's counter back to the highest number left for that day.
        cursor.execute(
            "UPDATE cases_dailysequence d SET last = COALESCE((SELECT max(substr(number, 9)::int) "
            "FROM cases_case c WHERE c.number LIKE to_char(d.day, 'YYYYMMDD') || '%%'), 0) "
            "WHERE d.day IN (SELECT DISTINCT to_date(left(n, 8), 'YYYYMMDD') "
            "FROM unnest(%s::text[]) n)",
            [numbers],
        )
    with connection.cursor() as cursor:
        # As autovacuum would, in time: dead rows and the text indexes' pending lists gone.
        for table in ("cases_case", "cases_caseevent", "cases_dailysequence"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return removed


def check_cases(numbers: list[str]) -> tuple[int, int]:
    """Distinct numbers among those answered, and chain problems among their cases."""
    from hotline.cases.events import verify_case
    from hotline.cases.models import Case

    problems = 0
    for start in range(0, len(numbers), 1000):
        for case in Case.objects.filter(number__in=numbers[start : start + 1000]):
            problems += len(verify_case(case))
    return len(set(numbers)), problems


def _direct_worker(task: tuple[float, int, int]) -> tuple[int, float, list[float], list[str]]:
    """One process registering cases through ``services.register_case`` until ``stop_at``."""
    stop_at, budget, seed = task
    from django.db import connections

    from hotline.accounts.models import User
    from hotline.cases import services

    connections.close_all()
    agent = User.objects.get(username=AGENT)
    agent.roles  # noqa: B018 - read once, as a request would
    bodies = load_bodies()
    bodies.rng.seed(seed)
    latencies, numbers, cpu = [], [], time.process_time()
    while time.time() < stop_at and len(numbers) < budget:
        body = json.loads(bodies.next())
        started = time.perf_counter()
        case, _created = services.register_case(actor=agent, intake_key=uuid.uuid4().hex, **body)
        latencies.append((time.perf_counter() - started) * 1000)
        numbers.append(case.number)
    return len(numbers), time.process_time() - cpu, latencies, numbers


def run_direct(workers: int, duration: float, max_requests: int) -> list[str]:
    """The domain layer alone: ``workers`` processes calling the intake service, no HTTP."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    budget = max(1, max_requests // workers)
    with context.Pool(workers) as pool:
        warm = pool.map(_direct_worker, [(time.time() + 3, 20, index) for index in range(workers)])
        started = time.perf_counter()
        stop_at = time.time() + duration
        results = pool.map(
            _direct_worker, [(stop_at, budget, 100 + index) for index in range(workers)]
        )
    elapsed = time.perf_counter() - started
    done = sum(result[0] for result in results)
    cpu = sum(result[1] for result in results)
    latencies = [value for result in results for value in result[2]]
    print("\n## services.register_case alone (no HTTP, no API response)\n")
    print("| processes | cases | seconds | cases/s | p50 ms | p95 ms | app CPU ms per case |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {workers} | {done:,} | {elapsed:.1f} | {done / elapsed:,.0f} "
        f"| {percentile(latencies, 0.5):.1f} | {percentile(latencies, 0.95):.1f} "
        f"| {cpu * 1000 / max(done, 1):.1f} |"
    )
    return [number for result in (*warm, *results) for number in result[3]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of measured load")
    parser.add_argument("--max-requests", type=int, default=20_000, help="at most this many")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument(
        "--accept", action="store_true", help='register with "accept": true (queues the SMS)'
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the registered cases (default: remove them)"
    )
    parser.add_argument(
        "--direct",
        action="store_true",
        help="no server: --workers processes call services.register_case directly",
    )
    arguments = parser.parse_args()
    setup_django()
    if arguments.direct:
        numbers = run_direct(arguments.workers, arguments.duration, arguments.max_requests)
        if not arguments.keep:
            print(f"\nRemoved the {remove_cases(numbers):,} cases registered.")
        return
    from bench.org_tree import machine
    from hotline.accounts.models import User
    from hotline.accounts.tokens import create_api_token, revoke_api_token
    from hotline.cases.models import Case

    agent = User.objects.get(username=AGENT)
    token_row, token = create_api_token(agent, name="bench/intake_load.py")
    bodies = load_bodies()
    if arguments.accept:
        plain = bodies.next

        def accepting() -> bytes:
            return plain()[:-1] + b', "accept": true}'

        bodies.next = accepting  # type: ignore[method-assign]
    before = Case.objects.count()
    urlconf, urlconf_note = urls_to_serve()
    server = start_gunicorn(arguments.workers, arguments.threads, urlconf)
    try:
        # Warm-up: every worker loads jieba's dictionary, opens its connection, fills caches.
        warm, _elapsed = run_load(token, bodies, arguments.concurrency, 60, WARMUP_REQUESTS)
        if warm.errors or set(warm.statuses) - {201}:
            raise SystemExit(f"Warm-up failed: {dict(warm.statuses)} {dict(warm.errors)}")
        cpu_before = cpu_snapshot(server.pid)
        sampler = WaitSampler()
        sampler.start()
        outcome, elapsed = run_load(
            token, bodies, arguments.concurrency, arguments.duration, arguments.max_requests
        )
        sampler.stop.set()
        sampler.join()
        cpu_after = cpu_snapshot(server.pid)
    finally:
        stop_gunicorn(server)
        revoke_api_token(token_row)
    created = outcome.statuses.get(201, 0)
    distinct, problems = check_cases(outcome.numbers)
    removed = 0 if arguments.keep else remove_cases(warm.numbers + outcome.numbers)
    print("\n## Machine\n")
    for label, value in machine():
        print(f"- {label}: {value}")
    print("\n## Run\n")
    print(
        f"- gunicorn config.wsgi, {arguments.workers} workers x {arguments.threads} thread(s), "
        f"bench.settings (config.settings.production), {HOST}:{PORT}"
    )
    print(f"- {urlconf_note}")
    print(
        f"- {arguments.concurrency} client threads (http.client, keep-alive), bearer token of "
        f"{AGENT}, {'accept: true' if arguments.accept else 'register only'}; "
        f"{WARMUP_REQUESTS} warm-up requests, then at most {arguments.duration:g} s / "
        f"{arguments.max_requests:,} requests"
    )
    print(f"- cases in the database before: {before:,}")
    print(f"- registered: {created:,}; distinct numbers: {distinct:,}; chain problems: {problems}")
    print(
        f"- removed afterwards (with the warm-up's): {removed:,} cases"
        if not arguments.keep
        else "- kept in the database (--keep)"
    )
    print(f"- answers: {dict(outcome.statuses)}; transport errors: {dict(outcome.errors) or 0}")
    print("\n## Result\n")
    print("| requests | seconds | cases/s | p50 ms | p95 ms | p99 ms | max ms | not 201 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    failures = sum(outcome.statuses.values()) - created + sum(outcome.errors.values())
    print(
        f"| {len(outcome.latencies):,} | {elapsed:.1f} | {created / elapsed:,.0f} "
        f"| {percentile(outcome.latencies, 0.5):.1f} | {percentile(outcome.latencies, 0.95):.1f} "
        f"| {percentile(outcome.latencies, 0.99):.1f} | {max(outcome.latencies, default=0):.1f} "
        f"| {failures} |"
    )
    if created:
        per_case = {
            name: (getattr(cpu_after, name) - getattr(cpu_before, name)) * 1000 / created
            for name in ("gunicorn", "postgres", "client")
        }
        busy = cpu_after.machine_busy - cpu_before.machine_busy
        total = cpu_after.machine_total - cpu_before.machine_total
        ours = sum(per_case.values()) * created / 1000
        print("\n## CPU per registered case (ms)\n")
        print("| gunicorn workers | PostgreSQL backends | load generator | total |")
        print("|---:|---:|---:|---:|")
        print(
            f"| {per_case['gunicorn']:.1f} | {per_case['postgres']:.1f} "
            f"| {per_case['client']:.1f} | {sum(per_case.values()):.1f} |"
        )
        print(
            f"\nThe machine's CPUs were {busy / total:.0%} busy during the run; this run's "
            f"processes account for {ours / busy:.0%} of that (the rest: other work on the "
            "machine, and PostgreSQL's own background processes)."
        )
    total_samples = sum(sampler.samples.values())
    if total_samples:
        print("\n## What the database backends were doing (sampled every 20 ms)\n")
        for state, count in sampler.samples.most_common():
            print(f"- {state}: {count / total_samples:.1%}")


if __name__ == "__main__":
    main()
