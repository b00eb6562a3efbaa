"""django-helpdesk's side of the side-by-side benchmark: its requests, timed in its own process.

Started by ``bench/helpdesk/run.py`` with the peer's virtualenv (``var/peer-venv``) and its
project (``bench/helpdesk/peer_project``), on the database ``PEER_DATABASE`` names, filled by
``peer_load.py``; speaks the line protocol of ``protocol.py``. Every measure is what the peer's
own pages or API do, through ``django.test.Client`` (``DEBUG`` off, persistent connection):

- create (API): ``POST /helpdesk/api/tickets/`` with a DRF token, as its staff superuser;
- create (public form): ``POST /helpdesk/tickets/submit/``, anonymous, into the public queue;
- list: the ticket list page ``GET /helpdesk/tickets/`` (a shell without rows) and the JSON its
  table loads, ``GET /helpdesk/datatables_ticket_list/<query>`` with the query the page puts
  in it (by default the open and reopened tickets, by creation) and DataTables' first-page
  parameters (25 rows); as the superuser and as the county federation's handler (per-queue
  permissions: his queue and those of its grassroots unions);
- dashboard: ``GET /helpdesk/dashboard/``, as the superuser and as the county's handler;
- search: the list with a keyword (``?q=``), i.e. the JSON with ``search_string`` set;
- lookup: the public ``GET /helpdesk/view/?ticket=<queue>-<id>&email=…&key=…`` the
  submitter's e-mail links to.

Tickets the create measures make are deleted at ``cleanup``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATATABLES_FIRST_PAGE = {
    "draw": "1",
    "start": "0",
    "length": "25",
    "search[value]": "",
    "search[regex]": "false",
}


def setup_django() -> None:
    sys.path.insert(0, str(HERE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_project.settings")
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--search", required=True, help="text of the search measure")
    parser.add_argument("--lookup-id", type=int, required=True, help="the case's id")
    parser.add_argument("--county-user", required=True, help="h<unit id> of the county")
    arguments = parser.parse_args()
    setup_django()

    import protocol
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Max
    from django.test import Client
    from helpdesk.models import FollowUp, Queue, Ticket
    from helpdesk.query import query_to_base64
    from rest_framework.authtoken.models import Token

    User = get_user_model()
    admin = User.objects.get(username="peer_admin")
    county_user = User.objects.get(username=arguments.county_user)
    token, _ = Token.objects.get_or_create(user=admin)
    public_queue = Queue.objects.get(allow_public_submission=True)
    lookup_ticket = Ticket.objects.select_related("queue").get(pk=arguments.lookup_id)
    first_new_id = (Ticket.objects.aggregate(top=Max("id"))["top"] or 0) + 1

    def logged_in(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    superuser, county = logged_in(admin), logged_in(county_user)
    api_client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    public = Client()

    # The queries ticket_list() puts into the page for its table (helpdesk/views/staff.py).
    default_query = query_to_base64(
        {
            "filtering": {"status__in": [1, 2]},
            "sorting": "created",
            "search_string": "",
            "sortreverse": False,
        }
    )
    search_query = query_to_base64(
        {
            "filtering": {},
            "filtering_null": {},
            "sorting": "created",
            "sortreverse": None,
            "search_string": arguments.search,
        }
    )
    counter = [0]

    def expect(response: Any, status: int, what: str) -> Any:
        if response.status_code != status:
            raise RuntimeError(
                f"{what} answered {response.status_code}: {response.content[:300]!r}"
            )
        return response

    def create_api() -> None:
        counter[0] += 1
        response = api_client.post(
            "/helpdesk/api/tickets/",
            {
                "queue": public_queue.pk,
                "title": f"拖欠工资 {counter[0]}",
                "description": f"{arguments.search}拖欠三个月工资，多次讨要未果（{counter[0]}）。",
                "submitter_email": f"139{counter[0]:08d}@sms.invalid",
                "priority": 3,
            },
            content_type="application/json",
        )
        expect(response, 201, "POST /helpdesk/api/tickets/")

    def create_public() -> None:
        counter[0] += 1
        response = public.post(
            "/helpdesk/tickets/submit/",
            {
                "queue": public_queue.pk,
                "title": f"拖欠工资 {counter[0]}",
                "body": f"{arguments.search}拖欠三个月工资，多次讨要未果（{counter[0]}）。",
                "submitter_email": f"139{counter[0]:08d}@sms.invalid",
                "priority": 3,
            },
        )
        expect(response, 302, "POST /helpdesk/tickets/submit/")

    def table(client: Client, query: str) -> Callable[[], None]:
        path = f"/helpdesk/datatables_ticket_list/{query}"

        def run() -> None:
            expect(client.get(path, DATATABLES_FIRST_PAGE), 200, "GET datatables_ticket_list")

        return run

    def page(client: Client, query: str, data: dict[str, str] | None = None) -> Callable[[], None]:
        rows = table(client, query)

        def run() -> None:
            expect(client.get("/helpdesk/tickets/", data or {}), 200, "GET /helpdesk/tickets/")
            rows()

        return run

    def get(client: Client, path: str) -> Callable[[], None]:
        def run() -> None:
            expect(client.get(path), 200, f"GET {path}")

        return run

    lookup_query = {
        "ticket": lookup_ticket.ticket_for_url,
        "email": lookup_ticket.submitter_email,
        "key": lookup_ticket.secret_key,
    }

    def lookup() -> None:
        response = expect(public.get("/helpdesk/view/", lookup_query), 200, "GET /helpdesk/view/")
        if lookup_ticket.title.encode() not in response.content:
            raise RuntimeError("The public view did not show the ticket.")

    measures: dict[str, Callable[[], object]] = {
        "create_api": create_api,
        "create_public": create_public,
        "list_api_all": table(superuser, default_query),
        "list_page_all": page(superuser, default_query),
        "list_api_county": table(county, default_query),
        "list_page_county": page(county, default_query),
        "dashboard_all": get(superuser, "/helpdesk/dashboard/"),
        "dashboard_county": get(county, "/helpdesk/dashboard/"),
        "search_api_all": table(superuser, search_query),
        "search_page_all": page(superuser, search_query, {"q": arguments.search}),
        "lookup": lookup,
    }

    def count_queries(run: Callable[[], object]) -> int:
        calls = [0]

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            calls[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            run()
        return calls[0]

    def on_timeout() -> None:
        connection.close()

    def cleanup() -> dict[str, Any]:
        made = Ticket.objects.filter(pk__gte=first_new_id)
        FollowUp.objects.filter(ticket__in=made).delete()
        removed, _ = made.delete()
        return {"removed": removed}

    import helpdesk

    info = {
        "product": "django-helpdesk",
        "version": getattr(helpdesk, "__version__", ""),
        "cases": Ticket.objects.count(),
        "users": {
            "list, all": admin.username,
            "list, county": county_user.username,
            "create (API)": admin.username,
        },
    }
    protocol.serve(measures, info, count_queries, on_timeout, cleanup)


if __name__ == "__main__":
    main()
