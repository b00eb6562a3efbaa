"""Production settings pass Django's deployment checks and refuse to start half-configured."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; a server never has it.
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = run_check(
        {
            "SECRET_KEY": "k" * 20 + "production-like-secret-0123456789-abcdefghijklmnop",
            "ALLOWED_HOSTS": "12351.example.gov.cn",
            "DATABASE_URL": "sqlite:///unused.sqlite3",
        }
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_check({"ALLOWED_HOSTS": "12351.example.gov.cn", "DATABASE_URL": "sqlite:///x"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
