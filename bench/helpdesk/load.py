"""The concurrent load test of the side-by-side benchmark: wrk against gunicorn, on the loopback.

``run.py --load-test`` calls ``run_all``; it can also run alone::

    .venv/bin/python bench/helpdesk/load.py [--size 1m] [--duration 20] [--connections 8]

One product at a time, each behind gunicorn on 127.0.0.1 in the same shape: the hotline's own
``config/gunicorn.conf.py`` (3 gthread workers of 2 threads on 2 cores, keep-alive, the
application preloaded), the same options given to the peer's; loaded by Debian's ``wrk`` for a
bounded time (``-d``, 10 s request timeout, after 5 s of warm-up) through ``wrk_report.lua``,
which reports the answers by status and the latency percentiles:

- lookup: the hotline's ``POST /api/v1/public/cases/lookup`` (number + phone of the same case
  every time) with ``our_settings.py`` (production's settings with the throttle raised, see
  there); django-helpdesk's ``GET /helpdesk/view/?ticket=…&email=…&key=…`` for the same case;
- intake: django-helpdesk's ``POST /helpdesk/api/tickets/`` with its DRF token (the tickets it
  makes are deleted afterwards); the hotline's intake under wrk is ``bench/intake_load.py
  --driver wrk`` (the intake benchmark's own, with its realistic bodies, checks and clean-up):
  this script runs it when it has that option and keeps its output.

The hotline keeps the public throttle's counters in a table of its own (one upsert a hit): the
script migrates the hotline's database first, as a deployment does. gunicorn is stopped by the
process id the script started.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PEER_VENV = ROOT / "var" / "peer-venv"
RESULTS = ROOT / "var" / "helpdesk-bench"
HOST = "127.0.0.1"
OUR_PORT, PEER_PORT = 8797, 8798
SERVER = "postgres://postgres@127.0.0.1:5432"
WARMUP = 5  # seconds of wrk before each measured run


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {loadavg()}] {message}", flush=True)


def start(command: list[str], env: dict[str, str], port: int, probe: str, name: str) -> Any:
    output = open(RESULTS / f"{name}-gunicorn.log", "a")  # noqa: SIM115 (closed in stop())
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True
    )
    server.output = output  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", probe)
            connection.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"{name}'s gunicorn exited: see {output.name}") from None
            time.sleep(0.3)
    stop(server)
    raise SystemExit(f"{name}'s gunicorn did not answer within 60 s.")


def stop(server: Any) -> None:
    """Stop the gunicorn this script started (its master; the workers follow)."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    server.output.close()


def wrk(
    url: str,
    method: str,
    body: str,
    headers: dict[str, str],
    duration: int,
    threads: int,
    connections: int,
) -> dict[str, Any]:
    """A warm-up run (``WARMUP`` seconds, discarded: every worker imports and connects on its
    first requests), then the measured one."""
    env = {
        **os.environ,
        "BENCH_METHOD": method,
        "BENCH_BODY": body,
        "BENCH_HEADERS": "\n".join(f"{name}: {value}" for name, value in headers.items()),
    }
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
        "-s", str(HERE / "wrk_report.lua"), url,
    ]  # fmt: skip
    warmup = [*command[:3], f"-d{WARMUP}s", *command[4:]]
    subprocess.run(warmup, env=env, capture_output=True, text=True, timeout=WARMUP + 60)
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 60)
    match = re.search(r"^BENCH_RESULT (\{.*\})$", out.stdout, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    result = json.loads(match.group(1))
    errors = sum(result["errors"].values())
    not_ok = sum(n for status, n in result["statuses"].items() if not 200 <= int(status) < 300)
    seconds = result["duration_us"] / 1e6
    return {
        "rps": result["requests"] / seconds,
        "p50": result["p50_us"] / 1000,
        "p95": result["p95_us"] / 1000,
        "p99": result["p99_us"] / 1000,
        "max": result["max_us"] / 1000,
        "requests": result["requests"],
        "statuses": result["statuses"],
        "errors": max(errors, not_ok),
        "loadavg": loadavg(),
    }


def shape(workers: int) -> list[str]:
    """The process shape of ``config/gunicorn.conf.py``, spelled out so both products get it."""
    return ["-w", str(workers), "-k", "gthread", "--threads", "2", "--keep-alive", "5"]


def our_server(our_url: str, workers: int) -> Any:
    secret = "dev-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
    env = {
        **os.environ,
        "DATABASE_URL": our_url,
        "DJANGO_SETTINGS_MODULE": "bench.helpdesk.our_settings",
        "BENCH_URLCONF": "config.urls",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
    }
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi",
        *shape(workers), "-b", f"{HOST}:{OUR_PORT}", "--log-level", "warning",
    ]  # fmt: skip
    return start(command, env, OUR_PORT, "/api/v1/public/categories", "ours")


