"""Development: SQLite under ``var/`` unless ``DATABASE_URL`` says otherwise."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "dev-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker share one file: wait for a lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
