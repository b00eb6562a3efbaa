"""Benchmark: the cheaper reads of issue 6 against the reads they replaced, in one process.

The old and the new way of each read run in alternating rounds on the same connection, so the
load other work puts on the machine falls on both alike (docs/benchmarks.md, "After the
side-by-side: cheaper reads"). On the 1,000,000-case database of ``cases_bench.py``::

    .venv/bin/python bench/reads_before_after.py [--repeat 100]

- a page of the list JSON (20 rows): read and serialize with ``CaseItemOut``; before, whole rows
  with five joins and ``get_*_display`` labels; now ``selectors.case_list`` (``ROW_FIELDS``, three
  joins) and ``selectors.label_of``;
- the list page's rows (25): read, ``list_rows``, render ``cases/_list_results.html``; before, the
  template of commit ``BASE`` (five includes a row), read with ``git show``;
- the public lookup's reads: before, the case by number and again by id with its category; now
  ``selectors.get_public_case`` once;
- the case list filter's category choices: before with a join to the parent, now four columns.
"""

from __future__ import annotations

import argparse
import hmac
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The commit before the change: its list template is the "before" of the rows.
BASE = "89fe3f6ad6b21110d671ad2c2e634c127a53ebce"
USERS = ("province_admin", "chengdong_handler")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=100, help="timed rounds per measure")
    repeat = parser.parse_args().repeat

    from bench.cases_bench import setup_django
    from bench.org_tree import machine

    setup_django()
    from django.db import connection
    from django.template import engines
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from hotline.accounts.models import User
    from hotline.cases import crypto, forms, selectors
    from hotline.cases.models import Case, Category
    from hotline.cases.page_selectors import list_rows
    from hotline.cases.public_api import _public_case
    from hotline.cases.schemas import CaseItemOut
    from hotline.cases.states import Kind, Status

    translation.activate("zh-hans")
    engine = engines["django"]
    old_source = subprocess.run(
        ["git", "show", f"{BASE}:hotline/cases/templates/cases/_list_results.html"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    old_template = engine.from_string(old_source)
    new_template = engine.get_template("cases/_list_results.html")

    class OldItem(CaseItemOut):
        @staticmethod
        def resolve_kind_label(obj: Case) -> str:
            return str(obj.get_kind_display())

        @staticmethod
        def resolve_status_label(obj: Case) -> str:
            return str(obj.get_status_display())

    class Page:
        paginator = type("Paginator", (), {"capped": False, "count": 25})()
        has_other_pages = False

    def old_rows(user: User, size: int) -> list[Case]:
        cases = selectors.visible_cases(user).select_related(*selectors.LIST_RELATED)
        return list(cases.order_by("-created_at", "-id")[:size])

    def new_rows(user: User, size: int) -> list[Case]:
        return list(selectors.case_list(user)[:size])

    def render(template: Any, rows: list[Case]) -> str:
        return template.render({"rows": rows, "page": Page(), "tab": "all", "query": ""})

    def labelled(rows: list[Case]) -> list[Case]:
        for case in rows:  # as casework_list.case_list_page does
            case.status_label = selectors.label_of(Status, case.status)  # type: ignore[attr-defined]
            case.kind_label = selectors.label_of(Kind, case.kind)  # type: ignore[attr-defined]
        return rows

    measures: list[tuple[str, Callable[[], object], Callable[[], object]]] = []
    for name in USERS:
        user = User.objects.get(username=name)
        user.roles  # noqa: B018 - read once, as a request does before its list
        measures.append(
            (
                f"list JSON, 20 rows: read + CaseItemOut ({name})",
                lambda user=user: [OldItem.from_orm(c).dict() for c in old_rows(user, 20)],
                lambda user=user: [CaseItemOut.from_orm(c).dict() for c in new_rows(user, 20)],
            )
        )
        measures.append(
            (
                f"list page rows, 25: read + list_rows + _list_results.html ({name})",
                lambda user=user: render(old_template, list_rows(old_rows(user, 25))),
                lambda user=user: render(new_template, labelled(list_rows(new_rows(user, 25)))),
            )
        )
    sample = Case.objects.exclude(phone="").order_by("pk")[8]
    number, phone = sample.number, sample.phone

    def old_lookup() -> object:
        found = Case.objects.filter(number=number.strip()).first()
        assert found is not None and hmac.compare_digest(found.phone, crypto.normalize_phone(phone))
        return _public_case(Case.objects.select_related("category__parent").get(pk=found.pk))

    measures.append(
        (
            "public lookup: find the case + _public_case (timeline)",
            old_lookup,
            lambda: _public_case(selectors.get_public_case(number, phone)),
        )
    )
    measures.append(
        (
            "case list filter: category choices",
            lambda: list(Category.objects.filter(is_active=True).select_related("parent")),
            forms._category_choices,
        )
    )

    print("## Machine\n")
    for label, value in machine():
        if not label.startswith("load"):
            print(f"- {label}: {value}")
    print(f"- load average (1, 5, 15 min) before the runs: {_load()}")
    print(f"\n## Before and after ({repeat} alternating rounds, median ms)\n")
    print("| measure | before | after | after/before | queries before / after |")
    print("|---|---:|---:|---:|---:|")
    for label, old, new in measures:
        if label.startswith("list JSON") or label.startswith("public"):
            assert old() == new(), label
        for _ in range(5):
            old()
            new()
        queries = []
        for run in (old, new):
            with CaptureQueriesContext(connection) as captured:
                run()
            queries.append(len(captured.captured_queries))
        times: tuple[list[float], list[float]] = ([], [])
        for _ in range(repeat):
            for timed, run in zip(times, (old, new), strict=True):
                started = time.perf_counter()
                run()
                timed.append((time.perf_counter() - started) * 1000)
        before, after = (statistics.median(timed) for timed in times)
        print(
            f"| {label} | {before:.2f} | {after:.2f} | {after / before:.2f} | "
            f"{queries[0]} / {queries[1]} |"
        )
    print(f"\nload average (1, 5, 15 min) after the runs: {_load()}")


def _load() -> str:
    import os

    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
