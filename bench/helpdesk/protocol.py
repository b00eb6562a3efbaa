"""The line protocol between the side-by-side runner and the two drivers.

Each product is measured in a process of its own, with its own virtualenv and Django: the
hotline's driver (``our_driver.py``, the project's ``.venv``) and django-helpdesk's
(``peer_driver.py``, ``var/peer-venv``). The runner (``run.py``) starts both and sends each,
in turn, one JSON line per request on its standard input; the driver answers one JSON line:

- ``{"cmd": "info"}``: the measures it has and what it found in its database;
- ``{"cmd": "run", "measure": name, "runs": n, "timeout": s}``: ``n`` runs of one measure,
  answered with the time of each in milliseconds and the queries of the last; a run longer than
  ``timeout`` seconds is stopped (``SIGALRM``) and answered ``{"timeout": true}``;
- ``{"cmd": "cleanup"}``: remove what the measures wrote (created cases or tickets);
- ``{"cmd": "quit"}``.

This module imports nothing of Django or of either product, so that both virtualenvs can use it.
The protocol uses the process's original standard output; ``sys.stdout`` is sent to standard
error, so that nothing a product prints can break a line.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO


class RunTimeout(Exception):
    """A run took longer than the runner allows."""


def _alarm(_signum: int, _frame: object) -> None:
    raise RunTimeout


def protocol_output() -> TextIO:
    """The original standard output, for protocol lines only; ``print`` goes to stderr."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr
    return out


def serve(
    measures: dict[str, Callable[[], object]],
    info: dict[str, Any],
    count_queries: Callable[[Callable[[], object]], int],
    on_timeout: Callable[[], None],
    cleanup: Callable[[], dict[str, Any]],
) -> None:
    """Answer the runner's requests until ``quit`` or the end of the input."""
    out = protocol_output()
    signal.signal(signal.SIGALRM, _alarm)

    def answer(payload: dict[str, Any]) -> None:
        out.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")

    for line in sys.stdin:
        request = json.loads(line)
        command = request["cmd"]
        if command == "info":
            answer({**info, "measures": sorted(measures)})
        elif command == "run":
            run = measures[request["measure"]]
            timeout = float(request.get("timeout", 120))
            times: list[float] = []
            queries = 0
            try:
                for index in range(int(request["runs"])):
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                    started = time.perf_counter()
                    if index == int(request["runs"]) - 1 and request.get("count", True):
                        queries = count_queries(run)
                    else:
                        run()
                    times.append((time.perf_counter() - started) * 1000)
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except RunTimeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
                on_timeout()
                answer({"timeout": True, "times_ms": times})
                continue
            except Exception as failure:  # reported to the runner, which stops
                signal.setitimer(signal.ITIMER_REAL, 0)
                answer({"error": f"{type(failure).__name__}: {failure}"})
                continue
            answer({"times_ms": times, "queries": queries})
        elif command == "cleanup":
            answer(cleanup())
        elif command == "quit":
            answer({"bye": True})
            return
        else:
            answer({"error": f"unknown command {command!r}"})
