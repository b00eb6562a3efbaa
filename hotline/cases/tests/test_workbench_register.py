"""The workbench's register form: a call typed in, saved and accepted, with the next step on the
same screen; a repeated submission makes no second case; bad input saves nothing and says why in
Chinese next to the field."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hotline.accounts.models import Role
from hotline.cases.models import Case, CaseEvent
from hotline.cases.states import Action, Status
from hotline.notifications.models import OutboxMessage
from hotline.testing import factories as f

from .conftest import id_number
from .workbench_support import HTMX, register_form

pytestmark = pytest.mark.django_db

URL = "/cases/workbench/"
# A valid ID number with its last character changed: the check digit no longer matches.
ID_SHAPE_MESSAGE = "身份证号码应为 17 位数字加 1 位数字或 X。"
BAD_ID_NUMBER = id_number()[:-1] + ("1" if id_number()[-1] != "1" else "2")


def field_error(html: str, field: str) -> str:
    """The error text shown under ``field`` ('' if none)."""
    found = re.search(rf'data-field="{field}">([^<]*)<', html)
    return found.group(1) if found else ""


def test_the_workbench_is_at_cases_workbench():
    assert reverse("cases:workbench") == URL


def test_an_agent_gets_an_empty_form_ready_for_the_next_call(client, staff):
    client.force_login(staff.agent)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input type="tel" name="phone"[^>]*autofocus', html)
    assert re.search(r'name="intake_uuid" value="[0-9a-f-]{36}"', html)
    assert re.search(r'<option value="phone" selected>', html)
    assert re.search(r'name="kind" id="[^"]+" value="consultation" checked', html)
    # The most common kinds come first.
    kinds = re.findall(r'name="kind" id="[^"]+" value="(\w+)"', html)
    assert kinds[:3] == ["consultation", "complaint", "help"]
    assert 'aria-keyshortcuts="Alt+S"' in html and 'data-testid="shortcuts"' in html


def test_each_form_gets_its_own_idempotency_key(client, staff):
    client.force_login(staff.agent)
    keys = {
        re.search(r'name="intake_uuid" value="([^"]+)"', client.get(URL).content.decode())[1]
        for _ in range(2)
    }
    assert len(keys) == 2


@pytest.mark.parametrize("role", [Role.HANDLER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN])
def test_roles_that_do_not_take_calls_cannot_open_the_workbench(client, tree, role):
    client.force_login(f.user(tree.province, role))
    assert client.get(URL).status_code == 403


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client, tree):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_form_registers_and_accepts_a_case(client, staff, tree):
    client.force_login(staff.agent)
    data = register_form()
    response = client.post(URL, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:workbench_case", args=[case.number])
    assert case.status == Status.ACCEPTED
    assert case.owner_org == tree.province
    assert case.created_by == staff.agent
    assert case.channel == "phone"
    assert case.kind == "complaint"
    assert case.category.code == "0101"
    assert case.workplace_division_id == "630102"
    assert case.people_involved == 23
    assert case.phone == "13897112345"
    # No title typed: the first clause of the request stands in.
    assert case.title == "青海某建筑工程有限公司拖欠我们三个月工资"
    assert case.intake_key == f"user:{staff.agent.pk}:form:{staff.agent.pk}:{data['intake_uuid']}"
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        Action.CREATE,
        Action.ACCEPT,
    ]
    assert OutboxMessage.objects.filter(case=case).count() == 1


def test_saving_shows_the_next_step_on_the_same_screen(client, staff):
    client.force_login(staff.agent)
    response = client.post(URL, register_form(), **HTMX)
    case = Case.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == reverse("cases:workbench_case", args=[case.number])
    assert 'id="workbench-main"' in html and "<html" not in html
    assert f"{case.number[:8]}<span" in html
    assert 'data-testid="step-resolve"' in html
    assert 'data-testid="step-dispatch"' in html
    # An accepted case can no longer be declined.
    assert 'data-testid="step-decline"' not in html


def test_the_case_page_of_the_workbench_shows_the_saved_case(client, staff):
    client.force_login(staff.agent)
    client.post(URL, register_form())
    case = Case.objects.get()
    response = client.get(reverse("cases:workbench_case", args=[case.number]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="next-step"' in html
    assert case.title in html
    # Personal data stays masked on the screen.
    assert "138****2345" in html and "13897112345" not in html


def test_a_double_submit_creates_one_case(client, staff):
    client.force_login(staff.agent)
    data = register_form()
    first = client.post(URL, data, **HTMX)
    second = client.post(URL, data, **HTMX)
    case = Case.objects.get()
    assert first.status_code == second.status_code == 200
    assert CaseEvent.objects.filter(case=case).count() == 2
    assert case.number in second.content.decode()
    assert 'data-testid="notice"' in second.content.decode()


def test_saving_without_accepting_leaves_the_case_received_to_decline_it(client, staff):
    client.force_login(staff.agent)
    response = client.post(URL, register_form(then="hold"), **HTMX)
    case = Case.objects.get()
    html = response.content.decode()
    assert case.status == Status.RECEIVED
    assert 'data-testid="step-decline"' in html
    assert 'data-testid="step-accept"' in html
    assert 'data-testid="step-dispatch"' not in html


def test_an_anonymous_caller_needs_no_phone(client, staff):
    client.force_login(staff.agent)
    client.post(URL, register_form(phone="", worker_name="", is_anonymous="on"))
    case = Case.objects.get()
    assert case.is_anonymous and case.phone == ""


def test_a_valid_id_number_is_kept_encrypted(client, staff):
    client.force_login(staff.agent)
    client.post(URL, register_form(id_number=id_number(), is_confidential="on"))
    case = Case.objects.get()
    assert case.is_confidential
    assert case.id_number_tail == id_number()[-4:]
    assert id_number() not in case.id_number_encrypted


def test_a_workplace_given_only_by_prefecture_is_kept(client, staff):
    client.force_login(staff.agent)
    client.post(URL, register_form(county=""))
    assert Case.objects.get().workplace_division_id == "630100"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "1234"}, "phone", "请输入手机号码或带区号的固定电话号码。"),
        ({"id_number": BAD_ID_NUMBER}, "id_number", "校验码不符，请核对号码。"),
        ({"description": "  "}, "description", "此项为必填项。"),
        ({"category": "9999"}, "category", "请从列表中选择诉求分类。"),
        ({"category": ""}, "category", "请从列表中选择诉求分类。"),
        ({"county": "632801"}, "county", "请从列表中选择行政区划。"),
        ({"people_involved": "很多"}, "people_involved", "请输入整数。"),
        ({"kind": "gossip"}, "kind", "选择一个有效的选项。 gossip 不在可用的选项中。"),
    ],
)
def test_bad_input_saves_nothing_and_says_why_in_chinese_next_to_the_field(
    client, staff, overrides, field, message
):
    client.force_login(staff.agent)
    data = register_form(**overrides)
    response = client.post(URL, data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert field_error(html, field) == message
    assert 'data-testid="form-error"' in html
    # What was typed is still there.
    assert 'value="13897112345"' in html or overrides.get("phone") in html
    assert data["intake_uuid"] in html
    assert "青海某建筑工程有限公司" in html


def test_every_bad_field_is_reported_at_once(client, staff):
    client.force_login(staff.agent)
    response = client.post(
        URL, register_form(phone="1234", id_number="12345", description=""), **HTMX
    )
    html = response.content.decode()
    assert not Case.objects.exists()
    assert "部分内容填写有误。" in html
    assert field_error(html, "phone") == "请输入手机号码或带区号的固定电话号码。"
    assert field_error(html, "id_number") == ID_SHAPE_MESSAGE
    assert field_error(html, "description") == "此项为必填项。"
    # The title was left to the workbench: no error is shown for it.
    assert not field_error(html, "title")


def test_the_form_with_errors_is_a_whole_page_without_htmx(client, staff):
    client.force_login(staff.agent)
    response = client.post(URL, register_form(description=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and field_error(html, "description") == "此项为必填项。"


def test_a_lawyer_cannot_register_a_call(client, staff):
    client.force_login(staff.lawyer)
    assert client.post(URL, register_form()).status_code == 403
    assert not Case.objects.exists()


def test_a_prefecture_dispatcher_registers_a_walk_in_for_their_prefecture(client, staff, tree):
    client.force_login(staff.xining_dispatcher)
    html = client.get(URL).content.decode()
    # Only their own prefecture is offered, already chosen.
    assert re.findall(r'<option value="(63\d{4})"', html.split('name="county"')[0]) == ["630100"]
    client.post(URL, register_form(channel="walk_in"))
    case = Case.objects.get()
    assert case.owner_org == tree.xining and case.channel == "walk_in"


def test_a_prefecture_dispatcher_cannot_pick_a_workplace_in_another_prefecture(client, staff):
    client.force_login(staff.xining_dispatcher)
    html = client.post(URL, register_form(prefecture="632800", county=""), **HTMX).content.decode()
    assert not Case.objects.exists()
    assert field_error(html, "county") == "请从列表中选择行政区划。"


def test_the_empty_form_costs_the_same_queries_whatever_the_history(
    client, staff, new_case, django_assert_max_num_queries
):
    client.force_login(staff.agent)
    for _ in range(5):
        new_case()
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for _ in range(35):
        new_case()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)
