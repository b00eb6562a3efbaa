"""Helpers for the organizations tests: credit codes and import files made on the spot."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

import pytest

from hotline.organizations.validators import credit_code_check_char

HEADER = ["名称", "统一社会信用代码", "行政区划代码", "上级组织", "建会方式", "联系人", "联系电话"]


def credit_code(number: int, division_code: str = "630102", kind: str = "91") -> str:
    """A valid credit code, different for every ``number``."""
    code17 = f"{kind}{division_code}MA{number:07d}"
    return code17 + credit_code_check_char(code17)


def csv_bytes(
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def make_csv() -> Callable[..., bytes]:
    return csv_bytes
