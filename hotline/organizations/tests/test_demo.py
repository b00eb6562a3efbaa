"""The demo data: Qinghai's real union tree, realistic grassroots unions, demo accounts."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from hotline.accounts.models import User
from hotline.organizations import demo as demo_module
from hotline.organizations.demo import DEFAULT_PASSWORD, DEMO_ACCOUNTS, load_demo
from hotline.organizations.models import Division, DivisionLevel, Formation, Level, Organization
from hotline.organizations.validators import is_valid_credit_code

PASSWORD = "demo-password-12351"


@pytest.fixture
def demo(db):
    return load_demo(PASSWORD)


def counts() -> tuple[int, int, int]:
    return (
        Organization.objects.count(),
        User.objects.count(),
        Organization.objects.exclude(credit_code=None).count(),
    )


def test_loading_the_demo_twice_changes_nothing(demo):
    before = counts()
    paths = list(Organization.objects.values_list("path", "name"))
    again = load_demo(PASSWORD)
    assert again.organizations_created == 0
    assert again.users_created == 0
    assert counts() == before
    assert list(Organization.objects.values_list("path", "name")) == paths


def test_the_first_load_reports_what_it_created(demo):
    assert demo.organizations_created == Organization.objects.count()
    assert demo.users_created == len(DEMO_ACCOUNTS)
    assert str(Organization.objects.count()) in str(demo)


def test_the_provincial_federation_is_the_root(demo):
    root = Organization.objects.get(parent=None)
    assert (root.name, root.level, root.division_id) == ("青海省总工会", Level.PROVINCE, "630000")


def test_every_prefecture_and_county_division_has_its_federation(demo):
    for division in Division.objects.exclude(level=DivisionLevel.PROVINCE):
        federation = Organization.objects.get(division=division, level=division.level)
        assert federation.parent.division_id == division.parent_id, division
        assert federation.name.endswith("工会")


def test_county_federations_are_named_as_real_ones(demo):
    names = set(Organization.objects.filter(level=Level.COUNTY).values_list("name", flat=True))
    assert {
        "城东区总工会",
        "大通县总工会",
        "格尔木市总工会",
        "大柴旦行委工会",
        "化隆县总工会",
    } <= names


def test_the_demo_has_industrial_and_township_unions(demo):
    industrial = set(
        Organization.objects.filter(level=Level.INDUSTRIAL).values_list("name", flat=True)
    )
    assert {"青海省能源化学地质工会", "青海省交通运输工会"} <= industrial
    assert Organization.objects.filter(level=Level.TOWNSHIP).count() >= 10


def test_the_demo_has_at_least_300_grassroots_unions_all_with_valid_credit_codes(demo):
    grassroots = Organization.objects.filter(level=Level.GRASSROOTS)
    assert 300 <= grassroots.count() <= 400
    codes = list(
        Organization.objects.exclude(credit_code=None).values_list("credit_code", flat=True)
    )
    assert len(codes) >= 300
    assert all(is_valid_credit_code(code) for code in codes)


def test_every_demo_organization_has_a_name_of_its_own(demo):
    names = list(Organization.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))


def test_every_grassroots_union_lies_in_its_parents_division(demo):
    for union in Organization.objects.filter(level=Level.GRASSROOTS).select_related(
        "parent__division", "division"
    ):
        assert union.division.code.startswith(union.parent.division.prefix), union
        assert union.path.startswith(union.parent.path)
        assert union.formation in Formation.values
        assert union.contact_name and union.contact_phone


def test_the_demo_has_gig_worker_and_lamian_unions(demo):
    lamian = Organization.objects.get(name="化隆县拉面行业工会")
    assert (lamian.formation, lamian.parent.name) == (Formation.INDUSTRY, "化隆县总工会")
    joint = Organization.objects.filter(formation=Formation.JOINT)
    assert joint.filter(name__contains="快递").exists()
    assert joint.filter(name__contains="货车司机").exists()
    assert joint.filter(name__contains="骑手").exists()


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda account: account.username)
def test_each_demo_account_has_its_roles_and_logs_in_with_the_password(demo, account):
    user = User.objects.get(username=account.username)
    assert user.roles == frozenset(account.roles)
    assert user.name == account.name
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=account.username, password=PASSWORD) == user
    assert authenticate(request, username=account.username, password="wrong-password") is None


def test_demo_accounts_sit_in_their_federations(demo):
    places = dict(User.objects.values_list("username", "organization__name"))
    assert places["province_admin"] == "青海省总工会"
    assert places["xining_dispatcher"] == "西宁市总工会"
    assert places["haixi_dispatcher"] == "海西州总工会"
    assert places["golmud_handler"] == "格尔木市总工会"
    assert places["hualong_handler"] == "化隆县总工会"


def test_only_the_province_admin_is_staff_and_superuser(demo):
    assert set(
        User.objects.filter(is_superuser=True, is_staff=True).values_list("username", flat=True)
    ) == {"province_admin"}


def test_the_demo_loads_on_top_of_an_existing_tree_without_duplicates(tree):
    load_demo(PASSWORD)
    assert Organization.objects.filter(name="格尔木市总工会").count() == 1
    assert Organization.objects.filter(parent=None).count() == 1
    assert Organization.objects.get(name="格尔木市总工会").pk == tree.golmud.pk


def test_load_demo_command_prints_a_one_line_summary_and_uses_the_default_password(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert len(out.getvalue().strip().splitlines()) == 1
    assert User.objects.get(username="province_agent").check_password(DEFAULT_PASSWORD)


def test_load_demo_command_takes_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "from-the-environment")
    call_command("load_demo", stdout=io.StringIO())
    assert User.objects.get(username="golmud_handler").check_password("from-the-environment")


def test_demo_accounts_command_prints_every_account_with_organization_and_roles(db):
    call_command("load_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 + len(DEMO_ACCOUNTS)
    xining = next(line for line in lines if line.startswith("xining_dispatcher"))
    assert "西宁市总工会" in xining
    assert "dispatcher, supervisor" in xining
    assert DEFAULT_PASSWORD in xining


def test_demo_accounts_command_says_when_the_demo_is_not_loaded(db):
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    assert "load_demo" in out.getvalue()


def test_a_planned_credit_code_held_by_another_organization_is_left_to_it(tree):
    divisions = {division.code: division for division in Division.objects.all()}
    planned = next(
        item.new for item in demo_module._plan(divisions) if item.new.level == Level.GRASSROOTS
    )
    Organization.objects.filter(pk=tree.golmud_union.pk).update(credit_code=planned.credit_code)
    load_demo(PASSWORD)
    assert Organization.objects.get(name=planned.name).credit_code is None
    assert Organization.objects.get(pk=tree.golmud_union.pk).credit_code == planned.credit_code
