"""A case's page: scoped (404 outside), the request with masked personal data and a logged "show",
the timeline with the dispatch path, attachments behind the same scope, and exactly the actions
the user may take now."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.accounts.models import AccessEvent, AccessLog, Role
from hotline.cases import services
from hotline.cases.selectors import allowed_actions
from hotline.notifications.models import Notification
from hotline.testing import factories as f

from .conftest import id_number

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def page_of(case) -> str:
    return f"/cases/{case.number}/"


@pytest.fixture
def at_chengdong(accepted_case, flow):
    return flow.at_county(accepted_case(worker_name="张建国", id_number=id_number()))


def test_the_handling_unit_opens_its_case(client, at_chengdong, staff):
    client.force_login(staff.chengdong_handler)
    response = client.get(page_of(at_chengdong))
    assert response.status_code == 200
    page = response.content.decode()
    assert at_chengdong.title in page
    assert "城东区总工会" in page


def test_a_sibling_county_gets_a_404_for_the_case(client, at_chengdong, staff):
    client.force_login(staff.chengzhong_handler)
    assert client.get(page_of(at_chengdong)).status_code == 404


def test_an_unknown_case_number_is_a_404(client, staff):
    client.force_login(staff.agent)
    assert client.get("/cases/20260101999999/").status_code == 404


def test_an_administrator_without_a_case_role_is_refused(client, at_chengdong, tree):
    client.force_login(f.user(tree.province, Role.ADMIN))
    assert client.get(page_of(at_chengdong)).status_code == 403


def test_the_page_draws_the_dispatch_path_top_down(client, at_chengdong, staff):
    client.force_login(staff.xining_supervisor)
    response = client.get(page_of(at_chengdong))
    assert [unit.name for unit in response.context["path"]] == [
        "青海省总工会",
        "西宁市总工会",
        "城东区总工会",
    ]
    page = response.content.decode()
    path = page[page.index('data-testid="dispatch-path"') :]
    assert path.index("青海省总工会") < path.index("西宁市总工会") < path.index("城东区总工会")


def test_the_timeline_lists_every_event_with_actor_unit_and_note(client, at_chengdong, staff):
    client.force_login(staff.chengdong_handler)
    response = client.get(page_of(at_chengdong))
    events = response.context["timeline"]
    assert [event.action for event in events] == [
        "create",
        "accept",
        "dispatch",
        "acknowledge",
        "dispatch",
        "acknowledge",
    ]
    page = response.content.decode()
    assert "请核实" in page  # the note of the first dispatch
    assert "坐席小王" in page and "西宁派单员" in page
    assert "派至：城东区总工会" in page


def test_assisting_units_are_listed(client, accepted_case, staff, tree):
    case = services.dispatch(
        accepted_case(), actor=staff.agent, to=tree.xining, assisting=[tree.haixi]
    )
    client.force_login(staff.agent)
    page = client.get(page_of(case)).content.decode()
    assisting = page[page.index('data-testid="assisting-units"') :]
    assert "海西州总工会" in assisting[:400]


# --- personal data -----------------------------------------------------------------------------


def test_personal_data_is_masked_until_shown(client, at_chengdong, staff):
    client.force_login(staff.chengdong_handler)
    page = client.get(page_of(at_chengdong)).content.decode()
    assert "138****2345" in page
    assert "13897112345" not in page
    assert "**************" + at_chengdong.id_number_tail in page
    assert id_number() not in page
    assert "张建国" not in page
    assert 'data-testid="reveal"' in page


def test_showing_personal_data_reveals_it_and_logs_the_view(client, at_chengdong, staff):
    client.force_login(staff.chengdong_handler)
    response = client.post(f"{page_of(at_chengdong)}personal-data/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "13897112345" in page
    assert id_number() in page
    assert "张建国" in page
    log = AccessLog.objects.get(event=AccessEvent.PERSONAL_DATA_VIEW)
    assert log.user == staff.chengdong_handler
    assert at_chengdong.number in log.detail


@pytest.mark.parametrize("user_name", ["xining_supervisor", "province_supervisor"])
def test_roles_that_do_not_contact_workers_cannot_show_personal_data(
    client, at_chengdong, staff, user_name
):
    client.force_login(getattr(staff, user_name))
    assert 'data-testid="reveal"' not in client.get(page_of(at_chengdong)).content.decode()
    response = client.post(f"{page_of(at_chengdong)}personal-data/")
    assert response.status_code == 403
    assert not AccessLog.objects.filter(event=AccessEvent.PERSONAL_DATA_VIEW).exists()


def test_a_confidential_request_is_shown_only_to_the_registering_organization(
    client, accepted_case, flow, staff
):
    case = flow.at_county(accepted_case(is_confidential=True))
    client.force_login(staff.chengdong_handler)
    assert client.post(f"{page_of(case)}personal-data/").status_code == 403
    client.force_login(staff.agent)
    assert client.post(f"{page_of(case)}personal-data/").status_code == 200


def test_showing_personal_data_of_a_case_out_of_scope_is_a_404(client, at_chengdong, staff):
    client.force_login(staff.golmud_handler)
    assert client.post(f"{page_of(at_chengdong)}personal-data/").status_code == 404
    assert not AccessLog.objects.filter(event=AccessEvent.PERSONAL_DATA_VIEW).exists()


def test_the_personal_data_view_only_answers_a_post(client, at_chengdong, staff):
    client.force_login(staff.chengdong_handler)
    assert client.get(f"{page_of(at_chengdong)}personal-data/").status_code == 405


# --- the actions offered -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "user_name", ["chengdong_handler", "xining_dispatcher", "xining_supervisor", "agent"]
)
def test_the_page_offers_exactly_the_allowed_actions(client, at_chengdong, staff, user_name):
    user = getattr(staff, user_name)
    client.force_login(user)
    response = client.get(page_of(at_chengdong))
    offered = {form.action for form in response.context["action_forms"]}
    for name in ("comment_form", "attach_form"):
        if response.context[name] is not None:
            offered.add(response.context[name].action)
    assert offered == set(allowed_actions(user, at_chengdong))
    page = response.content.decode()
    for action in offered - {"comment", "attach"}:
        assert f'data-testid="action-{action}"' in page


def test_the_handler_is_offered_reply_but_not_approve_or_dispatch(client, at_chengdong, staff):
    client.force_login(staff.chengdong_handler)
    page = client.get(page_of(at_chengdong)).content.decode()
    assert 'data-testid="action-reply"' in page
    assert 'data-testid="action-approve"' not in page
    assert 'data-testid="action-dispatch"' not in page


def test_a_leader_sees_the_case_but_has_nothing_to_do(client, at_chengdong, tree):
    client.force_login(f.user(tree.xining, Role.LEADER))
    response = client.get(page_of(at_chengdong))
    assert response.context["action_forms"] == []
    assert 'data-testid="no-actions"' in response.content.decode()


# --- attachments -------------------------------------------------------------------------------


def test_an_attachment_downloads_for_a_user_who_sees_the_case(client, at_chengdong, staff):
    upload = SimpleUploadedFile("工资条.png", PNG, content_type="image/png")
    attachment = services.attach(at_chengdong, actor=staff.chengdong_handler, file=upload)
    client.force_login(staff.xining_dispatcher)
    response = client.get(f"{page_of(at_chengdong)}attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert "attachment;" in response["Content-Disposition"]


def test_an_attachment_is_a_404_outside_the_scope_or_under_another_case(
    client, at_chengdong, accepted_case, staff
):
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    attachment = services.attach(at_chengdong, actor=staff.chengdong_handler, file=upload)
    other = accepted_case(phone="13997100000")
    client.force_login(staff.golmud_handler)
    assert client.get(f"{page_of(at_chengdong)}attachments/{attachment.pk}/").status_code == 404
    client.force_login(staff.agent)
    assert client.get(f"{page_of(other)}attachments/{attachment.pk}/").status_code == 404


def test_the_page_lists_the_attachments(client, at_chengdong, staff):
    upload = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    services.attach(at_chengdong, actor=staff.chengdong_handler, file=upload, note="现场")
    client.force_login(staff.chengdong_handler)
    page = client.get(page_of(at_chengdong)).content.decode()
    assert "现场照片.png" in page


# --- notices -----------------------------------------------------------------------------------


def test_opening_a_case_reads_the_units_notices_about_it(
    client, accepted_case, staff, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
        other = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    assert Notification.objects.filter(organization=tree.xining, read_at=None).count() == 2
    client.force_login(staff.xining_handler)
    client.get(page_of(case))
    unread = Notification.objects.filter(organization=tree.xining, read_at=None)
    assert [notice.case_id for notice in unread] == [other.pk]
    read = Notification.objects.get(case=case)
    assert read.read_by == staff.xining_handler


def test_a_supervisor_looking_at_a_case_does_not_read_the_handling_units_notices(
    client, accepted_case, staff, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    client.force_login(staff.province_supervisor)
    client.get(page_of(case))
    assert Notification.objects.get(case=case).read_at is None


def test_the_case_page_costs_the_same_queries_for_a_short_and_a_long_history(
    client, at_chengdong, staff, settings, tmp_path, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = str(tmp_path)

    def add_history(count: int) -> None:
        for index in range(count):
            services.comment(at_chengdong, actor=staff.chengdong_handler, text=f"进展 {index}")
            services.urge(at_chengdong, actor=staff.xining_dispatcher, note=f"催办 {index}")
            upload = SimpleUploadedFile(f"scan-{index}.png", PNG, content_type="image/png")
            services.attach(at_chengdong, actor=staff.chengdong_handler, file=upload)

    add_history(1)
    client.force_login(staff.chengdong_handler)
    client.get(page_of(at_chengdong))
    with django_assert_max_num_queries(25) as few:
        client.get(page_of(at_chengdong))
    add_history(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(page_of(at_chengdong)).content.decode()
    assert "进展 11" in page and "scan-11.png" in page


def test_the_case_page_costs_a_bounded_number_of_queries(
    client, at_chengdong, staff, django_assert_max_num_queries
):
    client.force_login(staff.chengdong_handler)
    client.get(page_of(at_chengdong))
    with django_assert_max_num_queries(25):
        client.get(page_of(at_chengdong))
