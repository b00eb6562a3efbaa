"""A worker looks a case up by number and phone and reads where it stands, in plain words."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.cases import services
from hotline.cases.states import Status
from hotline.selfservice.progress import progress_of

from .conftest import PHONE, look_up

pytestmark = pytest.mark.django_db


def case_url(number: str) -> str:
    return reverse("selfservice:case", kwargs={"number": number})


def test_the_right_number_and_phone_open_the_case_page(client, new_case):
    case = new_case()
    response = look_up(client, case.number)
    assert response.status_code == 302
    assert response["Location"] == case_url(case.number)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert case.number in page.content.decode()
    assert page.context["progress"].reached == 0
    assert "138****2345" in page.content.decode()
    assert PHONE not in page.content.decode()


def test_the_phone_may_be_typed_with_spaces_and_the_number_with_spaces(client, new_case):
    case = new_case()
    response = look_up(client, f" {case.number[:8]} {case.number[8:]} ", "138 9711 2345")
    assert response["Location"] == case_url(case.number)


def test_a_wrong_phone_gets_the_same_answer_as_an_unknown_number(client, new_case):
    case = new_case()
    wrong_phone = look_up(client, case.number, "13900000000")
    unknown_number = look_up(client, "2099010199999", PHONE)
    assert wrong_phone.status_code == unknown_number.status_code == 200
    assert wrong_phone.context["form"].errors == unknown_number.context["form"].errors
    assert list(wrong_phone.context["form"].errors) == ["__all__"]

    def error_box(response):
        page = response.content.decode()
        start = page.index('data-testid="lookup-error"')
        return page[start : page.index("</div>", page.index("</div>", start) + 1)]

    assert error_box(wrong_phone) == error_box(unknown_number)
    # Neither opened the case for this session.
    assert client.get(case_url(case.number)).status_code == 302


def test_an_empty_lookup_asks_for_both_fields(client):
    response = client.post(reverse("selfservice:lookup"), {"number": "", "phone": ""})
    assert set(response.context["form"].errors) == {"number", "phone"}
    assert set(client.post(reverse("selfservice:lookup")).context["form"].errors) == {
        "number",
        "phone",
    }


def test_the_case_page_without_a_lookup_in_this_session_asks_for_the_lookup(client, new_case):
    case = new_case()
    response = client.get(case_url(case.number))
    assert response.status_code == 302
    assert response["Location"] == reverse("selfservice:lookup")


def test_a_lookup_is_remembered_only_for_its_own_case(client, new_case):
    mine = new_case()
    other = new_case(phone="13900000001")
    look_up(client, mine.number)
    assert client.get(case_url(mine.number)).status_code == 200
    assert client.get(case_url(other.number)).status_code == 302


def test_the_timeline_shows_no_staff_names_and_no_internal_notes(client, resolved_case, staff):
    case = resolved_case()
    services.comment(case, actor=staff.agent, text="内部备注：来电人情绪激动，注意沟通方式")
    services.comment(case, actor=staff.agent, text="您好，我们已经联系企业负责人。", internal=False)
    look_up(client, case.number)
    page = client.get(case_url(case.number)).content.decode()
    for secret in (
        "坐席王芳",
        "承办人李强",
        staff.agent.username,
        staff.xining_handler.username,
        "内部备注",
        "请核实欠薪情况",  # the dispatch note is for the unit, not for the worker
    ):
        assert secret not in page, secret
    assert "您好，我们已经联系企业负责人。" in page
    assert "经协调，企业已于5月10日补发全部工资。" in page


def test_the_case_page_costs_the_same_queries_however_long_the_history(
    client, new_case, staff, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    short = services.accept(new_case(), actor=staff.agent)
    long = services.accept(new_case(phone="13900000003"), actor=staff.agent)
    for n in range(12):
        services.comment(long, actor=staff.agent, text=f"进展{n}", internal=False)
    look_up(client, short.number)
    look_up(client, long.number, "13900000003")
    with CaptureQueriesContext(connection) as few:
        client.get(case_url(short.number))
    with django_assert_max_num_queries(len(few)):
        response = client.get(case_url(long.number))
    assert len(response.context["timeline"]) == 14


def test_a_resolved_case_shows_the_answer_and_offers_the_rating(client, resolved_case):
    case = resolved_case()
    look_up(client, case.number)
    response = client.get(case_url(case.number))
    assert response.context["answer"] == "经协调，企业已于5月10日补发全部工资。"
    assert response.context["progress"].reached == 3
    assert response.context["progress"].can_rate
    assert reverse("selfservice:rate", kwargs={"number": case.number}) in (
        response.content.decode()
    )


def test_a_declined_case_shows_where_to_turn_instead(client, new_case, staff):
    case = services.decline(new_case(), actor=staff.agent, referral="请拨打12333咨询社保政策")
    look_up(client, case.number)
    response = client.get(case_url(case.number))
    assert response.context["progress"].off_path
    assert 'data-testid="steps"' not in response.content.decode()
    assert "请拨打12333咨询社保政策" in response.content.decode()


def test_the_rating_link_of_the_sms_goes_on_to_the_rating_form(client, resolved_case, new_case):
    case = resolved_case()
    response = client.post(reverse("selfservice:rating"), {"number": case.number, "phone": PHONE})
    assert response["Location"] == reverse("selfservice:rate", kwargs={"number": case.number})
    open_case = new_case(phone="13900000002")
    response = client.post(
        reverse("selfservice:rating"), {"number": open_case.number, "phone": "13900000002"}
    )
    assert response["Location"] == case_url(open_case.number)


def test_the_sms_addresses_without_a_slash_reach_the_pages(client):
    assert client.get("/public/lookup")["Location"] == "/public/lookup/"
    assert client.get("/public/rating")["Location"] == "/public/rating/"
    assert client.get("/public/rating/").status_code == 200


@pytest.mark.parametrize(
    ("status", "rating", "reached", "can_rate"),
    [
        (Status.RECEIVED, "", 0, False),
        (Status.ACCEPTED, "", 1, False),
        (Status.DISPATCHED, "", 2, False),
        (Status.IN_PROGRESS, "", 2, False),
        (Status.REPLIED, "", 2, False),
        (Status.RESOLVED, "", 3, True),
        (Status.RESOLVED, "dissatisfied", 4, False),
        (Status.CLOSED, "satisfied", 4, False),
    ],
)
def test_each_status_maps_to_a_step_of_the_four(new_case, status, rating, reached, can_rate):
    case = new_case()
    case.status, case.rating = status, rating
    if reached >= 2:
        case.dispatched_at = timezone.now()  # handed to a handling unit on its way
    progress = progress_of(case)
    assert (progress.reached, progress.can_rate, progress.off_path) == (reached, can_rate, False)
    steps = progress.steps
    assert [step.done for step in steps] == [index < reached for index in range(4)]
    assert sum(step.current for step in steps) == 1


@pytest.mark.parametrize(
    ("status", "rating", "reached"),
    [
        (Status.RESOLVED, "", 3),
        (Status.RESOLVED, "dissatisfied", 4),
        (Status.CLOSED, "satisfied", 4),
    ],
)
def test_a_request_answered_on_first_contact_skips_the_handling_step(
    new_case, status, rating, reached
):
    case = new_case()
    case.status, case.rating = status, rating
    progress = progress_of(case)
    assert progress.reached == reached
    steps = progress.steps
    assert [step.skipped for step in steps] == [False, True, False, False]
    assert [step.done for step in steps] == [True, False, True, reached == 4]


def test_the_page_shows_the_skipped_step_only_for_a_request_answered_at_once(
    client, new_case, resolved_case, staff
):
    accepted = services.accept(new_case(), actor=staff.agent)
    answered = services.resolve_directly(accepted, actor=staff.agent, answer="可申请劳动仲裁。")
    page = client.get(look_up(client, answered.number)["Location"]).content.decode()
    assert page.count('data-testid="step-skipped"') == 1
    handled = resolved_case(phone="13997100002")
    page = client.get(look_up(client, handled.number, "13997100002")["Location"]).content.decode()
    assert 'data-testid="step-skipped"' not in page


@pytest.mark.parametrize("status", [Status.DECLINED, Status.MERGED, Status.TRANSFERRED])
def test_a_case_off_the_usual_path_shows_no_steps(new_case, status):
    case = new_case()
    case.status = status
    assert progress_of(case).off_path
