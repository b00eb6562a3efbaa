"""One case walked through every role's page in Debian's chromium, as the people who use them
would: the agent registers a call on the workbench and dispatches it to a county federation, the
county handler acknowledges and replies from the inbox, the province dispatcher approves the
reply, the worker follows it on the phone-sized public pages and the agent records the follow-up
call. Then a case the worker rates on the phone, a case the county returns, and an overdue case
on the list and the supervision board.

Only the pages act: after the fixtures have made the organizations, the users and the categories,
no service is called. At every step the test checks what the person sees (the status, the
deadline badge, exactly the actions they may take) and that the page fits a 360-pixel phone.

Set ``HOTLINE_SCREENSHOTS`` to a directory to keep a screenshot of every step at desktop
(1280 px) and phone (360 px) width, for a person to look at.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import ARTIFACTS
from hotline.accounts.models import Role
from hotline.cases.models import Case, Category
from hotline.cases.states import Channel, Rating, Status
from hotline.notifications.models import OutboxMessage
from hotline.testing import factories as f
from hotline.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
SHOTS = os.environ.get("HOTLINE_SCREENSHOTS", "")
RED = "rgb(220, 53, 69)"

WORKER_PHONE = "13897112345"
EMPLOYER = "青海某建筑工程有限公司"
REQUEST = f"{EMPLOYER}拖欠我们二十多名工人三个月工资，多次讨要未果，希望工会帮忙协调。"
REPLY = "已约谈企业负责人，企业承诺本月底前补发全部拖欠工资，我会持续跟进。"


# --- what every test uses -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def categories(transactional_db: None) -> None:
    """Transactional tests flush the data migrations' rows: the categories used are made here."""
    wages, _ = Category.objects.get_or_create(
        code="01", defaults={"name": "劳动报酬", "keywords": "工资,薪水,报酬"}
    )
    Category.objects.get_or_create(
        code="0101", defaults={"name": "拖欠工资", "parent": wages, "keywords": "欠薪,讨薪"}
    )


@pytest.fixture
def people(tree: Any) -> dict[str, Any]:
    """The staff who take part: usernames are what they type on the login page."""
    return {
        "agent": f.user(tree.province, Role.AGENT, username="agent", name="坐席王芳"),
        "dispatcher": f.user(
            tree.province, Role.DISPATCHER, username="dispatcher", name="省派单员赵敏"
        ),
        "supervisor": f.user(
            tree.province, Role.SUPERVISOR, username="supervisor", name="省督办刘军"
        ),
        "chengdong": f.user(
            tree.chengdong, Role.HANDLER, username="chengdong", name="城东承办人马晓兰"
        ),
        "golmud": f.user(tree.golmud, Role.HANDLER, username="golmud", name="格尔木承办人韩梅"),
    }


@pytest.fixture
def phone(chromium: Browser, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The worker's phone: 360 pixels wide, touch; a screenshot is kept when the test fails."""
    context = chromium.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-phone.png"), full_page=True)
    context.close()


class Troubles:
    """Every answer of 400 or more and every script error a page met: htmx drops a failed
    answer silently, so a broken partial would otherwise pass unseen."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, page: Page) -> None:
        page.on(
            "response",
            lambda response: (
                self.seen.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        page.on("pageerror", lambda error: self.seen.append(f"script error: {error}"))


@pytest.fixture
def troubles(page: Page, request: pytest.FixtureRequest) -> Iterator[Troubles]:
    found = Troubles()
    found.watch(page)
    if "phone" in request.fixturenames:
        found.watch(request.getfixturevalue("phone"))
    yield found
    assert found.seen == []


def fits(page: Page, width: int) -> None:
    """Nothing sticks out sideways."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide at {width} px"


def look(page: Page, name: str) -> None:
    """The staff page fits a phone and a desktop; kept as screenshots when asked."""
    page.set_viewport_size(PHONE)
    fits(page, PHONE["width"])
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-360.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    fits(page, DESKTOP["width"])
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}-1280.png", full_page=True)


