"""Settings of the web server ``bench/intake_load.py`` starts: production's, on the loopback.

Everything comes from ``config.settings.production`` (DEBUG off, persistent connections, the
security settings); the script supplies what production reads from the environment. The
additions: ``BENCH_URLCONF`` may name another URL module (``bench.api_urls`` when the project's
own cannot be imported while the tree is being changed, ``bench.floor`` for the floor
endpoints); ``BENCH_DB_OPTIONS`` (JSON, from ``--db-option``) adds to the database ``OPTIONS``, to
try a setting before production adopts it; and the database connections carry an
``application_name`` so that the script can tell the backends serving this server from other
work on the same database.
"""

import json
import os

from config.settings.production import *  # noqa: F403
from config.settings.production import DATABASES

ROOT_URLCONF = os.environ.get("BENCH_URLCONF", "config.urls")

DATABASES["default"].setdefault("OPTIONS", {}).update(
    json.loads(os.environ.get("BENCH_DB_OPTIONS") or "{}"), application_name="bench-intake-load"
)
