"""Settings of the hotline's gunicorn in the side-by-side load test (``load.py``).

``bench/settings.py`` (production's, on the loopback), with the public API's throttles raised:
wrk sends every lookup from one address and for one phone, which production would refuse after
ten a minute; here the throttle still counts each request in the cache but never refuses.
"""

from bench.settings import *  # noqa: F403

PUBLIC_API_RATES = {
    key: "100000000/min" for key in ("lookup_ip", "lookup_phone", "intake_ip", "intake_phone")
}
