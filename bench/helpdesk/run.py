"""Side by side: the hotline against django-helpdesk, the same cases in both, at growing sizes.

``make bench-peer`` runs this (see bench/README.md, "Side by side with django-helpdesk")::

    .venv/bin/python bench/helpdesk/run.py [--sizes 10k,100k,1m] [--rounds 5] [--per-round 4]
        [--budget 20] [--timeout 120] [--load-test] [--write-docs]

For each size it

1. fills the hotline's database with ``bench/cases_generate.py`` (``hotline_bench_10k``,
   ``hotline_bench_100k``; at 1m the shared ``hotline_bench_cases``, which it never resets and
   only reads, apart from the cases its create measure registers and removes);
2. installs django-helpdesk (latest release from PyPI, with psycopg and gunicorn) into a
   virtualenv of its own, ``var/peer-venv``, never into the project's, and fills the peer's
   database (``hotline_bench_peer_<size>``) with the same cases through the peer's own models
   (``peer_load.py``);
3. starts one driver per product, each in its own virtualenv (``our_driver.py``,
   ``peer_driver.py``), and a raw-SQL reference for each schema (``raw_sql.py``), and times the
   measures: each is first run once untimed, then in rounds that alternate the order of the
   products (ours, theirs, raw SQL; then theirs, ours, raw SQL; ...), so that the machine's drift
   hits all of them; a measure's run count shrinks for slow runs (at least 3 runs, about
   ``--budget`` seconds per product and measure) and a run longer than ``--timeout`` seconds is
   stopped and reported as such;
4. writes the results to ``var/helpdesk-bench/results-<size>.json``.

Then, with ``--load-test``, the concurrent load test of ``load.py`` (wrk against gunicorn) at
the largest size, and the table of every size measured so far (from the JSON files), printed and,
with ``--write-docs``, written into docs/benchmarks.md between the markers of the section "Side
by side with django-helpdesk".
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import raw_sql  # noqa: E402

OUR_PYTHON = ROOT / ".venv" / "bin" / "python"
PEER_VENV = ROOT / "var" / "peer-venv"
PEER_PYTHON = PEER_VENV / "bin" / "python"
RESULTS = ROOT / "var" / "helpdesk-bench"
DOCS = ROOT / "docs" / "benchmarks.md"
SERVER = "postgres://postgres@127.0.0.1:5432"
BEGIN, END = "<!-- side-by-side:begin -->", "<!-- side-by-side:end -->"
COUNTY_USER = "chengdong_handler"

SIZES = {
    "10k": (10_000, "hotline_bench_10k", "hotline_bench_peer_10k"),
    "100k": (100_000, "hotline_bench_100k", "hotline_bench_peer_100k"),
    "1m": (1_000_000, "hotline_bench_cases", "hotline_bench_peer_1m"),
}


@dataclass(frozen=True)
class Row:
    label: str
    ours: str
    theirs: str
    raw: str | None
    ours_how: str
    theirs_how: str


ROWS = [
    Row("create one case (API)", "create_api", "create_api", "create_api",
        "POST /api/v1/cases (token)", "POST /helpdesk/api/tickets/ (token)"),
    Row("create one case (public form)", "create_public", "create_public", "create_api",
        "POST /api/v1/public/cases", "POST /helpdesk/tickets/submit/"),
    Row("staff list, first page, JSON: all cases", "list_api_all", "list_api_all",
        "list_api_all", "GET /api/v1/cases", "GET datatables_ticket_list"),
    Row("staff list page + its rows: all cases", "list_page_all", "list_page_all",
        "list_api_all", "GET /cases/", "GET /helpdesk/tickets/ + datatables JSON"),
    Row("staff list, first page, JSON: one county", "list_api_county", "list_api_county",
        "list_api_county", "GET /api/v1/cases", "GET datatables_ticket_list"),
    Row("staff list page + its rows: one county", "list_page_county", "list_page_county",
        "list_api_county", "GET /cases/", "GET /helpdesk/tickets/ + datatables JSON"),
    Row("staff dashboard: province", "dashboard_all", "dashboard_all", None,
        "GET /cases/supervision/", "GET /helpdesk/dashboard/"),
    Row("staff dashboard: province (ours: home page)", "dashboard_home", "dashboard_all", None,
        "GET /", "GET /helpdesk/dashboard/"),
    Row("staff dashboard: one county", "dashboard_county", "dashboard_county", None,
        "GET /cases/inbox/", "GET /helpdesk/dashboard/"),
    Row("text search, first page, JSON", "search_api_all", "search_api_all", "search_api_all",
        "GET /api/v1/cases?text=…", "GET datatables_ticket_list (search_string)"),
    Row("text search, list page + its rows", "search_page_all", "search_page_all",
        "search_api_all", "GET /cases/?q=…", "GET /helpdesk/tickets/?q=… + datatables JSON"),
    Row("public status lookup", "lookup", "lookup", "lookup",
        "POST /api/v1/public/cases/lookup", "GET /helpdesk/view/?ticket=…&email=…&key=…"),
]  # fmt: skip


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {loadavg()}] {message}", flush=True)


# --- Set-up -------------------------------------------------------------------------------------


def ensure_peer_venv(reinstall: bool) -> str:
    """``var/peer-venv`` with django-helpdesk's latest release; its version."""
    if reinstall or not PEER_PYTHON.exists():
        subprocess.run(["uv", "venv", "--python", "3.11", str(PEER_VENV)], cwd=ROOT, check=True)
        subprocess.run(
            ["uv", "pip", "install", "--upgrade", "django-helpdesk", "psycopg[binary]",
             "gunicorn"],
            cwd=ROOT, check=True, env={**os.environ, "VIRTUAL_ENV": str(PEER_VENV)},
        )  # fmt: skip
    return peer_versions()["django-helpdesk"]


