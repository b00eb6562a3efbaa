"""Benchmark: intake through the API under concurrent load, with gunicorn, on PostgreSQL.

The issue asks that intake through the API sustains at least 300 cases/s on this 2-core machine
with gunicorn. This script starts gunicorn on the loopback interface against the database
``bench/cases_generate.py`` fills, creates an API token for an agent of the provincial hotline
centre, and POSTs realistic cases to ``/api/v1/cases`` for a bounded time, each request with its
own ``Idempotency-Key``::

    .venv/bin/python bench/intake_load.py [--driver threads|wrk] [--duration 30]
        [--concurrency 16] [--workers 3] [--threads 2] [--worker-class gthread|sync]
        [--endpoint intake|floor-plain|floor-api] [--accept] [--keep] [--max-requests 20000]
    .venv/bin/python bench/intake_load.py --direct [--workers 2] [--duration 30]

The load comes from Python threads (``--driver threads``, one keep-alive ``http.client``
connection each, at most ``--max-requests``) or from ``wrk`` (``--driver wrk``, Debian's
``apt-get install wrk``, with ``bench/intake_wrk.lua``): wrk is C and costs the shared cores a
fraction of what the threads cost. gunicorn runs ``config.wsgi`` with ``config/gunicorn.conf.py``
(the production configuration; ``--workers``, ``--threads`` and ``--worker-class`` override it)
and ``bench/settings.py``: the production settings given on the command line what production
reads from the environment: the database, ``ALLOWED_HOSTS=127.0.0.1``, the development
``SECRET_KEY`` (so that the ID-number key is the one the generated rows were written with), and
``SECURE_SSL_REDIRECT=0`` (there is no TLS on the loopback). gunicorn is stopped at the end, by
the process id this script started.

Without ``DATABASE_URL`` it uses ``postgres://postgres@127.0.0.1:5432/hotline_bench_cases``; it
refuses SQLite. ``--endpoint floor-plain`` / ``floor-api`` load ``bench/floor.py`` instead: the
same requests to a view that only INSERTs the body, to show what the stack costs without intake.

It prints the machine, the settings, and a table: cases/s over the measured window, latency
p50/p95/p99/max in milliseconds, and every answer that was not 201 (the target is none); the CPU
per case of gunicorn, of the database backends and of the load generator; what the backends were
doing (sampled from ``pg_stat_activity``). It checks the registered cases (distinct numbers, each
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

# What each --endpoint POSTs to, and whether it registers cases.
ENDPOINTS = {
    "intake": "/api/v1/cases",
    "floor-plain": "/bench/floor/plain",
    "floor-api": "/bench/floor/api/cases",
}


def urls_to_serve(endpoint: str) -> tuple[str, str]:
    """``config.urls``, or the API alone when another app's pages fail to import while the tree
    is being changed; with the reason, to print with the results. The floor endpoints add
    ``bench.floor``'s URLs in front of them."""
    import importlib

    try:
        importlib.import_module("config.urls")
        base, note = "config.urls", "URLs: config.urls"
    except Exception as broken:  # any import error of someone else's pages
        base = "bench.api_urls"
        note = f"config.urls did not import ({broken!r}); served bench.api_urls (API only)"
    if endpoint != "intake":
        os.environ["BENCH_BASE_URLCONF"] = base
        return "bench.floor", f"{note}, with bench.floor in front"
    return base, note