def look_on_phone(phone: Page, name: str) -> None:
    fits(phone, PHONE["width"])
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=f"{SHOTS}/{name}-360.png", full_page=True)


def sign_in(page: Page, username: str) -> None:
    """The next person at the screen: the previous one's session is gone."""
    page.context.clear_cookies()
    log_in(page, username)
    expect(page.get_by_test_id("welcome")).to_be_visible()


def actions_offered(page: Page) -> set[str]:
    """The actions the case page offers the user, by name (``action-reply`` → ``reply``)."""
    buttons = page.get_by_test_id("actions").locator("[data-testid^=action-]")
    return {
        name.removeprefix("action-")
        for name in buttons.evaluate_all("buttons => buttons.map(button => button.dataset.testid)")
    }


def open_case(page: Page, number: str) -> None:
    """From the case list, as a person finds it: by typing the number."""
    page.goto("/cases/")
    page.get_by_label("查询").fill(number)
    expect(page.get_by_test_id("result-count")).to_contain_text("共 1 件工单")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_test_id("case-number")).to_have_text(number)


def register_call(page: Page) -> str:
    """The agent types a wage complaint from Chengdong into the workbench and saves it; its
    number."""
    page.goto("/cases/workbench/")
    page.locator("#id_phone").fill(WORKER_PHONE)
    expect(page.get_by_test_id("first-call")).to_be_visible()
    page.locator("#id_worker_name").fill("张师傅")
    page.locator("label[for=id_kind_1]").click()
    page.locator("#id_description").fill(REQUEST)
    page.locator("#id_category").select_option("0101")
    page.locator("#id_employer_name").fill(EMPLOYER)
    # The hints the typing asked for arrive before saving, as the agent would read them.
    expect(page.get_by_test_id("duplicate-hints")).to_contain_text("近 30 天没有相似诉求")
    page.locator("#id_prefecture").select_option("630100")
    expect(page.locator("#id_county option[value='630102']")).to_have_count(1)
    page.locator("#id_county").select_option("630102")
    page.locator("#id_people_involved").fill("23")
    page.get_by_test_id("save-accept").click()
    expect(page.get_by_test_id("notice")).to_contain_text("已登记并受理")
    # Saved: no hint may offer the new case as a duplicate of itself.
    expect(page.get_by_test_id("duplicate-hints")).to_have_count(0)
    return page.get_by_test_id("next-step").get_attribute("data-case") or ""


# --- one case, every role -----------------------------------------------------------------------


