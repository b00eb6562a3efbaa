"""Settings of the web server ``bench/intake_load.py`` starts: production's, on the loopback.

Everything comes from ``config.settings.production`` (DEBUG off, persistent connections, the
security settings); the script supplies what production reads from the environment. The one
addition: ``BENCH_URLCONF`` may name another URL module (``bench.api_urls``) when the project's
own cannot be imported while the tree is being changed.
"""

import os

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = os.environ.get("BENCH_URLCONF", "config.urls")
