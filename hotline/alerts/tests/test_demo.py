"""The demo shows a few alerts: the rules run over the demo cases, and three complaints about one
Golmud company make the repeated-requests rule fire; loading again changes nothing."""

from __future__ import annotations

import io

from django.core.management import call_command

from hotline.alerts.demo import summary
from hotline.alerts.models import EvaluationCursor, RiskAlert, Rule
from hotline.cases.models import Case


def test_load_demo_makes_alerts_of_both_intake_rules_once(db):
    call_command("load_demo", stdout=io.StringIO())
    alerts = RiskAlert.objects.select_related("organization")
    rules = {alert.rule for alert in alerts}
    assert {Rule.EMPLOYER_REPEAT, Rule.MANY_PEOPLE} <= rules
    golmud = [
        a for a in alerts if a.rule == Rule.EMPLOYER_REPEAT and "格尔木" in a.organization.name
    ]
    assert any(alert.subject_key.startswith("employer:credit:") for alert in golmud)
    assert EvaluationCursor.objects.get().last_case_id == Case.objects.latest("id").pk
    before = {(alert.pk, alert.case_count) for alert in alerts}
    cases = Case.objects.count()

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert {(alert.pk, alert.case_count) for alert in RiskAlert.objects.all()} == before
    assert Case.objects.count() == cases
    assert summary(len(before)) in out.getvalue()
