"""Production: everything secret or site-specific comes from the environment."""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in _required("ALLOWED_HOSTS").split(",") if host.strip()]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]
DATABASES = {"default": dj_database_url.parse(_required("DATABASE_URL"), conn_max_age=60)}
_DATABASE_OPTIONS = DATABASES["default"].setdefault("OPTIONS", {})
if "jit" not in _DATABASE_OPTIONS.get("options", ""):
    # PostgreSQL's JIT compiles long analytical queries; for this OLTP load it only costs: off,
    # the large list counts ran 20-30% faster and intake did not change (docs/benchmarks.md).
    _DATABASE_OPTIONS["options"] = f"{_DATABASE_OPTIONS.get('options', '')} -c jit=off".strip()
if os.environ.get("DATABASE_PREPARED_STATEMENTS", "0") == "1":
    # Parameters bound on the server, and a statement prepared once a connection has run it five
    # times: PostgreSQL then skips parsing and planning it. About a fifth less CPU per intake
    # (docs/benchmarks.md); off by default because the test suite runs without it.
    _DATABASE_OPTIONS.update(server_side_binding=True, prepare_threshold=5)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# SMS (docs/operations.md, "SMS and notifications"); empty means the built-in default.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = os.environ.get("SMS_GATEWAY_TIMEOUT", "")
SMS_LOOKUP_URL = os.environ.get("SMS_LOOKUP_URL", "")
SMS_RATING_URL = os.environ.get("SMS_RATING_URL", "")

# Nothing shared lives in Django's cache: the rate limits of the public pages and API count in
# their own table (hotline.cases.throttling), sessions and login lockouts in the database. The
# default per-process local-memory cache is enough: no cache table or cache service is needed.
# Behind nginx the client's address is the last proxy's X-Forwarded-For entry.
NINJA_NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "1"))