def peer_server(peer_db: str, workers: int) -> Any:
    env = {
        **os.environ,
        "PEER_DATABASE": peer_db,
        "DJANGO_SETTINGS_MODULE": "peer_project.settings",
    }
    command = [
        str(PEER_VENV / "bin" / "gunicorn"), "peer_project.wsgi", "--chdir", str(HERE),
        *shape(workers), "--preload", "-b", f"{HOST}:{PEER_PORT}", "--log-level", "warning",
    ]  # fmt: skip
    return start(command, env, PEER_PORT, "/helpdesk/view/", "theirs")


def peer_token_and_lookup(peer_db: str, lookup_id: int) -> tuple[str, dict[str, str], int]:
    """The superuser's DRF token (as the in-process driver makes it), the lookup's query, and
    the first id the intake load will create."""
    import secrets

    import psycopg

    with psycopg.connect(f"{SERVER}/{peer_db}") as connection:
        admin = connection.execute(
            "SELECT id FROM auth_user WHERE username = 'peer_admin'"
        ).fetchone()[0]
        row = connection.execute(
            "SELECT key FROM authtoken_token WHERE user_id = %s", (admin,)
        ).fetchone()
        token = row[0] if row else secrets.token_hex(20)
        if not row:
            connection.execute(
                "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, now())",
                (token, admin),
            )
        email, key, queue = connection.execute(
            "SELECT t.submitter_email, t.secret_key, q.slug FROM helpdesk_ticket t "
            "JOIN helpdesk_queue q ON q.id = t.queue_id WHERE t.id = %s",
            (lookup_id,),
        ).fetchone()
        first_new = connection.execute("SELECT max(id) + 1 FROM helpdesk_ticket").fetchone()[0]
    return token, {"ticket": f"{queue}-{lookup_id}", "email": email, "key": key}, first_new


def remove_peer_tickets(peer_db: str, first_new: int) -> int:
    import psycopg

    with psycopg.connect(f"{SERVER}/{peer_db}") as connection:
        made = "SELECT id FROM helpdesk_ticket WHERE id >= %s"
        connection.execute(
            "DELETE FROM helpdesk_ticketchange WHERE followup_id IN (SELECT id FROM "
            f"helpdesk_followup WHERE ticket_id IN ({made}))",
            (first_new,),
        )
        connection.execute(
            f"DELETE FROM helpdesk_followup WHERE ticket_id IN ({made})", (first_new,)
        )
        removed = connection.execute(
            "DELETE FROM helpdesk_ticket WHERE id >= %s", (first_new,)
        ).rowcount
    return removed