def start_gunicorn(
    workers: int, threads: int, worker_class: str, urlconf: str, app_root: Path = ROOT
) -> subprocess.Popen[bytes]:
    """gunicorn with this checkout's configuration, serving the checkout at ``app_root``."""
    from django.conf import settings

    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_URLCONF": urlconf,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        # The served checkout first, then this one (for bench.settings and bench.floor).
        "PYTHONPATH": os.pathsep.join(dict.fromkeys([str(app_root), str(ROOT)])),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-c",
        str(ROOT / "config" / "gunicorn.conf.py"),
        "config.wsgi",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-k",
        worker_class,
        "-b",
        f"{HOST}:{PORT}",
        "--log-level",
        "warning",
    ]
    wait_for_free_port()
    server = subprocess.Popen(command, cwd=app_root, env=environment, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited at start; see its output above.")
        try:
            connection = http.client.HTTPConnection(HOST, PORT, timeout=2)
            connection.request("GET", "/api/v1/me")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    stop_gunicorn(server)
    raise SystemExit("gunicorn did not answer within 60 s.")


def wait_for_free_port(seconds: float = 60) -> None:
    """Wait until nothing listens on the port (a server of an earlier run may still be
    stopping): the answers measured must come from the server this run starts."""
    import socket

    deadline = time.monotonic() + seconds
    while True:
        with socket.socket() as probe:
            if probe.connect_ex((HOST, PORT)) != 0:
                return
        if time.monotonic() > deadline:
            raise SystemExit(f"Something still listens on {HOST}:{PORT}; not starting gunicorn.")
        time.sleep(0.5)


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn this script started: its master (SIGINT, a quick shutdown: the load is
    over), then, if it is still there after 30 s, its whole process group, which this script
    created for it (``start_new_session``) and which holds nothing else."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- The load -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one stretch of load got back, from either driver. Latencies in milliseconds."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    p50: float = float("nan")
    p95: float = float("nan")
    p99: float = float("nan")
    slowest: float = float("nan")
    client_cpu: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


@dataclass
class Load:
    """One run's requests: where they go, as whom, with which keys."""

    path: str
    token: str
    bodies: Bodies
    key_prefix: str
    concurrency: int


def client_thread(
    load: Load,
    stop_at: float,
    budget: list[int],
    lock: threading.Lock,
    latencies: list[float],
    outcome: Outcome,
) -> None:
    """POST cases on one keep-alive connection until the time or the request budget runs out."""
    connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
    headers = {
        "Authorization": f"Bearer {load.token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    mine, statuses, errors = [], Counter(), Counter()
    while time.monotonic() < stop_at:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        body = load.bodies.next()
        key = f"{load.key_prefix}-{uuid.uuid4().hex}"
        started = time.perf_counter()
        try:
            connection.request(
                "POST", load.path, body=body, headers={**headers, "Idempotency-Key": key}
            )
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as failure:
            errors[type(failure).__name__] += 1
            connection.close()
            connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
            continue
        mine.append((time.perf_counter() - started) * 1000)
        statuses[response.status] += 1
        if response.status != 201 and len(errors) < 5:
            errors[f"{response.status}: {payload[:200]!r}"] += 1
    connection.close()
    with lock:
        latencies += mine
        outcome.statuses.update(statuses)
        outcome.errors.update(errors)


def run_threads(load: Load, duration: float, max_requests: int) -> Outcome:
    """The load from ``load.concurrency`` Python threads of this process."""
    outcome, lock, latencies = Outcome(), threading.Lock(), []
    budget = [max_requests]
    stop_at = time.monotonic() + duration
    threads = [
        threading.Thread(
            target=client_thread, args=(load, stop_at, budget, lock, latencies, outcome)
        )
        for _ in range(load.concurrency)
    ]
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.elapsed = time.perf_counter() - started
    outcome.client_cpu = time.process_time() - cpu
    outcome.p50, outcome.p95, outcome.p99 = (
        percentile(latencies, fraction) for fraction in (0.5, 0.95, 0.99)
    )
    outcome.slowest = max(latencies, default=float("nan"))
    return outcome


WRK_SCRIPT = ROOT / "bench" / "intake_wrk.lua"
WRK_BODIES = 4000


def run_wrk(load: Load, duration: float, wrk_threads: int) -> Outcome:
    """The load from ``wrk`` (one process, ``wrk_threads`` event loops, ``load.concurrency``
    connections) with ``bench/intake_wrk.lua``; its CPU time from the kernel's accounting."""
    import shutil
    import tempfile

    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk); or --driver threads")
    with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as bodies:
        for _ in range(WRK_BODIES):
            bodies.write(load.bodies.next() + b"\n")
    environment = {
        **os.environ,
        "BENCH_BODIES": bodies.name,
        "BENCH_TOKEN": load.token,
        "BENCH_KEY_PREFIX": load.key_prefix,
    }
    command = [
        wrk,
        "-t",
        str(min(wrk_threads, load.concurrency)),
        "-c",
        str(load.concurrency),
        "-d",
        f"{max(1, round(duration))}s",
        "--timeout",
        "30s",
        "-s",
        str(WRK_SCRIPT),
        f"http://{HOST}:{PORT}{load.path}",
    ]
    try:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True)
        output = process.stdout.read() if process.stdout else ""
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
    finally:
        os.unlink(bodies.name)
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH_RESULT ")), None)
    if process.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{output}")
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    outcome = Outcome(
        statuses=Counter({int(code): count for code, count in result["statuses"].items()}),
        errors=Counter({name: n for name, n in result["errors"].items() if n}),
        elapsed=result["duration_us"] / 1e6 or elapsed,
        p50=result["p50_us"] / 1000,
        p95=result["p95_us"] / 1000,
        p99=result["p99_us"] / 1000,
        slowest=result["max_us"] / 1000,
        client_cpu=usage.ru_utime + usage.ru_stime,
    )
    return outcome


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