def test_one_case_goes_from_the_call_to_the_follow_up_call_through_every_role_page(
    page: Page, phone: Page, tree, people, troubles
):
    page.set_viewport_size(DESKTOP)

    # 1. The agent takes the call on the workbench and dispatches it to the county of the
    # workplace, which the workbench suggests.
    sign_in(page, "agent")
    number = register_call(page)
    expect(page.get_by_test_id("next-step").get_by_test_id("status-badge")).to_have_text("已受理")
    expect(page.get_by_test_id("step-tab-dispatch")).to_have_class(re.compile(r"\bactive\b"))
    expect(page.get_by_test_id("suggestion")).to_contain_text("城东区总工会")
    expect(page.locator("#id_dispatch-to")).to_have_value(str(tree.chengdong.pk))
    look(page, "01-workbench-registered")
    page.locator("#id_dispatch-note").fill("请核实并协调企业补发工资")
    page.get_by_test_id("submit-dispatch").click()
    expect(page.get_by_test_id("finished")).to_contain_text("城东区总工会")
    look(page, "02-workbench-dispatched")

    # On the case page the agent, whose unit dispatched it, may hand it to another unit, urge it
    # or merge it as a duplicate; no more.
    open_case(page, number)
    expect(page.get_by_test_id("status-badge").first).to_have_text("已派单")
    expect(page.get_by_test_id("deadline-badge").first).to_have_attribute("data-state", "on_time")
    expect(page.get_by_test_id("dispatch-path")).to_contain_text("城东区总工会")
    assert actions_offered(page) == {"reassign", "urge", "merge"}
    look(page, "03-case-agent-dispatched")

    # 2. The county handler finds it in the inbox, acknowledges and replies.
    sign_in(page, "chengdong")
    page.get_by_test_id("navigation").get_by_role("link", name="承办收件箱").click()
    expect(page.get_by_test_id("inbox-filter-to_acknowledge")).to_contain_text("1")
    row = page.locator(f'[data-testid="inbox-row"][data-number="{number}"]')
    expect(row.get_by_test_id("status-badge")).to_have_text("已派单")
    expect(row.get_by_test_id("deadline-badge")).to_have_attribute("data-state", "on_time")
    expect(row.get_by_test_id("quick-acknowledge")).to_be_visible()
    expect(page.get_by_test_id("notice").first).to_contain_text(number)
    look(page, "04-inbox-county")
    row.get_by_role("link", name=number).click()
    expect(page.get_by_test_id("status-badge").first).to_have_text("已派单")
    assert actions_offered(page) == {"acknowledge", "return", "escalate"}
    page.get_by_test_id("action-acknowledge").click()
    page.get_by_test_id("submit-acknowledge").click()
    expect(page.get_by_role("alert").first).to_contain_text("工单已签收")
    expect(page.get_by_test_id("status-badge").first).to_have_text("办理中")
    # A handler, not a dispatcher: passing it further down is not theirs to do.
    assert actions_offered(page) == {"reply", "request_extension", "return", "escalate"}
    page.get_by_test_id("action-reply").click()
    page.get_by_label("办理情况及结果").fill(REPLY)
    page.get_by_label("已解决").check()
    look(page, "05-case-county-replying")
    page.get_by_test_id("submit-reply").click()
    expect(page.get_by_role("alert").first).to_contain_text("办结反馈已提交审核")
    expect(page.get_by_test_id("status-badge").first).to_have_text("已反馈")
    expect(page.get_by_test_id("no-actions")).to_be_visible()

    # 3. The province dispatcher (the unit that dispatched it) reviews the reply and approves.
    sign_in(page, "dispatcher")
    page.goto("/cases/")
    page.get_by_test_id("tab-to_review").click()
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-number", number)
    look(page, "06-list-to-review")
    # On a phone the tab bar scrolls sideways: the chosen tab is brought into sight.
    page.set_viewport_size(PHONE)
    page.reload()
    chosen = page.get_by_test_id("tab-to_review").bounding_box()
    assert chosen is not None and chosen["x"] >= 0 and chosen["x"] + chosen["width"] <= 360
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name=number).click()
    expect(page.get_by_test_id("status-badge").first).to_have_text("已反馈")
    expect(page.get_by_test_id("reply-text")).to_contain_text(REPLY)
    assert actions_offered(page) == {"approve", "send_back", "merge"}
    look(page, "07-case-dispatcher-review")
    page.get_by_test_id("action-approve").click()
    page.get_by_test_id("submit-approve").click()
    expect(page.get_by_role("alert").first).to_contain_text("办结反馈已审核通过")
    expect(page.get_by_test_id("status-badge").first).to_have_text("已办结")
    # Now the follow-up clock runs; the province may record the call (or merge a repeat: PRODUCT.md
    # allows a merge in any open state).
    expect(page.get_by_test_id("deadline-badge").first).to_have_attribute("data-state", "on_time")
    assert actions_offered(page) == {"follow_up", "merge"}

    # 4. The worker looks the case up on the phone and reads its history in plain words.
    phone.goto("/public/")
    phone.get_by_test_id("go-lookup").tap()
    phone.locator("#id_number").fill(number)
    phone.locator("#id_phone").fill(WORKER_PHONE)
    phone.locator("button[type=submit]").tap()
    expect(phone.get_by_test_id("case-number")).to_have_text(number)
    expect(phone.get_by_test_id("status-headline")).to_contain_text("已办结")
    timeline = phone.get_by_test_id("timeline")
    expect(timeline).to_contain_text("城东区总工会")
    expect(timeline).to_contain_text(REPLY)
    for internal in ("坐席王芳", "城东承办人马晓兰", "省派单员赵敏", "请核实并协调企业补发工资"):
        expect(timeline).not_to_contain_text(internal)
    expect(phone.get_by_test_id("go-rate")).to_be_visible()
    # Handled by the county: every step up to "resolved" is done, none skipped.
    expect(phone.get_by_test_id("steps").locator(".is-done")).to_have_count(3)
    expect(phone.get_by_test_id("step-skipped")).to_have_count(0)
    look_on_phone(phone, "08-public-case-resolved")

    # 5. The agent calls the worker back from the follow-up queue and records the rating.
    sign_in(page, "agent")
    page.get_by_test_id("navigation").get_by_role("link", name="回访队列").click()
    row = page.locator(f'[data-testid="follow-up-row"][data-number="{number}"]')
    expect(row).to_contain_text(REPLY)
    expect(row.get_by_test_id("deadline-badge")).to_have_attribute("data-state", "on_time")
    expect(page.get_by_test_id("result-count")).to_have_text("待回访 1 件")
    look(page, "09-follow-up-queue")
    row.locator("label", has_text="满意").first.click()
    row.locator("label", has_text="已解决").click()
    row.get_by_test_id("record-follow-up").click()
    expect(page.get_by_test_id("follow-up-queue")).to_contain_text("回访结果已登记")
    # The header counts the calls left at once, without a reload.
    expect(page.get_by_test_id("result-count")).to_have_text("待回访 0 件")
    open_case(page, number)
    expect(page.get_by_test_id("status-badge").first).to_have_text("已归档")
    expect(page.get_by_test_id("results")).to_contain_text("满意")
    case = Case.objects.get(number=number)
    assert (case.status, case.rating, case.solved) == (Status.CLOSED, Rating.SATISFIED, True)

    # The worker sees the rating the agent recorded, and is not asked to rate again.
    phone.reload()
    expect(phone.get_by_test_id("my-rating")).to_contain_text("满意")
    expect(phone.get_by_test_id("go-rate")).to_have_count(0)


