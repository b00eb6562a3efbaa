"""What the workbench tests share: a filled-in register form, as the browser would post it."""

from __future__ import annotations

import uuid
from typing import Any


def register_form(**overrides: Any) -> dict[str, Any]:
    """A complete call typed into the workbench; ``overrides`` change single fields."""
    data: dict[str, Any] = {
        "phone": "13897112345",
        "worker_name": "张师傅",
        "id_number": "",
        "kind": "complaint",
        "category": "0101",
        "title": "",
        "description": "青海某建筑工程有限公司拖欠我们三个月工资，一共二十多人，多次讨要未果。",
        "employer_name": "青海某建筑工程有限公司",
        "employer_credit_code": "",
        "prefecture": "630100",
        "county": "630102",
        "people_involved": "23",
        "channel": "phone",
        "intake_uuid": str(uuid.uuid4()),
        "then": "accept",
    }
    data.update(overrides)
    return data


HTMX = {"HTTP_HX_REQUEST": "true"}
