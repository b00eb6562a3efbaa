"""The three rules: what each looks at, and the finding it reports when it holds.

A rule only reads. It answers a ``Finding`` (the subject, the cases, the figures) or nothing;
``services.record_finding`` turns findings into alerts. Which requests count:

* kinds: complaints and consultations (``RISK_KINDS``); requests for help (hardship aid),
  suggestions, praise and membership applications are not signs of a dispute;
* statuses: every one but ``merged``, since a merged case is a duplicate of another that counts.

Rule 1, repeated requests about one employer: at least ``min_cases`` requests about the employer
within ``window_days`` up to a new request. Employers are the same when the credit codes are
equal; a request without a code matches by the folded name (``cases.matching.employer_key``).
Rule 2, many people: one request for at least ``min_people`` workers (群体性).
Rule 3, wage surge before the Spring Festival: in the ``window_days`` before the festival, the wage
requests of a unit's subtree (the province and each prefecture) so far this season, against the
same days before last year's festival; it holds with at least ``min_cases`` requests and a ratio
of at least ``min_ratio`` (last year's count is taken as at least 1).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from hotline.cases.deadlines import LOCAL_ZONE
from hotline.cases.models import Case, Category
from hotline.cases.states import Kind, Status
from hotline.organizations.models import Level, Organization

from .festival import next_spring_festival, spring_festival
from .models import AlertRule, Rule
from .units import Units

RISK_KINDS = (Kind.COMPLAINT, Kind.CONSULTATION)
# The columns a rule reads of a case, so that no rule loads descriptions or encrypted data.
CASE_FIELDS = (
    "id",
    "number",
    "title",
    "kind",
    "status",
    "employer_name",
    "employer_key",
    "employer_credit_code",
    "workplace_division_id",
    "people_involved",
    "handling_path",
    "owner_path",
    "created_at",
)


@dataclass
class Finding:
    """A rule that holds for a subject: what ``record_finding`` needs to raise or update."""

    rule: str
    subject_key: str
    title: str
    cases: Sequence[Case]
    facts: dict[str, object]
    # The organization when the rule decides it (rule 3); else the cases' common unit.
    organization: Organization | None = None
    period: tuple[datetime.date, datetime.date] | None = None
    # Given the cases no earlier alert of the subject has seen: may it fire again?
    refires: Callable[[Sequence[Case]], bool] = field(default=lambda unseen: False)


def risk_cases() -> QuerySet[Case]:
    """The cases every rule counts."""
    return Case.objects.filter(kind__in=RISK_KINDS).exclude(status=Status.MERGED)


def active_rules() -> dict[str, AlertRule]:
    """The active rules' settings by rule."""
    return {row.rule: row for row in AlertRule.objects.filter(is_active=True)}


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LOCAL_ZONE).date()


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LOCAL_ZONE)


# --- rule 2: many people ---------------------------------------------------------------------


def many_people(case: Case, settings: AlertRule) -> Finding | None:
    """Rule 2 on one new case."""
    if case.kind not in RISK_KINDS or case.status == Status.MERGED:
        return None
    if case.people_involved < (settings.min_people or 0):
        return None
    day = local_date(case.created_at)
    return Finding(
        rule=Rule.MANY_PEOPLE,
        subject_key=f"case:{case.pk}",
        title=case.title,
        cases=[case],
        facts={"people": case.people_involved, "min_people": settings.min_people},
        period=(day, day),
    )


# --- rule 1: repeated requests about one employer ----------------------------------------------


def _employer_filter(case: Case) -> Q | None:
    if case.employer_credit_code:
        same = Q(employer_credit_code=case.employer_credit_code)
        if case.employer_key:
            same |= Q(employer_credit_code="", employer_key=case.employer_key)
        return same
    if case.employer_key:
        return Q(employer_key=case.employer_key)
    return None


