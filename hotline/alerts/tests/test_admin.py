"""The admin edits the rules' thresholds (never adds or removes a rule) and only shows alerts,
within the administrator's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.alerts.models import AlertRule, Rule
from hotline.testing import factories as f


@pytest.fixture
def admin_client(client, tree):
    client.force_login(f.user(tree.province, is_staff=True, is_superuser=True))
    return client


def test_the_rules_are_listed_and_their_thresholds_edited(admin_client):
    assert admin_client.get(reverse("admin:alerts_alertrule_changelist")).status_code == 200
    url = reverse("admin:alerts_alertrule_change", args=[Rule.EMPLOYER_REPEAT])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"is_active": "on", "min_cases": "4", "window_days": "14"})
    assert response.status_code == 302
    rule = AlertRule.objects.get(rule=Rule.EMPLOYER_REPEAT)
    assert (rule.min_cases, rule.window_days) == (4, 14)


def test_a_threshold_out_of_range_is_refused_on_its_field(admin_client):
    url = reverse("admin:alerts_alertrule_change", args=[Rule.EMPLOYER_REPEAT])
    response = admin_client.post(url, {"is_active": "on", "min_cases": "1", "window_days": ""})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"min_cases", "window_days"} <= set(errors)
    rule = AlertRule.objects.get(rule=Rule.EMPLOYER_REPEAT)
    assert (rule.min_cases, rule.window_days) == (3, 30)


def test_rules_are_neither_added_nor_deleted(admin_client):
    assert admin_client.get(reverse("admin:alerts_alertrule_add")).status_code == 403
    url = reverse("admin:alerts_alertrule_delete", args=[Rule.MANY_PEOPLE])
    assert admin_client.get(url).status_code == 403


def test_alerts_are_shown_read_only(admin_client, many_people_alert):
    alert = many_people_alert()
    listing = admin_client.get(reverse("admin:alerts_riskalert_changelist"))
    assert alert.title in listing.content.decode()
    detail = admin_client.get(reverse("admin:alerts_riskalert_change", args=[alert.pk]))
    assert detail.status_code == 200
    assert admin_client.get(reverse("admin:alerts_riskalert_add")).status_code == 403
