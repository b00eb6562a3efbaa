"""A small case factory: cases written directly, before (and without) the case services."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.utils import timezone

from hotline.cases.models import Case, Category
from hotline.cases.states import Channel, Kind, Status

_numbers = itertools.count(1)

MakeCase = Callable[..., Case]


@pytest.fixture
def make_case(tree) -> MakeCase:
    """``make_case(phone=..., **fields)``: a case registered by the provincial centre."""
    category, _created = Category.objects.get_or_create(code="T01", defaults={"name": "劳动报酬"})

    def make(**fields: object) -> Case:
        owner = fields.pop("owner_org", tree.province)
        values: dict[str, object] = {
            "number": f"20250315{next(_numbers):04d}",
            "channel": Channel.PHONE,
            "kind": Kind.COMPLAINT,
            "category": category,
            "title": "拖欠工资",
            "description": "工地拖欠三个月工资",
            "phone": "13912345678",
            "status": Status.ACCEPTED,
            "created_at": timezone.now(),
        }
        values.update(fields)
        return Case.objects.create(owner_org=owner, owner_path=owner.path, **values)

    return make


@pytest.fixture
def case(make_case: MakeCase) -> Case:
    return make_case()
