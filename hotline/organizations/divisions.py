"""The GB/T 2260 divisions of Qinghai shipped as ``data/divisions.csv``, and their loader.

The loader takes the model class as an argument so that the data migration can pass its
historical model and tests the current one; both load exactly the same rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "divisions.csv"

# Parents first, so that every row's parent exists when the row is written.
_LEVEL_ORDER = {"province": 0, "prefecture": 1, "county": 2}


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    level: str
    parent_code: str | None


def read_divisions(path: Path = DIVISIONS_CSV) -> list[DivisionRow]:
    """The rows of the divisions file, parents before children."""
    with path.open(encoding="utf-8", newline="") as source:
        rows = [
            DivisionRow(
                code=record["code"].strip(),
                name=record["name"].strip(),
                level=record["level"].strip(),
                parent_code=record["parent_code"].strip() or None,
            )
            for record in csv.DictReader(source)
        ]
    return sorted(rows, key=lambda row: (_LEVEL_ORDER[row.level], row.code))


def load_divisions(division_model: Any, path: Path = DIVISIONS_CSV) -> int:
    """Create or update every division in ``path``; return how many were created.

    Idempotent: a second run finds every row by its code and only rewrites name, level, parent.
    """
    created_count = 0
    for row in read_divisions(path):
        _, created = division_model.objects.update_or_create(
            code=row.code,
            defaults={"name": row.name, "level": row.level, "parent_id": row.parent_code},
        )
        created_count += created
    return created_count
