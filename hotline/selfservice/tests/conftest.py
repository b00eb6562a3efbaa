"""Fixtures for the worker's pages: the hotline's staff, a valid request form, cases at each step.

The rate-limit counters are rows of a table, rolled back (or flushed) with each test's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hotline.accounts.models import Role, User
from hotline.cases import services
from hotline.cases.models import Case
from hotline.cases.states import Channel, Kind
from hotline.testing import factories as f

PHONE = "13897112345"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


@dataclass
class Staff:
    agent: User
    xining_handler: User


@pytest.fixture
def staff(tree: Any) -> Staff:
    return Staff(
        agent=f.user(tree.province, Role.AGENT, name="坐席王芳"),
        xining_handler=f.user(tree.xining, Role.HANDLER, name="承办人李强"),
    )


def request_data(**overrides: Any) -> dict[str, Any]:
    """A valid post of the request form; ``overrides`` change single fields."""
    data: dict[str, Any] = {
        "topic": "unpaid_wages",
        "description": "从今年三月起，青海某建筑工程有限公司拖欠我们23人三个月工资，多次讨要未果。",
        "employer_name": "青海某建筑工程有限公司",
        "people_involved": "23",
        "prefecture": "630100",
        "county": "630102",
        "worker_name": "张师傅",
        "phone": PHONE,
        "consent": "on",
        "intake_key": "form-key-1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def new_case(tree: Any) -> Callable[..., Case]:
    """A request filed by a worker online (as the services would have it)."""

    def make(phone: str = PHONE, **overrides: Any) -> Case:
        fields: dict[str, Any] = {
            "actor": None,
            "channel": Channel.WEB,
            "kind": Kind.COMPLAINT,
            "category": "0101",
            "title": "拖欠工资",
            "description": "公司拖欠三个月工资。",
            "worker_name": "张师傅",
            "phone": phone,
            "employer_name": "青海某建筑工程有限公司",
            "workplace_division": "630102",
        }
        fields.update(overrides)
        case, _created = services.register_case(**fields)
        return case

    return make


@pytest.fixture
def resolved_case(new_case: Callable[..., Case], staff: Staff, tree: Any) -> Callable[..., Case]:
    """Accepted, dispatched to Xining, replied there and approved: resolved, not rated."""

    def make(phone: str = PHONE) -> Case:
        case = services.accept(new_case(phone=phone), actor=staff.agent)
        case = services.dispatch(case, actor=staff.agent, to=tree.xining, note="请核实欠薪情况")
        case = services.acknowledge(case, actor=staff.xining_handler)
        case = services.reply(
            case,
            actor=staff.xining_handler,
            result="经协调，企业已于5月10日补发全部工资。",
            solved=True,
        )
        return services.approve(case, actor=staff.agent)

    return make


def look_up(client: Client, number: str, phone: str = PHONE) -> Any:
    return client.post(reverse("selfservice:lookup"), {"number": number, "phone": phone})
