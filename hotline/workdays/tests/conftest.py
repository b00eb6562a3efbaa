"""Fixtures of the calendar tests: a fresh calendar per test and an admin to act as."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hotline.accounts.models import User
from hotline.organizations.models import Level
from hotline.testing import factories as f
from hotline.workdays import calendar


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    # The calendar caches per process; a test's rows are rolled back, so forget them both ways.
    calendar.reset_state()
    yield
    calendar.reset_state()


@pytest.fixture
def admin_user(db: None) -> User:
    province = f.organization(
        "青海省总工会", parent=None, level=Level.PROVINCE, division=f.division("630000", "青海省")
    )
    return f.user(province, is_staff=True, is_superuser=True)
