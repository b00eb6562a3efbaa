"""The words of an alert: one sentence of what the rule saw, and the notice sent to units."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import RiskAlert, Rule


def describe(alert: RiskAlert) -> str:
    """What the rule saw, in one sentence of the active language."""
    facts = alert.facts or {}
    if alert.rule == Rule.EMPLOYER_REPEAT:
        return _("%(count)d requests about %(employer)s from %(start)s to %(end)s.") % {
            "count": alert.case_count,
            "employer": facts.get("employer") or alert.title,
            "start": alert.period_start or "",
            "end": alert.period_end or "",
        }
    if alert.rule == Rule.MANY_PEOPLE:
        return _("One request on behalf of %(people)d workers.") % {
            "people": int(facts.get("people") or alert.people_involved),
        }
    if alert.rule == Rule.WAGE_SURGE:
        festival = str(facts.get("festival", ""))
        return _(
            "%(current)d wage requests in the %(days)d days so far before the Spring Festival "
            "of %(year)s, against %(baseline)d in the same days last year (%(ratio)s times)."
        ) % {
            "current": int(facts.get("current") or 0),
            "days": int(facts.get("days") or 0),
            "year": festival[:4],
            "baseline": int(facts.get("baseline") or 0),
            "ratio": facts.get("ratio", ""),
        }
    return alert.title


def notice_text(alert: RiskAlert) -> str:
    """The notice a unit's inbox shows, always in the site's language (read later by others)."""
    with override(settings.LANGUAGE_CODE):
        return _(
            "Risk alert (%(rule)s): %(title)s. %(summary)s See Risk alerts to acknowledge it."
        ) % {
            "rule": alert.get_rule_display(),
            "title": alert.title,
            "summary": describe(alert),
        }
