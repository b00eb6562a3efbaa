"""The demo cases: made through the services, at every step of the lifecycle, loaded once."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from hotline.accounts.models import User
from hotline.cases import demo
from hotline.cases.events import verify_all
from hotline.cases.models import CaseAssist, CaseEvent
from hotline.cases.selectors import visible_cases
from hotline.cases.states import Action, ExtensionState, Rating, Status
from hotline.notifications.models import Channel, OutboxMessage
from hotline.organizations.demo import DEMO_ACCOUNTS, load_demo
from hotline.organizations.models import Level, Organization

MOBILE = re.compile(r"^1[3-9]\d{9}$")


@pytest.fixture
def loaded(db) -> int:
    load_demo("demo-password-12351")
    return demo.load_demo_cases()


def test_loading_the_demo_cases_twice_creates_them_once(loaded):
    assert 55 <= loaded <= 70
    assert demo.demo_cases().count() == loaded
    events = CaseEvent.objects.count()

    assert demo.load_demo_cases() == 0

    assert demo.demo_cases().count() == loaded
    assert CaseEvent.objects.count() == events


def test_every_demo_case_history_verifies(loaded):
    assert list(verify_all()) == []
    out = io.StringIO()
    call_command("verify_case_history", stdout=out)
    assert "intact" in out.getvalue()


def test_the_demo_cases_cover_the_lifecycle(loaded):
    cases = demo.demo_cases()
    assert set(cases.values_list("status", flat=True)) == set(Status) - {Status.TRANSFERRED}
    closed = cases.filter(status=Status.CLOSED)
    assert set(closed.values_list("rating", flat=True)) == set(Rating)
    assert cases.filter(status=Status.RESOLVED, rating=Rating.DISSATISFIED).exists()
    assert cases.filter(rated_by_worker=True).exists()
    # Replies waiting at Xining or Haixi, and replies those approved, waiting at the province.
    assert cases.filter(status=Status.REPLIED, dispatching_org__parent__isnull=False).exists()
    assert cases.filter(status=Status.REPLIED, dispatching_org__parent__isnull=True).exists()
    assert cases.filter(extension_state=ExtensionState.REQUESTED).exists()
    assert cases.filter(extension_state=ExtensionState.APPROVED).exists()
    assert cases.filter(supervised=True, urge_count__gte=1).exists()
    assert cases.filter(return_count__gte=1).exists()
    assert cases.filter(lawyer__username="province_lawyer", status=Status.RESOLVED).exists()
    assert cases.filter(status=Status.MERGED, merged_into__isnull=False).exists()
    assert cases.filter(status=Status.DECLINED, referral__contains="12333").exists()
    assert CaseAssist.objects.filter(case__in=cases).exists()
    actions = set(CaseEvent.objects.filter(case__in=cases).values_list("action", flat=True))
    assert {Action.REASSIGN, Action.SEND_BACK, Action.REOPEN, Action.CLOSE} <= actions
    # Spread over the past weeks: some on time, some overdue, nothing dated in the future.
    now = timezone.now()
    assert cases.filter(status=Status.RECEIVED, deadline_at__lt=now).exists()
    assert cases.filter(status=Status.DISPATCHED, deadline_at__lt=now).exists()
    assert cases.filter(status=Status.IN_PROGRESS, deadline_at__lt=now).exists()
    assert cases.filter(status=Status.IN_PROGRESS, deadline_at__gt=now).exists()
    assert not CaseEvent.objects.filter(created_at__gt=now).exists()


def test_each_demo_account_sees_only_the_cases_of_its_subtree(loaded):
    accounts = {
        user.username: user
        for user in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    }
    everything = set(demo.demo_cases().values_list("pk", flat=True))
    for username in ("province_agent", "province_dispatcher", "province_supervisor"):
        assert set(visible_cases(accounts[username]).values_list("pk", flat=True)) == everything
    lawyer = accounts["province_lawyer"]
    assert set(visible_cases(lawyer).values_list("lawyer_id", flat=True)) == {lawyer.pk}
    assert visible_cases(lawyer).count() == 2
    for username in (
        "xining_dispatcher",
        "haixi_dispatcher",
        "chengdong_handler",
        "chengzhong_handler",
        "golmud_handler",
        "hualong_handler",
    ):
        user = accounts[username]
        path = user.organization.path
        seen = visible_cases(user)
        assert seen.exists(), username
        assisted = CaseAssist.objects.filter(path__startswith=path).values("case_id")
        outside = seen.exclude(
            Q(owner_path__startswith=path) | Q(handling_path__startswith=path) | Q(pk__in=assisted)
        )
        assert not outside.exists(), username
        assert seen.count() < len(everything), username
    golmud = visible_cases(accounts["golmud_handler"])
    xining = accounts["xining_dispatcher"].organization.path
    assert not golmud.filter(handling_path__startswith=xining).exists()


def test_the_demo_workers_are_plausible_and_never_texted(loaded):
    cases = demo.demo_cases()
    for phone in cases.exclude(is_anonymous=True).values_list("phone", flat=True):
        assert MOBILE.match(phone), phone
    assert cases.filter(is_anonymous=True, worker_name="", phone="").exists()
    assert not OutboxMessage.objects.filter(channel=Channel.SMS, case__in=cases).exists()
    # Notices to the handling units are real.
    assert OutboxMessage.objects.filter(channel=Channel.INTERNAL, case__in=cases).exists()


def test_the_employers_are_demo_companies_of_the_workplace_division(loaded):
    companies = {
        (name.removesuffix("工会"), division)
        for name, division in Organization.objects.filter(level=Level.GRASSROOTS).values_list(
            "name", "division_id"
        )
    }
    with_employer = demo.demo_cases().exclude(employer_name="")
    assert with_employer.count() >= 40
    for name, division in with_employer.values_list("employer_name", "workplace_division_id"):
        assert (name, division) in companies


def test_cases_handled_by_a_county_have_their_workplace_there(loaded):
    for case in (
        demo.demo_cases().filter(handling_org__level=Level.COUNTY).select_related("handling_org")
    ):
        assert case.workplace_division_id == case.handling_org.division_id, case.number


def test_the_demo_cases_need_the_demo_accounts(db):
    with pytest.raises(demo.DemoAccountsMissing, match="load_demo"):
        demo.load_demo_cases()
    assert not demo.demo_cases().exists()


def test_the_load_demo_command_loads_the_cases_and_still_prints_one_line(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert str(demo.demo_cases().count()) in lines[0]
    assert demo.demo_cases().count() > 0
