"""Fill a django-helpdesk database with the hotline's own cases, through the peer's models.

Runs in the peer's virtualenv (``var/peer-venv``), never in the project's::

    PEER_DATABASE=hotline_bench_peer_10k var/peer-venv/bin/python bench/helpdesk/peer_load.py \
        --source postgres://postgres@127.0.0.1:5432/hotline_bench_10k [--reset]

It reads the cases and their events from a database ``bench/cases_generate.py`` filled (read
only, with a server-side cursor) and writes the same rows as the peer's ``Queue``, ``Ticket``
and ``FollowUp`` objects with ``bulk_create`` (its models, its migrations, its indexes):

- one queue per unit that handles cases, plus the provincial federation's for cases never
  dispatched (``Queue.save``, which also creates each queue's access permission);
- one staff member per queue (``h<unit id>``), who is ``assigned_to`` on the tickets of that unit
  (the peer assigns tickets to people; the hotline hands them to units), with the permission of
  his queue; the county federation's (the demo's ``chengdong_handler`` unit) also gets the
  queues of its grassroots unions, as its scope in the hotline covers them; ``peer_admin``, a
  superuser, for the province's view;
- one ticket per case, with the same id, title, description, creation and change times, the
  deadline as ``due_date``, the reply as ``resolution``, the phone as the submitter's address
  (``<phone>@sms.invalid``: the peer identifies a submitter by e-mail), the status mapped
  (received to in progress: Open; resolved: Resolved; closed, declined: Closed; merged:
  Duplicate, ``merged_to`` the case it went into);
- one follow-up per event (action as title, note as comment, public flag, time, new status).

``created``/``modified`` are ``auto_now`` fields in the peer; the script switches that off in its
own process so that the tickets keep their real dates (the peer's list sorts and its dashboard
counts by them). A second run with the same source does nothing; ``--reset`` drops and recreates
the database (only one whose name starts with ``hotline_bench_peer``). It ends with
``VACUUM (ANALYZE)``, as the hotline's generator does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BATCH = 5000
COUNTY_UNIT_USER = "chengdong_handler"
EMAIL_DOMAIN = "sms.invalid"
PASSWORD = "bench-peer-password"

OPEN, REOPENED, RESOLVED, CLOSED, DUPLICATE = 1, 2, 3, 4, 5
STATUS = {
    "received": OPEN,
    "accepted": OPEN,
    "dispatched": OPEN,
    "in_progress": OPEN,
    "replied": OPEN,
    "resolved": RESOLVED,
    "closed": CLOSED,
    "declined": CLOSED,
    "merged": DUPLICATE,
}


def ensure_database(name: str, reset: bool) -> None:
    import psycopg

    if reset and not name.startswith("hotline_bench_peer"):
        raise SystemExit(f"--reset drops the database: refusing {name!r} (not hotline_bench_peer*)")
    with psycopg.connect(
        "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists and reset:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    sys.path.insert(0, str(HERE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_project.settings")
    import django

    django.setup()


def email_of(phone: str) -> str | None:
    return f"{phone}@{EMAIL_DOMAIN}" if phone else None


def load(source_url: str) -> None:
    import psycopg
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection, transaction
    from helpdesk.models import FollowUp, Queue, Ticket, UserSettings

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    source = psycopg.connect(source_url)
    cases = source.execute("SELECT count(*) FROM cases_case").fetchone()[0]
    events = source.execute("SELECT count(*) FROM cases_caseevent").fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_peer_loaded "
            "(source text, tickets integer, followups integer, loaded_at timestamptz)"
        )
        cursor.execute("SELECT tickets, followups, loaded_at FROM bench_peer_loaded")
        done = cursor.fetchone()
    if done:
        print(
            f"The peer was loaded at {done[2]:%Y-%m-%d %H:%M} with {done[0]:,} tickets and "
            f"{done[1]:,} follow-ups: nothing to do (--reset loads again)."
        )
        return
    have = Ticket.objects.count()
    if have:
        raise SystemExit(f"The peer holds {have:,} tickets from a load that stopped: --reset.")
    print(f"Source: {cases:,} cases, {events:,} events.", flush=True)

    # Queues: the units that handle cases, and the province for the rest.
    province = source.execute(
        "SELECT id, name, path FROM organizations_organization WHERE parent_id IS NULL "
        "ORDER BY path LIMIT 1"
    ).fetchone()
    units = source.execute(
        "SELECT id, name, path FROM organizations_organization WHERE id IN "
        "(SELECT DISTINCT handling_org_id FROM cases_case WHERE handling_org_id IS NOT NULL) "
        "ORDER BY path"
    ).fetchall()
    county_path = source.execute(
        "SELECT o.path FROM accounts_user u JOIN organizations_organization o "
        "ON o.id = u.organization_id WHERE u.username = %s",
        (COUNTY_UNIT_USER,),
    ).fetchone()[0]
    queues: dict[int, Queue] = {}
    with transaction.atomic():
        for org_id, name, _path in [province, *[u for u in units if u[0] != province[0]]]:
            queue = Queue(title=name[:100], slug=f"u{org_id}", allow_public_submission=False)
            queue.save()
            queues[org_id] = queue
        # The public form files into the province's queue, as the hotline's does.
        queues[province[0]].allow_public_submission = True
        queues[province[0]].save()
    paths = {org_id: path for org_id, _name, path in [province, *units]}

    # Staff: one handler per queue, the province's superuser.
    User = get_user_model()
    hashed = make_password(PASSWORD)
    with transaction.atomic():
        admin = User(
            username="peer_admin",
            email="peer_admin@example.invalid",
            is_staff=True,
            is_superuser=True,
            password=hashed,
        )
        admin.save()  # the post_save signal creates its UserSettings
        handlers = User.objects.bulk_create(
            [
                User(
                    username=f"h{org_id}",
                    email=f"h{org_id}@example.invalid",
                    is_staff=True,
                    password=hashed,
                )
                for org_id in queues
            ]
        )
        UserSettings.objects.bulk_create([UserSettings(user=user) for user in handlers])
        handler_of = {int(user.username[1:]): user for user in handlers}
        permissions = {
            perm.codename: perm
            for perm in Permission.objects.filter(codename__startswith="queue_access_")
        }
        Through = User.user_permissions.through
        grants = []
        for org_id, user in handler_of.items():
            scope = [org_id]
            if paths[org_id] == county_path:
                scope = [o for o, p in paths.items() if p.startswith(county_path)]
            for other in scope:
                perm = permissions[f"queue_access_u{other}"]
                grants.append(Through(user_id=user.pk, permission_id=perm.pk))
        Through.objects.bulk_create(grants)
    county_org = next(o for o, p in paths.items() if p == county_path)
    print(
        f"{len(queues)} queues, {len(handlers) + 1} staff; the county user is "
        f"h{county_org} ({sum(1 for p in paths.values() if p.startswith(county_path))} queues).",
        flush=True,
    )

    # The peer's created/modified are auto_now: keep the cases' own times.
    Ticket._meta.get_field("created").auto_now_add = False
    Ticket._meta.get_field("modified").auto_now = False

    ticket_started = time.perf_counter()
    written = 0
    with source.cursor(name="cases") as cursor:
        cursor.itersize = BATCH
        cursor.execute(
            "SELECT id, title, description, phone, status, handling_org_id, merged_into_id, "
            "created_at, updated_at, deadline_at, reply_text, answer FROM cases_case ORDER BY id"
        )
        batch: list[Ticket] = []
        for row in cursor:
            (pk, title, description, phone, status, handling, merged, created, updated,
             deadline, reply, answer) = row  # fmt: skip
            queue = queues[handling] if handling in queues else queues[province[0]]
            batch.append(
                Ticket(
                    id=pk,
                    title=title,
                    queue=queue,
                    created=created,
                    modified=updated,
                    submitter_email=email_of(phone),
                    assigned_to=handler_of.get(handling),
                    status=STATUS[status],
                    description=description,
                    resolution=reply or answer or None,
                    due_date=deadline,
                    merged_to_id=merged if merged and merged < pk else None,
                )
            )
            if len(batch) == BATCH:
                with transaction.atomic():
                    Ticket.objects.bulk_create(batch)
                written += len(batch)
                batch = []
                if written % 100_000 == 0:
                    print(f"  {written:,} tickets", flush=True)
        if batch:
            with transaction.atomic():
                Ticket.objects.bulk_create(batch)
            written += len(batch)
    ticket_seconds = time.perf_counter() - ticket_started
    print(
        f"{written:,} tickets in {ticket_seconds:.1f} s ({written / ticket_seconds:,.0f}/s)",
        flush=True,
    )

    followup_started = time.perf_counter()
    written = 0
    with source.cursor(name="events") as cursor:
        cursor.itersize = BATCH * 2
        cursor.execute(
            "SELECT case_id, action, note, public, created_at, from_status, to_status "
            "FROM cases_caseevent ORDER BY case_id, sequence"
        )
        batch_f: list[FollowUp] = []
        for case_id, action, note, public, created, before, after in cursor:
            batch_f.append(
                FollowUp(
                    ticket_id=case_id,
                    date=created,
                    title=action,
                    comment=note or None,
                    public=public,
                    new_status=STATUS.get(after) if after and after != before else None,
                )
            )
            if len(batch_f) == BATCH * 2:
                with transaction.atomic():
                    FollowUp.objects.bulk_create(batch_f)
                written += len(batch_f)
                batch_f = []
                if written % 500_000 == 0:
                    print(f"  {written:,} follow-ups", flush=True)
        if batch_f:
            with transaction.atomic():
                FollowUp.objects.bulk_create(batch_f)
            written += len(batch_f)
    followup_seconds = time.perf_counter() - followup_started
    print(
        f"{written:,} follow-ups in {followup_seconds:.1f} s ({written / followup_seconds:,.0f}/s)",
        flush=True,
    )
    source.close()

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_peer_loaded VALUES (%s, %s, %s, now())",
            [source_url, Ticket.objects.count(), FollowUp.objects.count()],
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('helpdesk_ticket', 'id'), "
            "(SELECT max(id) FROM helpdesk_ticket))"
        )
    vacuum_started = time.perf_counter()
    connection.close()
    import psycopg as pg

    settings_db = connection.settings_dict
    with pg.connect(
        f"postgresql://{settings_db['USER']}@{settings_db['HOST']}:{settings_db['PORT']}/"
        f"{settings_db['NAME']}",
        autocommit=True,
    ) as raw:
        raw.execute("VACUUM (ANALYZE)")
    print(f"VACUUM (ANALYZE) in {time.perf_counter() - vacuum_started:.1f} s")
    print(
        json.dumps(
            {
                "tickets": Ticket.objects.count(),
                "followups": FollowUp.objects.count(),
                "queues": len(queues),
                "ticket_seconds": round(ticket_seconds, 1),
                "followup_seconds": round(followup_seconds, 1),
                "total_seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", required=True, help="URL of the hotline database to copy")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database")
    arguments = parser.parse_args()
    name = os.environ.get("PEER_DATABASE")
    if not name:
        raise SystemExit("Set PEER_DATABASE to the peer's database name (hotline_bench_peer_*).")
    ensure_database(name, arguments.reset)
    setup_django()
    load(arguments.source)


if __name__ == "__main__":
    main()
