"""An agent takes a call on the workbench with the keyboard, in Debian's chromium: the screen pop
and a duplicate hint appear while typing, Enter never submits half a form, Alt+S saves, and the
case goes to the unit the workplace suggests; another call is answered from the knowledge base."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from hotline.accounts.models import Role
from hotline.cases import services
from hotline.cases.models import Case, Category
from hotline.cases.states import Channel, Kind, Status
from hotline.knowledge.models import KnowledgeArticle
from hotline.testing import factories as f
from hotline.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMPLOYER = "青海某建筑工程有限公司"
ANSWER = "用人单位应当按月足额支付工资。可向劳动保障监察投诉，也可申请劳动仲裁或支付令。"


@pytest.fixture(autouse=True)
def taxonomy(transactional_db: None) -> None:
    """Transactional tests flush the data migrations' rows: the categories and the article the
    tests use are created here."""
    wages, _ = Category.objects.get_or_create(
        code="01", defaults={"name": "劳动报酬", "keywords": "工资,薪水,报酬,工钱"}
    )
    for code, name, keywords in (
        ("0101", "拖欠工资", "欠薪,拖欠,不发工资,讨薪"),
        ("0103", "加班费", "加班,加班工资"),
    ):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "parent": wages, "keywords": keywords}
        )
    injury, _ = Category.objects.get_or_create(code="04", defaults={"name": "工伤"})
    Category.objects.get_or_create(
        code="0401", defaults={"name": "工伤认定", "parent": injury, "keywords": "认定,申请工伤"}
    )
    KnowledgeArticle.objects.get_or_create(
        title="拖欠工资怎么办",
        defaults={
            "category": Category.objects.get(code="0101"),
            "keywords": "欠薪,不发工资,老板不发工资,讨薪",
            "body": ANSWER,
        },
    )


@pytest.fixture
def agent(tree):
    return f.user(tree.province, Role.AGENT, username="agent", name="坐席小王")


def earlier_case(agent) -> Case:
    case, _ = services.register_case(
        actor=agent,
        channel=Channel.PHONE,
        kind=Kind.COMPLAINT,
        category="0101",
        title="建筑公司拖欠三个月工资",
        description=f"{EMPLOYER}拖欠我们三个月工资，一共二十多人，多次讨要未果。",
        phone="13897112345",
        worker_name="张师傅",
        employer_name=EMPLOYER,
    )
    return services.accept(case, actor=agent)


def test_an_agent_types_a_call_in_and_dispatches_it_to_the_suggested_unit(page: Page, tree, agent):
    earlier = earlier_case(agent)
    log_in(page, "agent")
    page.goto("/cases/workbench/")
    phone = page.locator("#id_phone")
    expect(phone).to_be_focused()

    page.keyboard.type("13897112345")
    expect(page.get_by_test_id("screen-pop")).to_contain_text(earlier.number)
    expect(page.get_by_test_id("screen-pop").get_by_test_id("status-badge")).to_have_text("已受理")

    # Enter moves on to the next field; it never submits the form.
    page.keyboard.press("Enter")
    expect(page.locator("#id_worker_name")).to_be_focused()
    page.get_by_test_id("fill-name").click()
    expect(page.locator("#id_worker_name")).to_have_value("张师傅")
    page.keyboard.press("Enter")
    expect(page.locator("#id_id_number")).to_be_focused()
    page.keyboard.type("630102199003071230")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("id-number-check")).to_have_text("校验码不符，请核对号码。")
    page.locator("#id_id_number").fill("")
    assert Case.objects.count() == 1

    page.locator("label[for=id_kind_1]").click()
    page.locator("#id_description").click()
    page.keyboard.type(f"{EMPLOYER}又拖欠我们三个月工资了，二十多个工人讨要未果。")
    page.locator("#id_employer_name").click()
    page.keyboard.type(EMPLOYER)
    hints = page.get_by_test_id("duplicate-hints")
    expect(hints).to_contain_text(earlier.number)
    expect(hints.get_by_test_id("duplicate-warning")).to_be_visible()

    # The category picker: a few letters of the worker's words, Enter takes the first match.
    page.keyboard.press("Alt+C")
    expect(page.locator("#category-search")).to_be_focused()
    page.keyboard.type("欠薪")
    expect(page.locator("#id_category option[value='0103']")).to_be_hidden()
    expect(page.locator("#id_category")).to_have_value("0101")
    page.keyboard.press("Enter")
    expect(page.locator("#id_employer_name")).to_be_focused()

    page.locator("#id_prefecture").select_option("630100")
    expect(page.locator("#id_county option[value='630102']")).to_have_count(1)
    page.locator("#id_county").select_option("630102")

    page.keyboard.press("Alt+S")
    expect(page.get_by_test_id("next-step")).to_be_visible()
    expect(page.get_by_test_id("notice")).to_contain_text("已登记并受理")
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert "/cases/workbench/case/" in page.url and case.number in page.url

    # A complaint goes to the dispatch step, with the county federation of the workplace chosen.
    expect(page.get_by_test_id("step-tab-dispatch")).to_have_class("nav-link active")
    expect(page.get_by_test_id("suggestion")).to_contain_text("城东区总工会")
    unit = page.locator("#id_dispatch-to")
    expect(unit).to_have_value(str(tree.chengdong.pk))
    page.locator("#id_dispatch-note").fill("请核实并协调补发工资")
    page.get_by_test_id("submit-dispatch").click()
    expect(page.get_by_test_id("finished")).to_contain_text("城东区总工会")
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.handling_org == tree.chengdong

    # The next call starts from an empty form.
    page.keyboard.press("Alt+N")
    expect(page.locator("#id_phone")).to_be_focused()
    expect(page.locator("#id_phone")).to_have_value("")


def test_an_agent_answers_a_call_from_the_knowledge_base(page: Page, tree, agent):
    log_in(page, "agent")
    page.goto("/cases/workbench/")
    page.keyboard.type("13700001111")
    expect(page.get_by_test_id("first-call")).to_be_visible()
    page.locator("#id_description").fill("老板不发工资，想问问怎么办")
    page.locator("#id_category").select_option("0101")

    page.keyboard.press("Alt+K")
    page.keyboard.type("老板不发工资")
    article = page.get_by_test_id("knowledge-results").get_by_test_id("article").first
    expect(article).to_contain_text("拖欠工资怎么办")
    article.get_by_test_id("cite").click()
    expect(page.get_by_test_id("cited-hint")).to_contain_text("拖欠工资怎么办")

    page.keyboard.press("Alt+S")
    answer = page.locator("#id_resolve-answer")
    expect(answer).to_have_value(ANSWER)
    expect(page.get_by_test_id("cited-article")).to_contain_text("拖欠工资怎么办")
    answer.press("End")
    page.keyboard.type("已告知来电人。")
    page.get_by_test_id("submit-resolve").click()
    expect(page.get_by_test_id("finished")).to_contain_text("已告知来电人。")
    case = Case.objects.get()
    assert case.status == Status.RESOLVED
    assert case.events.get(action="resolve_directly").data["article"].endswith("拖欠工资怎么办")


def test_a_double_click_on_save_registers_one_case(page: Page, tree, agent):
    log_in(page, "agent")
    page.goto("/cases/workbench/")
    page.keyboard.type("13700001111")
    page.locator("#id_description").fill("想咨询加班费怎么计算")
    page.locator("#id_category").select_option("0103")
    page.get_by_test_id("save-accept").dblclick()
    expect(page.get_by_test_id("next-step")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("next-step")).to_be_visible()
    assert Case.objects.count() == 1


def test_bad_input_is_marked_in_chinese_and_the_typing_is_kept(page: Page, tree, agent):
    log_in(page, "agent")
    page.goto("/cases/workbench/")
    page.keyboard.type("1389711")
    page.locator("#id_employer_name").fill(EMPLOYER)
    page.keyboard.press("Alt+S")
    expect(page.get_by_test_id("form-error")).to_be_visible()
    errors = page.locator("[data-testid=field-error]")
    expect(errors.filter(has_text="请输入手机号码或带区号的固定电话号码。")).to_have_count(1)
    expect(errors.filter(has_text="此项为必填项。")).to_have_count(1)
    expect(page.locator("#id_phone")).to_be_focused()
    expect(page.locator("#id_employer_name")).to_have_value(EMPLOYER)
    assert not Case.objects.exists()


@pytest.mark.parametrize("width", [1366, 1024])
def test_the_workbench_fits_the_screen_without_sideways_scrolling(page: Page, tree, agent, width):
    page.set_viewport_size({"width": width, "height": 768})
    log_in(page, "agent")
    page.goto("/cases/workbench/")
    expect(page.get_by_test_id("register-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The caller's history stays beside the form, not below it.
    form_box = page.get_by_test_id("register-form").bounding_box()
    pop_box = page.get_by_test_id("screen-pop").bounding_box()
    assert pop_box["x"] > form_box["x"] + form_box["width"] - 1


def test_the_icon_rail_beside_the_workbench_names_every_link(page: Page, agent):
    # From 992 to 1599 px the navigation beside the workbench is a rail of icons: each link keeps
    # its name for screen readers and shows it as a tooltip.
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, "agent")
    page.goto("/cases/workbench/")
    links = page.get_by_test_id("navigation").get_by_role("link")
    expect(links.first).to_be_visible()
    assert links.count() >= 4
    for index in range(links.count()):
        link = links.nth(index)
        label = link.locator(".app-nav-label")
        name = label.inner_text().strip()
        assert name and link.get_attribute("title") == name
        expect(link).to_have_accessible_name(name)
        box = label.bounding_box()
        assert box is not None and box["width"] <= 1 and box["height"] <= 1
        rail = link.bounding_box()
        assert rail is not None and rail["width"] <= 56
    expect(
        page.get_by_test_id("navigation").get_by_role("link", name="坐席工作台")
    ).to_have_attribute("aria-current", "page")