# --- the worker files on the phone and rates the result -----------------------------------------


def test_a_worker_files_on_the_phone_and_rates_the_answer_there(
    page: Page, phone: Page, people, troubles
):
    # The case above was rated by the agent's follow-up call, and a case is rated once: the
    # worker's own rating on the phone needs a case of its own. This one starts on the phone too.
    phone.goto("/public/")
    look_on_phone(phone, "10-public-home")
    phone.get_by_test_id("go-file").tap()
    phone.locator("label.ss-topic", has=phone.locator('input[value="unpaid_wages"]')).tap()
    phone.locator("#id_description").fill("快递站拖欠我两个月工资共八千元，站长一直推脱。")
    phone.locator("#id_employer_name").fill("西宁某快递服务站")
    phone.locator("#id_prefecture").select_option("630100")
    phone.locator("#id_county").select_option("630103")
    phone.locator("#id_worker_name").fill("李师傅")
    phone.locator("#id_phone").fill("13997100002")
    phone.locator("#id_consent").check()
    look_on_phone(phone, "11-public-file")
    phone.locator("button[type=submit]").tap()
    expect(phone.get_by_test_id("receipt")).to_be_visible()
    number = phone.get_by_test_id("case-number").inner_text().strip()
    look_on_phone(phone, "12-public-filed")
    # The number is on the screen; the SMS with it follows the centre's acceptance (the page
    # says so), so nothing is sent yet.
    expect(phone.get_by_test_id("receipt")).to_contain_text(number)
    assert not OutboxMessage.objects.filter(case__number=number, channel="sms").exists()

    # The agent finds it among the requests to accept, accepts it and answers it at once.
    page.set_viewport_size(DESKTOP)
    sign_in(page, "agent")
    page.goto("/cases/")
    page.get_by_test_id("tab-to_accept").click()
    row = page.locator(f'[data-testid="case-row"][data-number="{number}"]')
    expect(row.locator('[data-testid="status-badge"]:visible')).to_have_text("待受理")
    row.get_by_role("link", name=number).click()
    expect(page.get_by_test_id("status-badge").first).to_have_text("待受理")
    assert actions_offered(page) == {"accept", "decline", "merge"}
    page.get_by_test_id("action-accept").click()
    page.get_by_test_id("submit-accept").click()
    expect(page.get_by_role("alert").first).to_contain_text("工单已受理")
    expect(page.get_by_test_id("status-badge").first).to_have_text("已受理")
    sms = OutboxMessage.objects.get(case__number=number, template="accepted")
    assert (
        sms.recipient_phone == "13997100002" and number in sms.body and "/public/lookup" in sms.body
    )
    assert {"resolve_directly", "dispatch", "assign_lawyer"} <= actions_offered(page)
    page.get_by_test_id("action-resolve_directly").click()
    page.locator("[name='resolve_directly-answer']").fill(
        "已联系快递站负责人，对方同意本周五前结清两个月工资。如未按期支付，可再拨打12351。"
    )
    page.get_by_test_id("submit-resolve_directly").click()
    expect(page.get_by_role("alert").first).to_contain_text("工单已办结")
    expect(page.get_by_test_id("status-badge").first).to_have_text("已办结")
    assert OutboxMessage.objects.filter(case__number=number, template="resolved").exists()

    # The worker follows the link of the "resolved" SMS and rates on the phone.
    phone.goto("/public/rating")
    phone.locator("#id_number").fill(number)
    phone.locator("#id_phone").fill("139 9710 0002")
    phone.locator("button[type=submit]").tap()
    expect(phone.get_by_test_id("rating-form")).to_be_visible()
    look_on_phone(phone, "13-public-rate")
    phone.locator("label.ss-choice", has=phone.locator('input[value="basically_satisfied"]')).tap()
    phone.locator("label.ss-choice", has=phone.locator('input[value="yes"]')).tap()
    phone.locator("button[type=submit]").tap()
    expect(phone.get_by_test_id("my-rating")).to_contain_text("基本满意")
    expect(phone.get_by_test_id("steps")).to_have_attribute("data-reached", "4")
    # Answered on first contact: "being handled" never happened, and is not shown as done.
    expect(phone.get_by_test_id("step-skipped")).to_have_count(1)
    expect(phone.get_by_test_id("step-skipped")).not_to_have_class(re.compile(r"\bis-done\b"))
    expect(phone.get_by_test_id("go-rate")).to_have_count(0)
    look_on_phone(phone, "14-public-rated")

    # Rated by the worker: there is no call left to make, and the case is closed.
    page.goto("/cases/follow-up/")
    expect(page.locator(f'[data-testid="follow-up-row"][data-number="{number}"]')).to_have_count(0)
    open_case(page, number)
    expect(page.get_by_test_id("status-badge").first).to_have_text("已归档")
    expect(page.get_by_test_id("results")).to_contain_text("基本满意")
    case = Case.objects.get(number=number)
    assert (case.channel, case.rating, case.status) == (
        Channel.WEB,
        Rating.BASICALLY_SATISFIED,
        Status.CLOSED,
    )


