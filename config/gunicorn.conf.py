"""gunicorn's settings for the platform: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

Measured on a 2-core machine (docs/benchmarks.md, "Intake after the changes"; the deployment in
docs/operations.md). Each setting can be changed without editing this file, from
the environment (``GUNICORN_BIND``, ``GUNICORN_WORKERS``, ``GUNICORN_THREADS``,
``GUNICORN_TIMEOUT``, ``GUNICORN_ACCESS_LOG``) or by the same option on gunicorn's command line,
which wins over both.
"""

from __future__ import annotations

import os
from typing import Any


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# The work is CPU-bound Python (Django, the ORM) plus short database round trips: one process
# per core and one more to fill the gaps while a process waits on PostgreSQL. More processes
# only share the same cores and add switching.
workers = _number("GUNICORN_WORKERS", (os.cpu_count() or 1) + 1)

# gthread keeps HTTP connections alive between requests (the sync worker closes each one, so
# every request from nginx or an integration pays a new connection), and a process serves a
# second request while the first waits on the database. Measured, sync and gthread cost the
# same CPU per request.
worker_class = "gthread"
threads = _number("GUNICORN_THREADS", 2)
keepalive = 5

timeout = _number("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30

# Every request is already logged by nginx in front; set GUNICORN_ACCESS_LOG=- to log here too.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"

# Load the application once, in the master, before forking the workers: each starts ready (no
# import on its first request) and the read-only memory (code, jieba's dictionary) is shared.
# A code change therefore needs a restart (systemctl restart), not a reload (HUP).
preload_app = True


def when_ready(server: Any) -> None:
    """In the master, after the application is loaded and before any worker is forked."""
    from django.db import connections

    from hotline.cases.matching import jieba

    # jieba loads its dictionary (about a second) on the first text it cuts: the duplicate hints
    # and the knowledge base search. Loaded here, no worker's first request waits for it.
    jieba.initialize()
    # A connection opened while loading must not be shared by the forked workers.
    connections.close_all()