# The gunicorn this script starts names its database connections so (bench/settings.py): the
# backends serving it are told apart from other work on the same database.
APPLICATION_NAME = "bench-intake-load"


@dataclass
class CpuSnapshot:
    """CPU seconds so far of each gunicorn process and each backend serving it, and the
    machine's busy and total CPU seconds."""

    gunicorn: dict[int, float]
    postgres: dict[int, float]
    machine_busy: float
    machine_total: float


def cpu_snapshot(server_pid: int) -> CpuSnapshot:
    """CPU used so far by gunicorn (master and workers), the database's backends serving them,
    and the whole machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APPLICATION_NAME]
        )
        backends = [row[0] for row in cursor.fetchall()]
    busy, total = _machine_busy()
    return CpuSnapshot(
        gunicorn={pid: _process_cpu(pid) for pid in [server_pid, *_children(server_pid)]},
        postgres={pid: _process_cpu(pid) for pid in backends},
        machine_busy=busy,
        machine_total=total,
    )


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two snapshots, counting processes that started in between in full."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


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
                    "WHERE application_name = %s",
                    [APPLICATION_NAME],
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


def registered_numbers(user_pk: int, key_prefix: str) -> list[str]:
    """The numbers of the cases registered with this run's keys (stored as user:<id>:<key>)."""
    from hotline.cases.models import Case

    cases = Case.objects.filter(intake_key__startswith=f"user:{user_pk}:{key_prefix}-")
    return list(cases.values_list("number", flat=True))


def floor_table(action: str) -> int:
    """Create (``create``), count (``count``) or drop (``drop``) ``bench.floor``'s table."""
    from django.db import connection

    from bench.floor import CREATE_TABLE, TABLE

    with connection.cursor() as cursor:
        if action == "create":
            cursor.execute(CREATE_TABLE)
        elif action == "count":
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            return cursor.fetchone()[0]
        else:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    return 0


