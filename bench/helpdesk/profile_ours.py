"""Profile one of the hotline's side-by-side measures with pyinstrument, in the driver's setting.

pyinstrument is not a dependency of the project: install it outside, e.g.
``uv pip install --python .venv/bin/python --target /tmp/helpdesk-prof pyinstrument``, and put
that directory on ``PYTHONPATH``::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench_cases
    PYTHONPATH=/tmp/helpdesk-prof .venv/bin/python bench/helpdesk/profile_ours.py create_api \
        [--runs 50] [--sql]

It builds the measures exactly as ``our_driver.py`` does (same users, clients, inputs: the
runner's sample for the database), runs the measure 5 times untimed, then ``--runs`` times under
the profiler, and prints the call tree (time in the hotline's code, Django, the database driver).
``--sql`` also prints the statements of one run with their times; ``--cpu`` profiles with the
standard library's cProfile on CPU time instead (on a busy machine, wall time mostly measures
the wait for a core). Whatever the measure wrote is removed afterwards, as the driver does.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("measure", help="a measure of our_driver.py, e.g. create_api, lookup")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--sql", action="store_true", help="print one run's statements")
    parser.add_argument("--interval", type=float, default=0.0005, help="sampling interval (s)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="cProfile with CPU time (time.process_time) instead of pyinstrument's wall time: "
        "the process's own work, whatever else the machine runs",
    )
    arguments = parser.parse_args()

    import run as runner
    from our_driver import build, setup_django

    samples = runner.pick_samples(os.environ["DATABASE_URL"])
    setup_django()
    from django.db import connection

    measures, _info, _count, _timeout, cleanup = build(
        samples["search"], samples["lookup_number"], samples["lookup_phone"]
    )
    run = measures[arguments.measure]
    try:
        for _ in range(5):
            run()
        if arguments.sql:
            statements: list[tuple[float, str]] = []

            def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    statements.append(((time.perf_counter() - started) * 1000, sql))

            with connection.execute_wrapper(record):
                run()
            for elapsed, sql in statements:
                print(f"{elapsed:8.2f} ms  {sql[:300]}")
            print(f"{sum(e for e, _ in statements):8.2f} ms in {len(statements)} statements\n")
        if arguments.cpu:
            import cProfile
            import pstats

            profile = cProfile.Profile(time.process_time)
            cpu_started, started = time.process_time(), time.perf_counter()
            profile.enable()
            for _ in range(arguments.runs):
                run()
            profile.disable()
            cpu = (time.process_time() - cpu_started) * 1000 / arguments.runs
            wall = (time.perf_counter() - started) * 1000 / arguments.runs
            print(f"{arguments.measure}: {wall:.2f} ms wall, {cpu:.2f} ms CPU a run (profiled)")
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(r"hotline|ninja|middleware|template", 45)
            stats.sort_stats("tottime").print_stats(25)
            return
        from pyinstrument import Profiler

        profiler = Profiler(interval=arguments.interval)
        started = time.perf_counter()
        profiler.start()
        for _ in range(arguments.runs):
            run()
        profiler.stop()
        elapsed = (time.perf_counter() - started) * 1000 / arguments.runs
        print(f"{arguments.measure}: {elapsed:.2f} ms a run over {arguments.runs} runs (profiled)")
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    finally:
        print(cleanup())


if __name__ == "__main__":
    main()
