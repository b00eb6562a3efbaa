"""The admin edits categories and deadline rules, and only shows cases and their events."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from hotline.cases.models import Case, Category, DeadlineRule
from hotline.testing import factories as f


@pytest.fixture
def admin_client(client, tree):
    client.force_login(f.user(tree.province, is_staff=True, is_superuser=True))
    return client


def test_categories_are_listed_as_a_tree_and_searchable(admin_client):
    page = admin_client.get(reverse("admin:cases_category_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("劳动报酬") < text.index("拖欠工资") < text.index("社会保险")
    found = admin_client.get(reverse("admin:cases_category_changelist"), {"q": "欠薪"})
    assert "拖欠工资" in found.content.decode()


def test_deadline_rules_are_listed(admin_client):
    page = admin_client.get(reverse("admin:cases_deadlinerule_changelist"))
    assert page.status_code == 200


def test_a_deadline_rules_form_says_when_a_change_applies(admin_client):
    rule = DeadlineRule.objects.first()
    page = admin_client.get(reverse("admin:cases_deadlinerule_change", args=[rule.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        help_text = translation.gettext(
            "A change applies to clocks started from now on, on every server process within a "
            "minute. Deadlines already set do not move."
        )
    assert escape(help_text) in page.content.decode()


def test_cases_are_shown_read_only_with_their_events(admin_client, accepted_case):
    case = accepted_case()
    listing = admin_client.get(reverse("admin:cases_case_changelist"), {"q": case.number})
    assert case.number in listing.content.decode()
    detail = admin_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "138****2345" in text and "13897112345" not in text
    assert admin_client.get(reverse("admin:cases_case_add")).status_code == 403
    assert admin_client.post(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403
    admin_client.post(
        reverse("admin:cases_case_change", args=[case.pk]), {"title": "改过"}, follow=True
    )
    case.refresh_from_db()
    assert case.title != "改过"
    assert Case.objects.filter(pk=case.pk).exists()


def test_case_events_are_listed_read_only(admin_client, accepted_case):
    accepted_case()
    page = admin_client.get(reverse("admin:cases_caseevent_changelist"))
    assert page.status_code == 200
    assert admin_client.get(reverse("admin:cases_caseevent_add")).status_code == 403


def test_categories_cannot_be_deleted(admin_client):
    category = Category.objects.get(code="0101")
    url = reverse("admin:cases_category_delete", args=[category.pk])
    assert admin_client.get(url).status_code == 403
