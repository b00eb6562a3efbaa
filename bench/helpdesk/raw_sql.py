"""The raw-SQL reference: each measure's rows written or read with plain SQL through psycopg.

Not a product: what the database itself needs for the same work, one connection, no framework,
so that the side-by-side table shows how close each product comes to it. The statements are the
ones a careful hand would write for the same answer, on each product's own schema and indexes:

- create: one row (the case, or the ticket) and its first history row (the case's ``create``
  event, the ticket's follow-up), in one transaction, committed;
- list, first page: the first page in the product's order (the hotline: newest first, 20
  rows; the peer: open tickets by creation, 25 rows) with the columns the list shows and their
  category/unit or queue/owner names, plus the count capped at 1,001 (as the hotline's list
  counts), for all cases and for the county federation's scope (the hotline: its subtree as
  owner or handler; the peer: its queues or its own tickets);
- search: the same first page among rows whose title, employer (the hotline) or description
  contains the text, case-insensitive (``upper(...) LIKE upper(...)``, which the hotline's
  trigram indexes serve), plus the capped count;
- lookup: one row by its number and phone (the hotline) or id, e-mail and key (the peer), and
  its public history rows.

Rows the create measure writes are numbered ``99999999…`` (a day that does not exist; titled
``RAW …`` in the peer) and deleted by ``remove_rows`` as soon as the measure is done.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import psycopg

CAP = 1001
# Case numbers are YYYYMMDD + the day's sequence: no day 9999-99-99, so no clash.
RAW_DAY = "99999999"


class OurSchema:
    """Plain SQL on the hotline's tables (``cases_case`` and its neighbours)."""

    def __init__(self, url: str, samples: dict[str, Any]) -> None:
        self.connection = psycopg.connect(url)
        self.samples = samples
        self.sequence = itertools.count(1)
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT * FROM cases_case ORDER BY id DESC LIMIT 1")
            columns = [column.name for column in cursor.description]
            template = dict(zip(columns, cursor.fetchone(), strict=True))
        template.pop("id")
        template["intake_key"] = None
        self.case_columns = list(template)
        self.template = template
        self.connection.commit()

    def measures(self) -> dict[str, Callable[[], object]]:
        county = self.samples["county_path"] + "%"
        text = "%" + self.samples["search"].upper() + "%"
        columns = (
            "c.id, c.number, c.title, c.kind, c.channel, c.status, c.created_at, c.deadline_at, "
            "c.supervised, c.urge_count, cat.code, cat.name, o.name"
        )
        joins = (
            "FROM cases_case c JOIN cases_category cat ON cat.id = c.category_id "
            "LEFT JOIN organizations_organization o ON o.id = c.handling_org_id"
        )
        scope = "(c.owner_path LIKE %s OR c.handling_path LIKE %s OR c.lawyer_id = %s)"
        search = (
            "(upper(c.title) LIKE %s OR upper(c.employer_name) LIKE %s "
            "OR upper(c.description) LIKE %s)"
        )

        def page(where: str, params: tuple[Any, ...]) -> Callable[[], object]:
            count_sql = f"SELECT count(*) FROM (SELECT 1 FROM cases_case c {where} LIMIT {CAP}) s"
            page_sql = f"SELECT {columns} {joins} {where} ORDER BY c.created_at DESC LIMIT 20"

            def run() -> object:
                with self.connection.cursor() as cursor:
                    cursor.execute(count_sql, params)
                    cursor.fetchone()
                    cursor.execute(page_sql, params)
                    rows = cursor.fetchall()
                self.connection.commit()
                return rows

            return run

        def create() -> object:
            row = dict(self.template)
            row["number"] = f"{RAW_DAY}{next(self.sequence):09d}"
            names = ", ".join(self.case_columns)
            marks = ", ".join(["%s"] * len(self.case_columns))
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO cases_case ({names}) VALUES ({marks}) RETURNING id",
                    [psycopg.types.json.Jsonb(v) if isinstance(v, (dict, list)) else v
                     for v in row.values()],
                )  # fmt: skip
                case_id = cursor.fetchone()[0]
                cursor.execute(
                    "INSERT INTO cases_caseevent (case_id, sequence, action, actor_name, "
                    "from_status, to_status, note, data, public, created_at, previous_hash, "
                    "hash) VALUES (%s, 0, 'create', '', '', 'received', '', '{}', true, now(), "
                    "'', %s)",
                    (case_id, "0" * 64),
                )
            self.connection.commit()
            return case_id

        def lookup() -> object:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT c.id, c.number, c.kind, c.status, c.created_at, c.rating, cat.name "
                    "FROM cases_case c JOIN cases_category cat ON cat.id = c.category_id "
                    "WHERE c.number = %s AND c.phone = %s",
                    (self.samples["lookup_number"], self.samples["lookup_phone"]),
                )
                case = cursor.fetchone()
                cursor.execute(
                    "SELECT to_status, created_at, action FROM cases_caseevent "
                    "WHERE case_id = %s AND public ORDER BY sequence",
                    (case[0],),
                )
                events = cursor.fetchall()
            self.connection.commit()
            return events

        county_params = (county, county, -1)
        return {
            "create_api": create,
            "list_api_all": page("", ()),
            "list_api_county": page(f"WHERE {scope}", county_params),
            "search_api_all": page(f"WHERE {search}", (text, text, text)),
            "lookup": lookup,
        }

    def remove_rows(self) -> int:
        pattern = RAW_DAY + "%"
        with self.connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM cases_caseevent WHERE case_id IN "
                "(SELECT id FROM cases_case WHERE number LIKE %s)",
                (pattern,),
            )
            cursor.execute("DELETE FROM cases_case WHERE number LIKE %s", (pattern,))
            removed = cursor.rowcount
        self.connection.commit()
        return removed

    def cleanup(self) -> int:
        removed = self.remove_rows()
        self.connection.close()
        return removed


