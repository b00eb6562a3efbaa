"""Demo risk alerts: the rules run over the demo cases, plus three new complaints about one
employer in Golmud so that the repeated-requests rule has something to show.

``load_demo_alerts`` runs after the demo cases (``manage.py load_demo``). The three complaints
are registered through the intake service by the provincial agent, today, about one of the
demo's Golmud companies (by its credit code, so the match by code shows); they stay ``received``,
so no text message is queued. Then rules 1 and 2 are evaluated over every case in the order the
cases were registered, and the periodic job's cursor is put after the newest case. All of it is
idempotent: the complaints are made once (their intake keys), and an evaluation that finds its
alerts already open changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.cases.models import Case
from hotline.cases.services import register_case
from hotline.cases.states import Channel, Kind
from hotline.organizations.models import Level, Organization

from . import services
from .models import EvaluationCursor, RiskAlert

GOLMUD = "632801"
AGENT = "province_agent"
COMPLAINTS = (
    (
        "公司拖欠一线工人两个月工资",
        "我们在盐湖化工厂区做装卸，公司已经两个月没发工资了，班组十几个人都没拿到，"
        "找车间主任说要等总部拨款。",
        "王建国",
        "13909790112",
        4,
    ),
    (
        "工厂停产放假期间不发生活费",
        "厂里说设备检修停产一个月，让我们回家等通知，这个月一分钱生活费都没有，请工会帮忙问问。",
        "马海福",
        "13909790287",
        6,
    ),
    (
        "工资被拖欠，公司说年底一起结",
        "公司说今年的工资到年底一起结，现在每个月只发八百元生活费，工友们都很着急。",
        "才让",
        "13909790345",
        8,
    ),
)


def _employer() -> Organization | None:
    """A demo company in Golmud whose union has a credit code."""
    return (
        Organization.objects.filter(
            level=Level.GRASSROOTS,
            division_id=GOLMUD,
            name__endswith="公司工会",
            credit_code__isnull=False,
        )
        .order_by("name")
        .first()
    )


def _register_complaints(agent: User, employer: Organization) -> int:
    created = 0
    for index, (title, description, name, phone, people) in enumerate(COMPLAINTS, start=1):
        _case, made = register_case(
            actor=agent,
            channel=Channel.PHONE,
            kind=Kind.COMPLAINT,
            category="0101",
            title=title,
            description=description,
            worker_name=name,
            phone=phone,
            employer_name=employer.name.removesuffix("工会"),
            employer_credit_code=employer.credit_code or "",
            workplace_division=GOLMUD,
            people_involved=people,
            intake_key=f"alerts-demo:{index}",
        )
        created += made
    return created


def load_demo_alerts() -> int:
    """Make the demo's alerts (after the demo cases); how many alerts there are in all."""
    agent = User.objects.filter(username=AGENT).first()
    employer = _employer()
    with transaction.atomic():
        if agent is not None and employer is not None:
            _register_complaints(agent, employer)
        # Only the demo's cases (the stories' and these): never a whole database's history.
        services.evaluate_cases(Case.objects.filter(intake_key__contains="demo:"))
        newest = Case.objects.aggregate(last=Max("id"))["last"] or 0
        cursor, _created = EvaluationCursor.objects.get_or_create(name=services.INTAKE_CURSOR)
        if cursor.last_case_id < newest:
            cursor.last_case_id = newest
            cursor.save(update_fields=["last_case_id", "updated_at"])
    return RiskAlert.objects.count()


def summary(total: int) -> str:
    """A few words for ``load_demo``'s one-line output."""
    return _("Risk alerts: %(total)d.") % {"total": total}