# --- a returned case ----------------------------------------------------------------------------


def test_a_case_the_county_returns_goes_back_to_the_dispatcher_with_the_reason(
    page: Page, tree, people, troubles
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, "agent")
    number = register_call(page)
    page.get_by_test_id("submit-dispatch").click()
    expect(page.get_by_test_id("finished")).to_contain_text("城东区总工会")

    # The county finds the employer works in Golmud and returns the case with its reason.
    sign_in(page, "chengdong")
    page.goto("/cases/inbox/")
    row = page.locator(f'[data-testid="inbox-row"][data-number="{number}"]')
    row.get_by_test_id("link-return").click()
    expect(page.locator("#action-return")).to_be_visible()
    reason = "经核实，该企业注册地及用工地均在格尔木市，不属本区，请改派格尔木市总工会。"
    page.locator("[name='return-reason']").fill(reason)
    page.get_by_test_id("submit-return").click()
    # Back with the province: the county is taken back to its inbox, where it is gone.
    expect(page.get_by_role("alert").first).to_contain_text("工单已退回派单单位")
    assert page.url.endswith("/cases/inbox/")
    expect(page.get_by_test_id("inbox-empty")).to_be_visible()

    # The province dispatcher is told, sees the case returned with the reason, and dispatches
    # it again.
    sign_in(page, "dispatcher")
    # Back with the province it waits under "to dispatch" (no unit holds it, so no inbox row).
    page.goto("/cases/")
    expect(page.get_by_test_id("tab-to_dispatch").locator(".app-tab-count")).to_have_text("1")
    page.get_by_test_id("tab-to_dispatch").click()
    waiting = page.get_by_test_id("case-row")
    expect(waiting).to_have_count(1)
    expect(waiting.first).to_have_attribute("data-number", number)
    expect(waiting.first.locator('[data-testid="return-marker"]:visible')).to_have_text("退单 1 次")
    look(page, "15-list-to-dispatch-returned")
    page.goto("/cases/inbox/")
    notice = page.get_by_test_id("notice").filter(has_text=number)
    expect(notice).to_contain_text("退回")
    look(page, "15-inbox-province-returned")
    notice.get_by_role("button").click()
    expect(page.get_by_test_id("case-number")).to_have_text(number)
    expect(page.get_by_test_id("status-badge").first).to_have_text("已受理")
    expect(page.get_by_test_id("return-marker").first).to_have_text("退单 1 次")
    returned = page.get_by_test_id("timeline").locator("li[data-action=return]")
    expect(returned).to_contain_text(reason)
    expect(returned).to_contain_text("城东区总工会")
    assert "dispatch" in actions_offered(page)
    look(page, "16-case-returned")
    page.get_by_test_id("action-dispatch").click()
    form = page.get_by_test_id("form-dispatch")
    # The list offers the units right below; a county is found by name.
    form.get_by_title("按名称查找单位").first.click()
    form.get_by_test_id("unit-search").first.fill("格尔木")
    unit = form.locator("select[name='dispatch-to']")
    expect(unit.locator(f"option[value='{tree.golmud.pk}']")).to_have_count(1)
    unit.select_option(str(tree.golmud.pk))
    page.get_by_test_id("submit-dispatch").click()
    expect(page.get_by_role("alert").first).to_contain_text("工单已派至格尔木市总工会")
    expect(page.get_by_test_id("status-badge").first).to_have_text("已派单")
    expect(page.get_by_test_id("dispatch-path")).to_contain_text("格尔木市总工会")

    # Golmud has it to acknowledge, and sees it came back once already.
    sign_in(page, "golmud")
    page.goto("/cases/inbox/?show=to_acknowledge")
    row = page.locator(f'[data-testid="inbox-row"][data-number="{number}"]')
    expect(row.get_by_test_id("status-badge")).to_have_text("已派单")
    expect(row.get_by_test_id("return-marker")).to_have_text("退单 1 次")
    expect(row.get_by_test_id("quick-acknowledge")).to_be_visible()


