"""The hotline's side of the side-by-side benchmark: its requests, timed in its own process.

Started by ``bench/helpdesk/run.py`` with the project's virtualenv; speaks the line protocol of
``bench/helpdesk/protocol.py``. Every measure is one request (or two) through
``django.test.Client``: the whole Django stack (middleware, session or token, view, template or
serialization), no network and no WSGI server, ``DEBUG`` off, the development settings on the
database ``DATABASE_URL`` names (persistent connection, as in production).

The public API's throttles (per address and per phone) are raised in this process only, as in
``bench/cases_bench.py``: they still count every request but never refuse. Cases the create
measures register are removed at ``cleanup`` with ``bench.intake_load.remove_cases`` (events,
notifications, delivery tasks, the day's counter), so the database stays as the generator left
it; the API token is revoked.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROVINCE_USER = "province_supervisor"  # sees every case; the admin may not open case pages
AGENT = "province_agent"
COUNTY_USER = "chengdong_handler"
RATES = {key: "1000000/min" for key in ("lookup_ip", "lookup_phone", "intake_ip", "intake_phone")}


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("our_driver.py runs on PostgreSQL only: set DATABASE_URL.")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.PUBLIC_API_RATES = RATES
    warnings.filterwarnings("ignore", message="No directory at")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--search", required=True, help="text of the search measure")
    parser.add_argument("--lookup-number", required=True)
    parser.add_argument("--lookup-phone", required=True)
    arguments = parser.parse_args()
    setup_django()
    import protocol

    protocol.serve(*build(arguments.search, arguments.lookup_number, arguments.lookup_phone))


def build(search: str, lookup_number: str, lookup_phone: str) -> tuple[Any, ...]:
    """The measures and what ``protocol.serve`` needs with them (also used by
    ``profile_ours.py``): measures, info, count_queries, on_timeout, cleanup."""
    from django.db import connection
    from django.test import Client

    from bench.intake_load import remove_cases
    from hotline.accounts.models import User
    from hotline.accounts.tokens import create_api_token, revoke_api_token
    from hotline.cases.matching import words
    from hotline.cases.models import Case, Category

    users = {
        user.username: user
        for user in User.objects.filter(username__in=[PROVINCE_USER, AGENT, COUNTY_USER])
    }
    token, raw_token = create_api_token(users[AGENT], name="bench/helpdesk side by side")
    words("预热")  # jieba's dictionary loads on first use: not part of any measure

    def logged_in(name: str) -> Client:
        client = Client()
        client.force_login(users[name], backend="hotline.accounts.backends.UserBackend")
        return client

    province, county = logged_in(PROVINCE_USER), logged_in(COUNTY_USER)
    agent_client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    public = Client()
    categories = list(
        Category.objects.filter(parent__isnull=False, parent__code="01").values_list(
            "code", flat=True
        )
    )
    rng = random.Random(12351)
    created: list[str] = []
    sequence = itertools.count()

    def expect(response: Any, status: int, what: str) -> Any:
        if response.status_code != status:
            raise RuntimeError(
                f"{what} answered {response.status_code}: {response.content[:300]!r}"
            )
        return response

    def body() -> dict[str, Any]:
        n = next(sequence)
        return {
            "kind": "complaint",
            "category": rng.choice(categories),
            "title": f"拖欠工资 {n}",
            "description": f"{search}拖欠三个月工资共计{rng.randrange(30, 400) * 100}元"
            f"，多次讨要未果（{n}）。",
            "worker_name": "马建国",
            "phone": f"139{rng.randrange(100_000_000):08d}",
            "employer_name": search,
            "people_involved": 1,
        }

    def create_api() -> None:
        response = agent_client.post(
            "/api/v1/cases",
            {**body(), "channel": "phone"},
            content_type="application/json",
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        created.append(expect(response, 201, "POST /api/v1/cases").json()["number"])

    def create_public() -> None:
        response = public.post("/api/v1/public/cases", body(), content_type="application/json")
        created.append(expect(response, 201, "POST /api/v1/public/cases").json()["number"])

    def get(client: Client, path: str, data: dict[str, Any] | None = None) -> Callable[[], None]:
        def run() -> None:
            expect(client.get(path, data or {}), 200, f"GET {path}")

        return run

    def lookup() -> None:
        response = public.post(
            "/api/v1/public/cases/lookup",
            {"number": lookup_number, "phone": lookup_phone},
            content_type="application/json",
        )
        expect(response, 200, "POST /api/v1/public/cases/lookup")

    measures: dict[str, Callable[[], object]] = {
        "create_api": create_api,
        "create_public": create_public,
        "list_api_all": get(province, "/api/v1/cases"),
        "list_page_all": get(province, "/cases/"),
        "list_api_county": get(county, "/api/v1/cases"),
        "list_page_county": get(county, "/cases/"),
        "dashboard_all": get(province, "/cases/supervision/"),
        "dashboard_home": get(province, "/"),
        "dashboard_county": get(county, "/cases/inbox/"),
        "search_api_all": get(province, "/api/v1/cases", {"text": search}),
        "search_page_all": get(province, "/cases/", {"q": search}),
        "lookup": lookup,
    }

    def count_queries(run: Callable[[], object]) -> int:
        calls = [0]

        def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            calls[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            run()
        return calls[0]

    def on_timeout() -> None:
        connection.close()

    def cleanup() -> dict[str, Any]:
        removed = remove_cases(list(created))
        created.clear()
        revoke_api_token(token)
        return {"removed": removed}

    info = {
        "product": "hotline",
        "cases": Case.objects.count(),
        "users": {
            "list, all": PROVINCE_USER,
            "list, county": COUNTY_USER,
            "create (API)": AGENT,
        },
    }
    return measures, info, count_queries, on_timeout, cleanup


if __name__ == "__main__":
    main()
