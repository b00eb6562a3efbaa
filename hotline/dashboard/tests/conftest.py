"""The dashboard's fixtures: the analytics story (nine cases over two weeks of March 2025, told in
``hotline.analytics.tests.conftest``) with its figures built and its risk alerts raised."""

from __future__ import annotations

import pytest

from hotline.accounts.models import Role, User
from hotline.alerts.services import evaluate_cases
from hotline.analytics.refresh import rebuild
from hotline.analytics.tests.conftest import Story, clock, people, story  # noqa: F401
from hotline.cases.models import Case
from hotline.testing import factories as f

MARCH = {"period": "custom", "start": "2025-03-03", "end": "2025-03-14"}


@pytest.fixture
def built(story: Story) -> Story:  # noqa: F811
    """The story with its figures built and the alert rules run over its cases (case D, for 30
    workers of Chengdong, raises a "many people" alert for Chengdong)."""
    evaluate_cases(Case.objects.all())
    rebuild()
    return story


@pytest.fixture
def admin_user(tree) -> User:
    return f.user(tree.province, Role.ADMIN, name="省管理员")