def peer_versions() -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json; print(json.dumps({n: m.version(n) for n in "
        "('django-helpdesk', 'django', 'djangorestframework', 'psycopg')}))"
    )
    out = subprocess.run([str(PEER_PYTHON), "-c", code], capture_output=True, text=True)
    return json.loads(out.stdout)


def ensure_data(size: str) -> None:
    count, ours, peer = SIZES[size]
    if size == "1m" and database_exists(ours):
        # The case benchmarks' own database: used as it is, never reset (see bench/README.md).
        log(f"our data: {ours} as it is")
    else:
        log(f"our data: bench/cases_generate.py --cases {count} into {ours}")
        subprocess.run(
            [str(OUR_PYTHON), "bench/cases_generate.py", "--cases", str(count), "--check", "200"],
            cwd=ROOT, check=True, env={**os.environ, "DATABASE_URL": f"{SERVER}/{ours}"},
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    log(f"peer data: peer_load.py from {ours} into {peer}")
    subprocess.run(
        [str(PEER_PYTHON), str(HERE / "peer_load.py"), "--source", f"{SERVER}/{ours}"],
        cwd=ROOT, check=True, env={**os.environ, "PEER_DATABASE": peer},
    )  # fmt: skip


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres") as connection:
        return bool(
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        )


def pick_samples(our_url: str) -> dict[str, Any]:
    """The same inputs for both products: a case to look up (closed, 8 events, filed from a
    mobile, as a worker would check it), the employer with the most cases as search text, the
    county federation of the demo's ``chengdong_handler``."""
    import psycopg

    with psycopg.connect(our_url) as connection:
        lookup = connection.execute(
            "SELECT id, number, phone FROM cases_case WHERE status = 'closed' AND event_count = 8 "
            "AND phone LIKE '1%%' AND handling_org_id IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()
        search, hits = connection.execute(
            "SELECT employer_name, count(*) FROM cases_case WHERE employer_name <> '' "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        ).fetchone()
        county_id, county_path, county_name = connection.execute(
            "SELECT o.id, o.path, o.name FROM accounts_user u JOIN organizations_organization o "
            "ON o.id = u.organization_id WHERE u.username = %s",
            (COUNTY_USER,),
        ).fetchone()
    return {
        "lookup_id": lookup[0],
        "lookup_number": lookup[1],
        "lookup_phone": lookup[2],
        "search": search,
        "search_hits": hits,
        "county_path": county_path,
        "county_name": county_name,
        "county_user": f"h{county_id}",
    }


# --- The drivers --------------------------------------------------------------------------------


class Driver:
    """One product's driver process, spoken to through ``protocol.py``'s lines."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.log = open(RESULTS / f"{name}-driver.log", "a")  # noqa: SIM115 (closed in close())
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.log, text=True, bufsize=1,
        )  # fmt: skip

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(
                f"The {self.name} driver stopped: see {RESULTS}/{self.name}-driver.log"
            )
        return json.loads(line)

    def run(self, measure: str, runs: int, timeout: float, count: bool) -> dict[str, Any]:
        answer = self.ask(cmd="run", measure=measure, runs=runs, timeout=timeout, count=count)
        if "error" in answer:
            raise SystemExit(f"{self.name} {measure}: {answer['error']}")
        return answer

    def close(self) -> dict[str, Any]:
        cleaned = self.ask(cmd="cleanup")
        self.ask(cmd="quit")
        self.process.wait(timeout=60)
        self.log.close()
        return cleaned


class RawDriver:
    """The raw-SQL reference, in this process, answering like a driver."""

    def __init__(self, name: str, schema: raw_sql.OurSchema | raw_sql.PeerSchema) -> None:
        self.name = name
        self.schema = schema
        self.measures = schema.measures()

    def run(self, measure: str, runs: int, timeout: float, count: bool) -> dict[str, Any]:
        run = self.measures[measure]
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        return {"times_ms": times, "queries": 2}

    def close(self) -> dict[str, Any]:
        return {"removed": self.schema.cleanup()}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def time_measure(
    products: list[tuple[str, Any, str]],
    rounds: int,
    per_round: int,
    budget: float,
    timeout: float,
) -> dict[str, dict[str, Any]]:
    """One measure, each product once untimed, then alternating rounds."""
    results: dict[str, dict[str, Any]] = {}
    first: dict[str, float] = {}
    for name, driver, measure in products:
        answer = driver.run(measure, 1, timeout, False)
        if answer.get("timeout"):
            results[name] = {"timeout": timeout}
        else:
            first[name] = answer["times_ms"][0]
    plans = {}
    for name, _driver, _measure in products:
        if name in results:
            continue
        wanted = max(3, min(rounds * per_round, int(budget * 1000 / max(first[name], 0.01))))
        product_rounds = min(rounds, wanted)
        plans[name] = (product_rounds, math.ceil(wanted / product_rounds))
    times: dict[str, list[float]] = {name: [] for name in plans}
    queries: dict[str, int] = {}
    for round_index in range(rounds):
        # Ours, theirs, raw SQL; then theirs, ours, raw SQL; and so on.
        order = list(products)
        if round_index % 2 and len(order) > 1:
            order[0], order[1] = order[1], order[0]
        for name, driver, measure in order:
            if name not in plans or round_index >= plans[name][0]:
                continue
            last_round = round_index == plans[name][0] - 1
            answer = driver.run(measure, plans[name][1], timeout, last_round)
            if answer.get("timeout"):
                results[name] = {"timeout": timeout, "completed_ms": times[name]}
                plans.pop(name)
                continue
            times[name] += answer["times_ms"]
            if last_round:
                queries[name] = answer["queries"]
    for name in plans:
        values = times[name]
        results[name] = {
            "median_ms": statistics.median(values),
            "p95_ms": percentile(values, 0.95),
            "runs": len(values),
            "queries": queries.get(name),
            "first_ms": first[name],
        }
    return results


def measure_size(size: str, arguments: argparse.Namespace) -> dict[str, Any]:
    count, ours_db, peer_db = SIZES[size]
    samples = pick_samples(f"{SERVER}/{ours_db}")
    log(f"{size}: search {samples['search']!r} ({samples['search_hits']} cases), lookup "
        f"{samples['lookup_number']}, county {samples['county_name']}")  # fmt: skip
    ours = Driver(
        "ours",
        [str(OUR_PYTHON), str(HERE / "our_driver.py"), "--search", samples["search"],
         "--lookup-number", samples["lookup_number"], "--lookup-phone", samples["lookup_phone"]],
        {**os.environ, "DATABASE_URL": f"{SERVER}/{ours_db}"},
    )  # fmt: skip
    theirs = Driver(
        "theirs",
        [str(PEER_PYTHON), str(HERE / "peer_driver.py"), "--search", samples["search"],
         "--lookup-id", str(samples["lookup_id"]), "--county-user", samples["county_user"]],
        {**os.environ, "PEER_DATABASE": peer_db},
    )  # fmt: skip
    info = {"ours": ours.ask(cmd="info"), "theirs": theirs.ask(cmd="info")}
    raw_ours = RawDriver("raw_ours", raw_sql.OurSchema(f"{SERVER}/{ours_db}", samples))
    raw_peer = RawDriver("raw_theirs", raw_sql.PeerSchema(f"{SERVER}/{peer_db}", samples))
    measured: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        for row in ROWS:
            products: list[tuple[str, Any, str]] = []
            if ("ours", row.ours) not in measured:
                products.append(("ours", ours, row.ours))
            if ("theirs", row.theirs) not in measured:
                products.append(("theirs", theirs, row.theirs))
            if row.raw and ("raw_ours", row.raw) not in measured:
                products.append(("raw_ours", raw_ours, row.raw))
                products.append(("raw_theirs", raw_peer, row.raw))
            if not products:
                continue
            result = time_measure(
                products, arguments.rounds, arguments.per_round, arguments.budget,
                arguments.timeout,
            )  # fmt: skip
            for name, _driver, measure in products:
                measured[(name, measure)] = {**result[name], "load": loadavg()}
            if row.raw == "create_api":
                raw_ours.schema.remove_rows()  # out of the lists before they are timed
                raw_peer.schema.remove_rows()
            log(f"{size} {row.label}: " + ", ".join(
                f"{name} {describe(result[name])}" for name, _d, _m in products))  # fmt: skip
    finally:
        cleaned = {
            "ours": ours.close(),
            "theirs": theirs.close(),
            "raw_ours": raw_ours.close(),
            "raw_theirs": raw_peer.close(),
        }
    log(f"{size}: done in {time.perf_counter() - started:.0f} s; cleaned up {cleaned}")
    return {
        "size": size,
        "cases": count,
        "databases": {"ours": ours_db, "theirs": peer_db},
        "samples": samples,
        "info": info,
        "measured": [
            {"product": product, "measure": measure, **value}
            for (product, measure), value in measured.items()
        ],
        "finished": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load": loadavg(),
        "settings": {
            "rounds": arguments.rounds,
            "per_round": arguments.per_round,
            "budget": arguments.budget,
            "timeout": arguments.timeout,
        },
    }


def describe(result: dict[str, Any]) -> str:
    if "timeout" in result:
        return f"> {result['timeout']:.0f} s (stopped)"
    return f"{result['median_ms']:.1f} ms"


# --- The report ---------------------------------------------------------------------------------


def machine(peer: dict[str, str]) -> list[tuple[str, str]]:
    import psycopg

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    kilobytes = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
    with psycopg.connect(f"{SERVER}/postgres") as connection:
        server = connection.execute("SHOW server_version").fetchone()[0]
        settings = {
            name: connection.execute(f"SHOW {name}").fetchone()[0]
            for name in ("shared_buffers", "work_mem", "jit")
        }
    ours_django = subprocess.run(
        [str(OUR_PYTHON), "-c", "import django; print(django.get_version())"],
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores (shared with other work: see the load column)"),
        ("memory", f"{kilobytes / 1024 / 1024:.1f} GiB"),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("PostgreSQL", f"{server} on the same machine ("
         + ", ".join(f"{k} {v}" for k, v in settings.items()) + ")"),
        ("the hotline", f"this repository, Django {ours_django}, `.venv`"),
        ("django-helpdesk", f"{peer.get('django-helpdesk')} from PyPI, Django "
         f"{peer.get('django')}, DRF {peer.get('djangorestframework')}, psycopg "
         f"{peer.get('psycopg')}, `var/peer-venv`"),
    ]  # fmt: skip


def fmt_ms(result: dict[str, Any] | None) -> str:
    if result is None:
        return "—"
    if "timeout" in result:
        return f"> {result['timeout'] * 1000:,.0f} (stopped)"
    value = result["median_ms"]
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def ratio(ours: dict[str, Any] | None, other: dict[str, Any] | None) -> str:
    if not ours or not other or "median_ms" not in ours:
        return "—"
    if "timeout" in other:
        return f"< {ours['median_ms'] / (other['timeout'] * 1000):.2g}"
    value = ours["median_ms"] / other["median_ms"]
    return f"{value:.2g}" if value < 0.1 else f"{value:.2f}"


def render(results: list[dict[str, Any]], load: dict[str, Any] | None, command: str) -> str:
    peer = peer_versions()
    lines = ["### Machine", "", "| | |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in machine(peer)]
    lines += ["", "### Command", "", "```sh", command, "```", ""]
    for result in results:
        index = {(m["product"], m["measure"]): m for m in result["measured"]}
        samples = result["samples"]
        lines += [
            f"### {result['cases']:,} cases",
            "",
            f"Databases `{result['databases']['ours']}` (ours) and "
            f"`{result['databases']['theirs']}` (django-helpdesk), finished "
            f"{result['finished']}, load average at the end {result['load']}. Search text: "
            f"“{samples['search']}” ({samples['search_hits']} cases); county: "
            f"{samples['county_name']}; lookup: case {samples['lookup_number']} (ticket "
            f"{samples['lookup_id']}).",
            "",
            "Median milliseconds (runs in the JSON file); ratios of medians, below 1 means ours "
            "is faster: 0.20 = five times faster.",
            "",
            "| measure | ours | django-helpdesk | ours/theirs | raw SQL, our schema | ours/raw "
            "| raw SQL, peer schema | queries ours / theirs | load (1 min) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in ROWS:
            ours = index.get(("ours", row.ours))
            theirs = index.get(("theirs", row.theirs))
            raw_o = index.get(("raw_ours", row.raw)) if row.raw else None
            raw_t = index.get(("raw_theirs", row.raw)) if row.raw else None
            queries = f"{(ours or {}).get('queries', '—')} / {(theirs or {}).get('queries', '—')}"
            load_now = (ours or theirs or {}).get("load", "").split(" ")[0]
            lines.append(
                f"| {row.label} | {fmt_ms(ours)} | {fmt_ms(theirs)} | {ratio(ours, theirs)} "
                f"| {fmt_ms(raw_o)} | {ratio(ours, raw_o)} | {fmt_ms(raw_t)} | {queries} "
                f"| {load_now} |"
            )
        lines.append("")
    if len(results) > 1:
        lines += [
            "### Growth",
            "",
            "Medians in milliseconds, ours → django-helpdesk, at each size measured.",
            "",
            "| measure | " + " | ".join(f"{r['cases']:,}" for r in results) + " |",
            "|---|" + "---:|" * len(results),
        ]
        for row in ROWS:
            cells = []
            for result in results:
                index = {(m["product"], m["measure"]): m for m in result["measured"]}
                cells.append(
                    f"{fmt_ms(index.get(('ours', row.ours)))} → "
                    f"{fmt_ms(index.get(('theirs', row.theirs)))}"
                )
            lines.append(f"| {row.label} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "What each measure requests:",
        "",
        "| measure | ours | django-helpdesk |",
        "|---|---|---|",
        *[f"| {row.label} | `{row.ours_how}` | `{row.theirs_how}` |" for row in ROWS],
        "",
    ]
    if load:
        lines += render_load(load)
    return "\n".join(lines)


def render_load(load: dict[str, Any]) -> list[str]:
    lines = [
        f"### Under load: wrk against gunicorn, {load['cases']:,} cases",
        "",
        f"`wrk -t{load['threads']} -c{load['connections']} -d{load['duration']}s` on the "
        f"loopback after 5 s of warm-up, gunicorn with {load['workers']} gthread workers of 2 "
        f"threads per product (the hotline's `config/gunicorn.conf.py`), one product at a time; "
        f"finished {load['finished']}.",
        "",
        "| load | product | requests/s | p50 ms | p95 ms | p99 ms | requests | errors | "
        "load (1 min) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for item in load["results"]:
        if "rps" not in item:
            note = item.get("skipped") or f"see `{item.get('log')}` and below"
            lines.append(f"| {item['load']} | {item['product']} | {note} | | | | | | |")
            continue
        lines.append(
            f"| {item['load']} | {item['product']} | {item['rps']:,.1f} | {item['p50']:.1f} "
            f"| {item['p95']:.1f} | {item['p99']:.1f} | {item['requests']:,} "
            f"| {item['errors']} | {item['loadavg'].split(' ')[0]} |"
        )
    lines.append("")
    return lines


def write_docs(text: str) -> None:
    docs = DOCS.read_text()
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in docs and END in docs:
        head, rest = docs.split(BEGIN, 1)
        _old, tail = rest.split(END, 1)
        docs = head + block + tail
    else:
        docs = docs.rstrip("\n") + "\n\n## Side by side with django-helpdesk\n\n" + block + "\n"
    DOCS.write_text(docs)


def main() -> None:
    global RESULTS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per measure")
    parser.add_argument("--per-round", type=int, default=4, help="runs per product and round")
    parser.add_argument("--budget", type=float, default=20, help="seconds per product, measure")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a run may take")
    parser.add_argument("--skip-fill", action="store_true", help="use the databases as they are")
    parser.add_argument("--reinstall", action="store_true", help="recreate var/peer-venv")
    parser.add_argument("--load-test", action="store_true", help="run load.py (wrk) afterwards")
    parser.add_argument("--load-size", default="", help="size of the load test (the largest)")
    parser.add_argument("--load-duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--report-only", action="store_true", help="render the saved results")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument(
        "--results-dir", type=Path, default=RESULTS, help="where results-<size>.json are kept"
    )
    arguments = parser.parse_args()
    RESULTS = arguments.results_dir.resolve()
    sizes = [size.strip() for size in arguments.sizes.split(",") if size.strip()]
    unknown = [size for size in sizes if size not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}: use {', '.join(SIZES)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    command = "make bench-peer BENCH_PEER_ARGS='" + " ".join(sys.argv[1:]) + "'"

    if not arguments.report_only:
        version = ensure_peer_venv(arguments.reinstall)
        log(f"django-helpdesk {version} in {PEER_VENV}")
        for size in sizes:
            if not arguments.skip_fill:
                ensure_data(size)
            result = {**measure_size(size, arguments), "command": command}
            (RESULTS / f"results-{size}.json").write_text(
                json.dumps(result, ensure_ascii=False, indent=1)
            )
        if arguments.load_test:
            import load

            size = arguments.load_size or sizes[-1]
            _count, ours_db, peer_db = SIZES[size]
            outcome = load.run_all(
                size=size,
                cases=SIZES[size][0],
                our_url=f"{SERVER}/{ours_db}",
                peer_db=peer_db,
                samples=pick_samples(f"{SERVER}/{ours_db}"),
                duration=arguments.load_duration,
            )
            (RESULTS / "load.json").write_text(json.dumps(outcome, ensure_ascii=False, indent=1))

    results = [
        json.loads((RESULTS / f"results-{size}.json").read_text())
        for size in SIZES
        if (RESULTS / f"results-{size}.json").exists()
    ]
    load_file = RESULTS / "load.json"
    loaded = json.loads(load_file.read_text()) if load_file.exists() else None
    if arguments.report_only and results and results[-1].get("command"):
        command = results[-1]["command"]  # the run's own, not this re-rendering's
    text = render(results, loaded, command)
    print(text)
    if arguments.write_docs:
        write_docs(text)
        log(f"written into {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