def db_options(pairs: list[str]) -> dict[str, object]:
    """``--db-option KEY=VALUE`` pairs as a dict; a VALUE that parses as JSON is taken so."""
    options: dict[str, object] = {}
    for pair in pairs:
        key, _sep, value = pair.partition("=")
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value
    return options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of measured load")
    parser.add_argument(
        "--max-requests", type=int, default=20_000, help="at most this many (threads only)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="connections at once")
    parser.add_argument(
        "--driver",
        choices=("threads", "wrk"),
        default="threads",
        help="the load generator: Python threads of this process, or wrk (apt-get install wrk)",
    )
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk's event-loop threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument(
        "--worker-class", choices=("gthread", "sync"), default="gthread", help="gunicorn's"
    )
    parser.add_argument(
        "--endpoint",
        choices=tuple(ENDPOINTS),
        default="intake",
        help="intake, or bench/floor.py's bare views (one INSERT) for comparison",
    )
    parser.add_argument(
        "--app-root",
        type=Path,
        default=ROOT,
        help="serve another checkout of the project (e.g. `git archive` of an earlier commit) "
        "with this one's gunicorn configuration and bench settings, for before/after figures",
    )
    parser.add_argument(
        "--db-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="add to the server's database OPTIONS (VALUE read as JSON if it parses), "
        "e.g. server_side_binding=true",
    )
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
    os.environ["BENCH_DB_OPTIONS"] = json.dumps(db_options(arguments.db_option))
    if arguments.direct:
        numbers = run_direct(arguments.workers, arguments.duration, arguments.max_requests)
        if not arguments.keep:
            print(f"\nRemoved the {remove_cases(numbers):,} cases registered.")
        return
    from bench.org_tree import machine
    from hotline.accounts.models import User
    from hotline.accounts.tokens import create_api_token, revoke_api_token
    from hotline.cases.models import Case

    load_before = Path("/proc/loadavg").read_text().split()[:3]
    agent = User.objects.get(username=AGENT)
    token_row, token = create_api_token(agent, name="bench/intake_load.py")
    bodies = load_bodies()
    if arguments.accept:
        plain = bodies.next

        def accepting() -> bytes:
            return plain()[:-1] + b', "accept": true}'

        bodies.next = accepting  # type: ignore[method-assign]
    registers = arguments.endpoint == "intake"
    before = Case.objects.count()
    if not registers:
        floor_table("create")
    run_prefix = f"bench{uuid.uuid4().hex[:12]}"
    path = ENDPOINTS[arguments.endpoint]
    warm_load = Load(path, token, bodies, f"{run_prefix}w", arguments.concurrency)
    load = Load(path, token, bodies, f"{run_prefix}m", arguments.concurrency)
    urlconf, urlconf_note = urls_to_serve(arguments.endpoint)
    server = start_gunicorn(
        arguments.workers, arguments.threads, arguments.worker_class, urlconf, arguments.app_root
    )
    try:
        # Warm-up: every worker opens its connection and fills its caches.
        if arguments.driver == "wrk":
            warm = run_wrk(warm_load, 3, arguments.wrk_threads)
        else:
            warm = run_threads(warm_load, 60, WARMUP_REQUESTS)
        if warm.errors or set(warm.statuses) - {201}:
            raise SystemExit(f"Warm-up failed: {dict(warm.statuses)} {dict(warm.errors)}")
        cpu_before = cpu_snapshot(server.pid)
        sampler = WaitSampler()
        sampler.start()
        if arguments.driver == "wrk":
            outcome = run_wrk(load, arguments.duration, arguments.wrk_threads)
        else:
            outcome = run_threads(load, arguments.duration, arguments.max_requests)
        sampler.stop.set()
        sampler.join()
        cpu_after = cpu_snapshot(server.pid)
    finally:
        stop_gunicorn(server)
        revoke_api_token(token_row)
    created = outcome.statuses.get(201, 0)
    if registers:
        numbers = registered_numbers(agent.pk, load.key_prefix)
        distinct, problems = check_cases(numbers)
        stored = len(numbers)
        warm_numbers = registered_numbers(agent.pk, warm_load.key_prefix)
        removed = 0 if arguments.keep else remove_cases(warm_numbers + numbers)
    else:
        stored = floor_table("count") - warm.statuses.get(201, 0)
        floor_table("drop")
    print("\n## Machine\n")
    for label, value in machine():
        print(f"- {label}: {value}")
    print(f"- load average (1, 5, 15 min) before the run: {' '.join(load_before)}")
    print("\n## Run\n")
    print(
        f"- gunicorn -c config/gunicorn.conf.py config.wsgi, {arguments.workers} workers x "
        f"{arguments.threads} thread(s), {arguments.worker_class}, bench.settings "
        f"(config.settings.production), {HOST}:{PORT}"
    )
    print(f"- {urlconf_note}; POST {path}")
    if arguments.app_root != ROOT:
        print(f"- served checkout: {arguments.app_root}")
    if arguments.db_option:
        print(f"- database OPTIONS added: {os.environ['BENCH_DB_OPTIONS']}")
    if os.environ.get("DATABASE_PREPARED_STATEMENTS") == "1":
        print("- DATABASE_PREPARED_STATEMENTS=1 (server-side binding, prepared statements)")
    driver = (
        f"wrk ({arguments.wrk_threads} thread(s), bench/intake_wrk.lua)"
        if arguments.driver == "wrk"
        else "Python threads (http.client, keep-alive)"
    )
    limit = f" / {arguments.max_requests:,} requests" if arguments.driver == "threads" else ""
    print(
        f"- {arguments.concurrency} connections from {driver}, bearer token of {AGENT}, "
        f"{'accept: true' if arguments.accept else 'register only'}; warm-up of "
        f"{warm.requests:,} requests, then at most {arguments.duration:g} s{limit}"
    )
    print(f"- cases in the database before: {before:,}")
    if registers:
        in_flight = (
            " (wrk leaves out those in flight at the end)" if arguments.driver == "wrk" else ""
        )
        print(
            f"- answered 201: {created:,}; cases stored with this run's keys: {stored:,}"
            f"{in_flight}; distinct numbers: {distinct:,}; chain problems: {problems}"
        )
        print(
            f"- removed afterwards (with the warm-up's): {removed:,} cases"
            if not arguments.keep
            else "- kept in the database (--keep)"
        )
    else:
        print(f"- answered 201: {created:,}; rows stored in {path}'s table: {stored:,}")
    print(f"- answers: {dict(outcome.statuses)}; transport errors: {dict(outcome.errors) or 0}")
    print("\n## Result\n")
    print("| requests | seconds | cases/s | p50 ms | p95 ms | p99 ms | max ms | not 201 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    failures = outcome.requests - created + sum(outcome.errors.values())
    print(
        f"| {outcome.requests:,} | {outcome.elapsed:.1f} | {created / outcome.elapsed:,.0f} "
        f"| {outcome.p50:.1f} | {outcome.p95:.1f} | {outcome.p99:.1f} | {outcome.slowest:.1f} "
        f"| {failures} |"
    )
    if created:
        used = {
            "gunicorn": cpu_used(cpu_before.gunicorn, cpu_after.gunicorn),
            "postgres": cpu_used(cpu_before.postgres, cpu_after.postgres),
            "client": outcome.client_cpu,
        }
        per_case = {name: seconds * 1000 / created for name, seconds in used.items()}
        busy = cpu_after.machine_busy - cpu_before.machine_busy
        total = cpu_after.machine_total - cpu_before.machine_total
        ours = sum(used.values())
        cores = os.cpu_count() or 1
        print("\n## CPU per registered case (ms)\n")
        print("| gunicorn workers | PostgreSQL backends | load generator | total |")
        print("|---:|---:|---:|---:|")
        print(
            f"| {per_case['gunicorn']:.2f} | {per_case['postgres']:.2f} "
            f"| {per_case['client']:.2f} | {sum(per_case.values()):.2f} |"
        )
        server_ms = per_case["gunicorn"] + per_case["postgres"]
        print(
            f"\nThe machine's CPUs were {busy / total:.0%} busy during the run; this run's "
            f"processes account for {ours / busy:.0%} of that (the rest: other work on the "
            "machine, and PostgreSQL's own background processes). At these costs the "
            f"{cores} cores would carry at most {cores * 1000 / sum(per_case.values()):,.0f} "
            f"cases/s with this load generator on them, {cores * 1000 / server_ms:,.0f} "
            "without it (gunicorn and PostgreSQL alone)."
        )
    total_samples = sum(sampler.samples.values())
    if total_samples:
        print("\n## What the database backends were doing (sampled every 20 ms)\n")
        for state, count in sampler.samples.most_common():
            print(f"- {state}: {count / total_samples:.1%}")


if __name__ == "__main__":
    main()