# --- an overdue case ----------------------------------------------------------------------------


class TimeTravel:
    """``timezone.now()`` runs on, ``ago`` behind the real time (the live server's thread
    included). A frozen clock would not do: the outbox's default times are the real ones, and a
    notice queued after the clock stopped would never fall due."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = timezone.now
        self.ago = datetime.timedelta(0)
        monkeypatch.setattr(timezone, "now", lambda: real() - self.ago)


@pytest.fixture
def time_travel(monkeypatch: pytest.MonkeyPatch) -> TimeTravel:
    return TimeTravel(monkeypatch)


def test_an_overdue_case_is_red_on_the_list_and_the_board_and_is_urged_from_the_board(
    page: Page, tree, people, time_travel: TimeTravel, troubles
):
    # Three weeks ago the agent dispatched a call to Chengdong, which never acknowledged it.
    time_travel.ago = datetime.timedelta(days=21)
    page.set_viewport_size(DESKTOP)
    sign_in(page, "agent")
    number = register_call(page)
    page.get_by_test_id("submit-dispatch").click()
    expect(page.get_by_test_id("finished")).to_contain_text("城东区总工会")
    time_travel.ago = datetime.timedelta(0)

    sign_in(page, "agent")
    page.goto("/cases/?overdue=on")
    row = page.locator(f'[data-testid="case-row"][data-number="{number}"]')
    badge = row.locator('[data-testid="deadline-badge"]:visible')
    expect(badge).to_contain_text("超期")
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == RED
    look(page, "17-list-overdue")

    # The province supervisor sees it on the board, counted under Xining, and urges it.
    sign_in(page, "supervisor")
    page.get_by_test_id("navigation").get_by_role("link", name="督办看板").click()
    expect(page.get_by_test_id("stat-overdue")).to_contain_text("1")
    load = page.locator(f'[data-testid="unit-load-row"][data-unit="{tree.xining.pk}"]')
    expect(load.locator(".app-deadline-overdue")).to_have_text("1")
    row = page.locator(f'[data-testid="watch-row"][data-number="{number}"]')
    badge = row.get_by_test_id("deadline-badge")
    expect(badge).to_have_attribute("data-state", "overdue")
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == RED
    expect(row.get_by_test_id("quick-urge")).to_be_visible()
    expect(row.get_by_test_id("quick-supervise")).to_be_visible()
    # On a phone the overdue cases come before the ratings waiting for a decision; on a desktop
    # the ratings sit in the left column, beside them.
    page.set_viewport_size(PHONE)
    watched = page.get_by_test_id("watched").bounding_box()
    ratings = page.get_by_test_id("dissatisfied").bounding_box()
    assert watched is not None and ratings is not None and watched["y"] < ratings["y"]
    page.set_viewport_size(DESKTOP)
    watched = page.get_by_test_id("watched").bounding_box()
    ratings = page.get_by_test_id("dissatisfied").bounding_box()
    assert watched is not None and ratings is not None and ratings["x"] < watched["x"]
    look(page, "18-supervision-board")
    row.locator("[name='row-note']").fill("已超期，请今日内签收并办理")
    row.get_by_test_id("quick-urge").click()
    expect(row.get_by_test_id("row-message")).to_contain_text("已向承办单位催办")
    expect(row.get_by_test_id("urge-marker")).to_contain_text("催办 1 次")
    expect(row.get_by_test_id("urge-note")).to_contain_text("已超期，请今日内签收并办理")

    # Chengdong sees the urge and the red badge in its inbox.
    sign_in(page, "chengdong")
    page.goto("/cases/inbox/")
    row = page.locator(f'[data-testid="inbox-row"][data-number="{number}"]')
    expect(row.get_by_test_id("urge-note")).to_contain_text("已超期，请今日内签收并办理")
    expect(row.get_by_test_id("deadline-badge")).to_have_attribute("data-state", "overdue")
    expect(page.get_by_test_id("notice").filter(has_text=number).first).to_be_visible()
    look(page, "19-inbox-overdue-urged")