class PeerSchema:
    """Plain SQL on django-helpdesk's tables (``helpdesk_ticket``, ``helpdesk_followup``)."""

    def __init__(self, url: str, samples: dict[str, Any]) -> None:
        self.connection = psycopg.connect(url)
        self.samples = samples
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT max(id) FROM helpdesk_ticket")
            self.first_new = (cursor.fetchone()[0] or 0) + 1
            cursor.execute("SELECT id FROM helpdesk_queue WHERE allow_public_submission LIMIT 1")
            self.public_queue = cursor.fetchone()[0]
            cursor.execute(
                "SELECT id FROM auth_user WHERE username = %s", (samples["county_user"],)
            )
            self.county_user = cursor.fetchone()[0]
            cursor.execute(
                "SELECT q.id FROM helpdesk_queue q JOIN auth_permission p "
                "ON p.codename = 'queue_access_' || q.slug JOIN auth_user_user_permissions up "
                "ON up.permission_id = p.id WHERE up.user_id = %s",
                (self.county_user,),
            )
            self.county_queues = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT submitter_email, secret_key FROM helpdesk_ticket WHERE id = %s",
                (samples["lookup_id"],),
            )
            self.lookup_email, self.lookup_key = cursor.fetchone()
        self.connection.commit()

    def measures(self) -> dict[str, Callable[[], object]]:
        text = "%" + self.samples["search"].upper() + "%"
        columns = (
            "t.id, t.title, t.priority, q.title, t.status, t.created, t.due_date, u.username, "
            "t.submitter_email"
        )
        joins = (
            "FROM helpdesk_ticket t JOIN helpdesk_queue q ON q.id = t.queue_id "
            "LEFT JOIN auth_user u ON u.id = t.assigned_to_id"
        )

        def page(where: str, params: tuple[Any, ...]) -> Callable[[], object]:
            count_sql = (
                f"SELECT count(*) FROM (SELECT 1 FROM helpdesk_ticket t {where} LIMIT {CAP}) s"
            )
            page_sql = f"SELECT {columns} {joins} {where} ORDER BY t.created LIMIT 25"

            def run() -> object:
                with self.connection.cursor() as cursor:
                    cursor.execute(count_sql, params)
                    cursor.fetchone()
                    cursor.execute(page_sql, params)
                    rows = cursor.fetchall()
                self.connection.commit()
                return rows

            return run

        def create() -> object:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO helpdesk_ticket (title, queue_id, created, modified, "
                    "submitter_email, status, on_hold, description, priority, secret_key) "
                    "VALUES ('RAW 拖欠工资', %s, now(), now(), '13900000000@sms.invalid', 1, "
                    "false, %s, 3, gen_random_uuid()::text) RETURNING id",
                    (self.public_queue, self.samples["search"] + "拖欠三个月工资"),
                )
                ticket_id = cursor.fetchone()[0]
                cursor.execute(
                    "INSERT INTO helpdesk_followup (ticket_id, date, title, comment, public) "
                    "VALUES (%s, now(), 'Ticket Opened', '', true)",
                    (ticket_id,),
                )
            self.connection.commit()
            return ticket_id

        def lookup() -> object:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {columns} {joins} WHERE t.id = %s AND upper(t.submitter_email) = "
                    "upper(%s) AND upper(t.secret_key) = upper(%s)",
                    (self.samples["lookup_id"], self.lookup_email, self.lookup_key),
                )
                ticket = cursor.fetchone()
                cursor.execute(
                    "SELECT date, title, comment, new_status FROM helpdesk_followup "
                    "WHERE ticket_id = %s AND public ORDER BY date",
                    (ticket[0],),
                )
                followups = cursor.fetchall()
            self.connection.commit()
            return followups

        open_only = "t.status IN (1, 2)"
        county = "(t.queue_id = ANY(%s) OR t.assigned_to_id = %s)"
        return {
            "create_api": create,
            "list_api_all": page(f"WHERE {open_only}", ()),
            "list_api_county": page(
                f"WHERE {open_only} AND {county}", (self.county_queues, self.county_user)
            ),
            "search_api_all": page(
                "WHERE (upper(t.title) LIKE %s OR upper(t.description) LIKE %s)", (text, text)
            ),
            "lookup": lookup,
        }

    def cleanup(self) -> int:
        removed = self.remove_rows()
        self.connection.close()
        return removed

    def remove_rows(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM helpdesk_followup WHERE ticket_id IN (SELECT id FROM "
                "helpdesk_ticket WHERE id >= %s AND title LIKE 'RAW %%')",
                (self.first_new,),
            )
            cursor.execute(
                "DELETE FROM helpdesk_ticket WHERE id >= %s AND title LIKE 'RAW %%'",
                (self.first_new,),
            )
            removed = cursor.rowcount
        self.connection.commit()
        return removed