def employer_repeat(case: Case, settings: AlertRule) -> Finding | None:
    """Rule 1 on one new case: the employer's requests in the window up to it."""
    if case.kind not in RISK_KINDS or case.status == Status.MERGED:
        return None
    same_employer = _employer_filter(case)
    if same_employer is None:
        return None
    minimum = settings.min_cases or 0
    window = datetime.timedelta(days=settings.window_days or 0)
    matched = list(
        risk_cases()
        .filter(same_employer, created_at__gte=case.created_at - window)
        .filter(created_at__lte=case.created_at)
        .only(*CASE_FIELDS)
        .order_by("created_at", "id")
    )
    if len(matched) < minimum:
        return None
    codes = Counter(item.employer_credit_code for item in matched if item.employer_credit_code)
    code = case.employer_credit_code or (codes.most_common(1)[0][0] if codes else "")
    subject = f"employer:credit:{code}" if code else f"employer:name:{case.employer_key}"
    names = [item.employer_name for item in matched if item.employer_name]
    title = names[-1] if names else code
    return Finding(
        rule=Rule.EMPLOYER_REPEAT,
        subject_key=subject[:255],
        title=title[:200],
        cases=matched,
        facts={
            "employer": title,
            "credit_code": code,
            "window_days": settings.window_days,
            "min_cases": minimum,
            "cases_in_window": len(matched),
        },
        period=(local_date(matched[0].created_at), local_date(matched[-1].created_at)),
        # Acknowledged: only as many requests again, none of them seen before, fire anew.
        refires=lambda unseen: len(unseen) >= minimum,
    )


# --- rule 3: wage requests surging before the Spring Festival ------------------------------------


@dataclass(frozen=True)
class Season:
    """The days of this season counted so far, and the same days before last year's festival."""

    festival: datetime.date
    start: datetime.date
    end: datetime.date  # exclusive: the window so far, up to yesterday
    baseline_start: datetime.date
    baseline_end: datetime.date


def season_on(today: datetime.date, window_days: int) -> Season | None:
    """The season ``today`` lies in, once at least one whole day of it has passed; else None."""
    festival = next_spring_festival(today)
    if festival is None:
        return None
    start = festival - datetime.timedelta(days=window_days)
    if today <= start:
        return None
    last_year = spring_festival(festival.year - 1)
    if last_year is None:
        return None
    elapsed = today - start
    baseline_start = last_year - datetime.timedelta(days=window_days)
    return Season(festival, start, today, baseline_start, baseline_start + elapsed)


def _wage_cases(category: Category | None) -> QuerySet[Case]:
    top = category.pk if category is not None else None
    wage = Q(category__parent_id=top) | Q(category_id=top)
    return risk_cases().filter(wage)


def _between(start: datetime.date, end: datetime.date) -> Q:
    return Q(created_at__gte=local_midnight(start), created_at__lt=local_midnight(end))


def surge_units() -> list[Organization]:
    """The units whose subtrees rule 3 compares: the province and each prefecture."""
    return list(
        Organization.objects.filter(level__in=(Level.PROVINCE, Level.PREFECTURE), is_active=True)
        .select_related("division")
        .order_by("path")
    )


def wage_surge(today: datetime.date, settings: AlertRule, units: Units) -> list[Finding]:
    """Rule 3 for every unit, as of ``today`` (the days before it)."""
    season = season_on(today, settings.window_days or 0)
    if season is None or settings.category_id is None:
        return []
    wage = _wage_cases(settings.category)
    minimum = settings.min_cases or 0
    ratio_needed = Decimal(settings.min_ratio or 0)
    findings = []
    for unit in surge_units():
        inside = wage.filter(units.in_subtree_q(unit.path))
        current = inside.filter(_between(season.start, season.end)).count()
        if current < minimum:
            continue
        baseline = inside.filter(_between(season.baseline_start, season.baseline_end)).count()
        ratio = Decimal(current) / max(baseline, 1)
        if ratio < ratio_needed:
            continue
        cases = list(
            inside.filter(_between(season.start, season.end)).only(*CASE_FIELDS).order_by("id")
        )
        findings.append(
            Finding(
                rule=Rule.WAGE_SURGE,
                subject_key=f"wage_surge:{unit.pk}:{season.festival.year}",
                title=unit.name,
                cases=cases,
                organization=unit,
                facts={
                    "festival": season.festival.isoformat(),
                    "current": current,
                    "baseline": baseline,
                    "ratio": str(ratio.quantize(Decimal("0.01"))),
                    "min_ratio": str(settings.min_ratio),
                    "days": (season.end - season.start).days,
                    "baseline_from": season.baseline_start.isoformat(),
                    "baseline_to": (season.baseline_end - datetime.timedelta(days=1)).isoformat(),
                },
                period=(season.start, season.end - datetime.timedelta(days=1)),
            )
        )
    return findings