def our_intake(our_url: str, duration: int) -> dict[str, Any]:
    """``bench/intake_load.py --driver wrk``, when the intake benchmark has it."""
    python = str(ROOT / ".venv" / "bin" / "python")
    usage = subprocess.run(
        [python, "bench/intake_load.py", "--help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    if "--driver" not in usage:
        return {"skipped": "bench/intake_load.py has no --driver wrk yet"}
    log_file = RESULTS / "ours-intake-wrk.log"
    with open(log_file, "w") as output:
        done = subprocess.run(
            [python, "bench/intake_load.py", "--driver", "wrk", "--duration", str(duration)],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": our_url}, stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    outcome: dict[str, Any] = {
        "log": str(log_file.relative_to(ROOT)),
        "exit": done.returncode,
        "loadavg": loadavg(),
    }
    # Its "## Result" table: requests | seconds | cases/s | p50 | p95 | p99 | max | not 201.
    text = log_file.read_text()
    match = re.search(r"^\| requests \| seconds \| cases/s .*\n\|[-:| ]+\n(\|.*\|)$", text, re.M)
    run_line = re.search(r"^- gunicorn .*$", text, re.M)
    transport = re.search(r"transport errors: (\d+)", text)
    if match:
        cells = [cell.strip().replace(",", "") for cell in match.group(1).strip("|").split("|")]
        outcome.update(
            {
                "requests": int(cells[0]),
                "rps": float(cells[2]),
                "p50": float(cells[3]),
                "p95": float(cells[4]),
                "p99": float(cells[5]),
                "max": float(cells[6]),
                "errors": int(cells[7]) + (int(transport.group(1)) if transport else 0),
                "server": run_line.group(0)[2:] if run_line else "",
            }
        )
    return outcome


def run_all(
    *,
    size: str,
    cases: int,
    our_url: str,
    peer_db: str,
    samples: dict[str, Any],
    duration: int,
    threads: int = 2,
    connections: int = 8,
    workers: int = 3,
) -> dict[str, Any]:
    from urllib.parse import urlencode

    RESULTS.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []

    log(f"load: the hotline's lookup, {duration} s")
    server = our_server(our_url, workers)
    try:
        lookup_body = json.dumps(
            {"number": samples["lookup_number"], "phone": samples["lookup_phone"]}
        )
        results.append(
            {
                "load": "public status lookup",
                "product": "ours",
                **wrk(
                    f"http://{HOST}:{OUR_PORT}/api/v1/public/cases/lookup",
                    "POST",
                    lookup_body,
                    {"Content-Type": "application/json"},
                    duration,
                    threads,
                    connections,
                ),
            }
        )
    finally:
        stop(server)
    log(f"load: ours {results[-1]['rps']:.1f}/s, errors {results[-1]['errors']}")

    token, lookup_query, first_new = peer_token_and_lookup(peer_db, samples["lookup_id"])
    log(f"load: django-helpdesk's lookup, {duration} s")
    server = peer_server(peer_db, workers)
    try:
        results.append(
            {
                "load": "public status lookup",
                "product": "django-helpdesk",
                **wrk(
                    f"http://{HOST}:{PEER_PORT}/helpdesk/view/?{urlencode(lookup_query)}",
                    "GET",
                    "",
                    {},
                    duration,
                    threads,
                    connections,
                ),
            }
        )
        log(f"load: theirs {results[-1]['rps']:.1f}/s, errors {results[-1]['errors']}")
        log(f"load: django-helpdesk's intake, {duration} s")
        ticket = {
            "queue": None,
            "title": "拖欠工资",
            "description": f"{samples['search']}拖欠三个月工资，多次讨要未果。",
            "submitter_email": "13900000000@sms.invalid",
            "priority": 3,
        }
        import psycopg

        with psycopg.connect(f"{SERVER}/{peer_db}") as connection:
            ticket["queue"] = connection.execute(
                "SELECT id FROM helpdesk_queue WHERE allow_public_submission LIMIT 1"
            ).fetchone()[0]
        results.append(
            {
                "load": "intake (API)",
                "product": "django-helpdesk",
                **wrk(
                    f"http://{HOST}:{PEER_PORT}/helpdesk/api/tickets/",
                    "POST",
                    json.dumps(ticket, ensure_ascii=False),
                    {"Content-Type": "application/json", "Authorization": f"Token {token}"},
                    duration,
                    threads,
                    connections,
                ),
            }
        )
        log(f"load: theirs {results[-1]['rps']:.1f}/s, errors {results[-1]['errors']}")
    finally:
        stop(server)
        removed = remove_peer_tickets(peer_db, first_new)
        log(f"load: removed {removed} tickets from {peer_db}")

    log(f"load: the hotline's intake through bench/intake_load.py --driver wrk, {duration} s")
    ours_intake = our_intake(our_url, duration)
    results.append({"load": "intake (API)", "product": "ours", **ours_intake})
    return {
        "size": size,
        "cases": cases,
        "threads": threads,
        "connections": connections,
        "duration": duration,
        "workers": workers,
        "finished": time.strftime("%Y-%m-%d %H:%M %Z"),
        "results": results,
    }


def main() -> None:
    sys.path.insert(0, str(HERE))
    import run

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1m", choices=list(run.SIZES))
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per product")
    arguments = parser.parse_args()
    count, ours_db, peer_db = run.SIZES[arguments.size]
    outcome = run_all(
        size=arguments.size,
        cases=count,
        our_url=f"{SERVER}/{ours_db}",
        peer_db=peer_db,
        samples=run.pick_samples(f"{SERVER}/{ours_db}"),
        duration=arguments.duration,
        connections=arguments.connections,
        workers=arguments.workers,
    )
    (RESULTS / "load.json").write_text(json.dumps(outcome, ensure_ascii=False, indent=1))
    print("\n".join(run.render_load(outcome)))


if __name__ == "__main__":
    main()
