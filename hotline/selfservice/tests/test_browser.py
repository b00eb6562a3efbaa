"""A worker on a 360-pixel phone files a request, looks it up and rates the result (Debian's
chromium through Playwright, touch and keyboard)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import ARTIFACTS
from hotline.cases import services
from hotline.cases.models import Attachment, Case, Category
from hotline.cases.states import Channel, Rating, Status

from .conftest import PHONE, PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 360


@pytest.fixture(autouse=True)
def wage_category(transactional_db: None) -> Category:
    """The category of unpaid wages. Transactional tests flush the data migrations' rows, and
    ``serialized_rollback`` cannot bring them back once other tests set up the database before
    Playwright started (the restore looks at another connection object): create what is used."""
    parent, _ = Category.objects.get_or_create(code="01", defaults={"name": "劳动报酬"})
    category, _ = Category.objects.get_or_create(
        code="0101", defaults={"name": "拖欠工资", "parent": parent}
    )
    return category


@pytest.fixture
def phone(chromium: Browser, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A phone-sized touch screen; a screenshot is kept when the test fails."""
    context = chromium.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": PHONE_WIDTH, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def assert_fits(page: Page) -> None:
    """Nothing sticks out sideways: no horizontal scrolling on the phone."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, page.url


def test_a_worker_files_a_request_on_the_phone_and_sees_the_number(phone: Page, tree):
    phone.goto("/public/")
    assert_fits(phone)
    expect(phone.locator('a[href="tel:12351"]').first).to_be_visible()
    phone.get_by_test_id("go-file").tap()
    expect(phone.get_by_test_id("request-form")).to_be_visible()
    assert_fits(phone)

    phone.locator("label.ss-topic", has=phone.locator('input[value="unpaid_wages"]')).tap()
    phone.locator("#id_description").fill(
        "从今年三月起，青海某建筑工程有限公司拖欠我们23人三个月工资，多次讨要未果。"
    )
    phone.locator("#id_people_involved").fill("23")
    phone.locator("#id_employer_name").fill("青海某建筑工程有限公司")
    phone.locator("#id_prefecture").select_option("630100")
    # Only the counties of Xining are offered now.
    county_options = phone.locator("#id_county option").evaluate_all(
        "options => options.map(option => option.value)"
    )
    assert "630102" in county_options and "632801" not in county_options
    phone.locator("#id_county").select_option("630102")
    phone.locator("#id_phone").fill("1389711")  # a digit short
    # Anonymous hides the name; un-ticked, it is asked for again.
    phone.locator("#id_is_anonymous").check()
    expect(phone.locator("#id_worker_name")).to_be_hidden()
    phone.locator("#id_is_anonymous").uncheck()
    phone.locator("#id_worker_name").fill("张师傅")
    phone.set_input_files(
        "#id_photos", files=[{"name": "工资条.png", "mimeType": "image/png", "buffer": PNG}]
    )
    phone.locator("#id_consent").focus()
    phone.keyboard.press("Space")
    phone.locator("button[type=submit]").tap()

    # Refused next to the phone field; everything typed is still there.
    expect(phone.locator("#id_phone-error")).to_be_visible()
    expect(phone.get_by_test_id("form-errors")).to_be_visible()
    expect(phone.locator("#id_employer_name")).to_have_value("青海某建筑工程有限公司")
    expect(phone.locator('input[value="unpaid_wages"]')).to_be_checked()
    expect(phone.locator("#id_county")).to_have_value("630102")
    assert not Case.objects.exists()
    assert_fits(phone)

    phone.locator("#id_phone").fill(PHONE)
    phone.set_input_files(
        "#id_photos", files=[{"name": "工资条.png", "mimeType": "image/png", "buffer": PNG}]
    )
    phone.locator("button[type=submit]").tap()

    expect(phone.get_by_test_id("receipt")).to_be_visible()
    case = Case.objects.get()
    expect(phone.get_by_test_id("case-number")).to_have_text(case.number)
    assert (case.status, case.channel, case.owner_org_id) == (
        Status.RECEIVED,
        Channel.WEB,
        tree.province.pk,
    )
    assert Attachment.objects.filter(case=case).count() == 1
    assert_fits(phone)
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = phone.locator("button[data-copy]")
    copy.tap()
    expect(copy).to_contain_text(copy.get_attribute("data-done") or "")
    assert phone.evaluate("navigator.clipboard.readText()") == case.number

    phone.get_by_test_id("see-progress").tap()
    expect(phone.get_by_test_id("steps")).to_be_visible()
    expect(phone.get_by_test_id("case-number")).to_have_text(case.number)
    assert_fits(phone)


def file_case(phone_number: str = PHONE) -> Case:
    case, _created = services.register_case(
        actor=None,
        channel=Channel.WEB,
        kind="complaint",
        category="0101",
        title="拖欠工资",
        description="公司拖欠三个月工资。",
        worker_name="张师傅",
        phone=phone_number,
        employer_name="青海某建筑工程有限公司",
        workplace_division="630102",
    )
    return case


def test_a_worker_looks_up_a_case_with_the_keyboard(phone: Page, tree):
    case = file_case()
    phone.goto("/public/")
    phone.get_by_test_id("go-lookup").tap()
    expect(phone.get_by_test_id("lookup-form")).to_be_visible()
    assert_fits(phone)
    phone.locator("#id_number").fill(case.number)
    phone.locator("#id_phone").fill("13900000000")
    phone.keyboard.press("Enter")
    expect(phone.get_by_test_id("lookup-error")).to_be_visible()
    expect(phone.locator("#id_number")).to_have_value(case.number)
    assert_fits(phone)

    phone.locator("#id_phone").fill(PHONE)
    phone.keyboard.press("Enter")
    expect(phone.get_by_test_id("case-number")).to_have_text(case.number)
    expect(phone.get_by_test_id("steps")).to_have_attribute("data-reached", "0")
    expect(phone.get_by_test_id("timeline").locator("li")).to_have_count(1)
    assert_fits(phone)


def test_a_worker_rates_a_resolved_case_from_the_sms_link(phone: Page, tree):
    from hotline.accounts.models import Role
    from hotline.testing import factories as f

    agent = f.user(tree.province, Role.AGENT, name="坐席王芳")
    case = services.accept(file_case(), actor=agent)
    case = services.resolve_directly(
        case, actor=agent, answer="已电话联系企业，工资将于本周五前发放。"
    )

    phone.goto("/public/rating")
    expect(phone.get_by_test_id("lookup-form")).to_be_visible()
    assert_fits(phone)
    phone.locator("#id_number").fill(case.number)
    phone.locator("#id_phone").fill(PHONE)
    phone.locator("button[type=submit]").tap()

    expect(phone.get_by_test_id("rating-form")).to_be_visible()
    assert_fits(phone)
    phone.locator("label.ss-choice", has=phone.locator('input[value="satisfied"]')).tap()
    phone.locator("label.ss-choice", has=phone.locator('input[value="yes"]')).tap()
    phone.locator("#id_note").fill("谢谢工会，工资已经拿到了。")
    phone.locator("button[type=submit]").tap()

    expect(phone.get_by_test_id("message")).to_be_visible()
    expect(phone.get_by_test_id("my-rating")).to_be_visible()
    expect(phone.get_by_test_id("steps")).to_have_attribute("data-reached", "4")
    expect(phone.get_by_test_id("answer")).to_contain_text("工资将于本周五前发放")
    expect(phone.get_by_test_id("timeline")).not_to_contain_text("坐席王芳")
    assert_fits(phone)
    case.refresh_from_db()
    assert (case.rating, case.solved, case.status) == (Rating.SATISFIED, True, Status.CLOSED)

    # Once only: the rating form is not offered again.
    expect(phone.get_by_test_id("go-rate")).to_have_count(0)
    phone.goto(f"/public/cases/{case.number}/rate/")
    expect(phone.get_by_test_id("rating-form")).to_have_count(0)
    expect(phone.get_by_test_id("message")).to_be_visible()
