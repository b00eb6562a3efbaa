"""What appears beside the register form as the agent types: the caller's earlier cases (the
screen pop), similar recent requests, the counties of a prefecture, the knowledge base; and the
taxonomy the category filter searches."""

from __future__ import annotations

import re

import pytest

from hotline.cases import services
from hotline.knowledge.models import KnowledgeArticle

from .workbench_support import HTMX

pytestmark = pytest.mark.django_db


def numbers_in(html: str) -> set[str]:
    return set(re.findall(r">(\d{13})</a>", html))


# --- the screen pop ------------------------------------------------------------------------------


def test_the_screen_pop_lists_the_earlier_cases_of_that_phone(client, staff, new_case):
    first = new_case(phone="13897112345")
    second = new_case(phone="138-9711-2345", title="又来电：工资还没发")
    other = new_case(phone="13900000000")
    client.force_login(staff.agent)
    response = client.get("/cases/workbench/screen-pop/", {"phone": "13897112345"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert numbers_in(html) == {first.number, second.number}
    assert other.number not in html
    assert 'data-testid="status-badge"' in html
    assert 'data-testid="deadline-badge"' in html
    assert f'href="/cases/{first.number}/"' in html
    # The name the caller gave last time, one click away.
    assert 'data-name="张师傅"' in html


def test_the_screen_pop_waits_for_a_complete_number(
    client, staff, new_case, django_assert_num_queries
):
    new_case(phone="13897112345")
    client.force_login(staff.agent)
    client.get("/cases/workbench/")  # the session and the user are read once
    with django_assert_num_queries(3):  # session, user, roles: no case is read
        html = client.get("/cases/workbench/screen-pop/", {"phone": "1389711"}).content.decode()
    assert not numbers_in(html)


def test_a_first_call_says_so(client, staff):
    client.force_login(staff.agent)
    html = client.get("/cases/workbench/screen-pop/", {"phone": "0971-8123456"}).content.decode()
    assert 'data-testid="first-call"' in html
    assert "09718123456" in html


def test_the_screen_pop_shows_only_cases_the_user_may_see(client, staff, tree, accepted_case):
    in_xining = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    in_haixi = services.dispatch(accepted_case(), actor=staff.agent, to=tree.haixi)
    client.force_login(staff.xining_dispatcher)
    html = client.get("/cases/workbench/screen-pop/", {"phone": "13897112345"}).content.decode()
    assert numbers_in(html) == {in_xining.number}
    assert in_haixi.number not in html


def test_the_screen_pop_costs_the_same_queries_for_5_or_40_cases(
    client, staff, new_case, django_assert_max_num_queries
):
    client.force_login(staff.agent)
    for _ in range(5):
        new_case()
    with django_assert_max_num_queries(8) as few:
        client.get("/cases/workbench/screen-pop/", {"phone": "13897112345"})
    for _ in range(35):
        new_case()
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/cases/workbench/screen-pop/", {"phone": "13897112345"}).content
    assert len(numbers_in(html.decode())) == 10


def test_on_a_saved_case_the_screen_pop_shows_the_callers_other_cases_without_the_phone(
    client, staff, new_case
):
    earlier = new_case()
    current = new_case()
    client.force_login(staff.agent)
    html = client.get("/cases/workbench/screen-pop/", {"case": current.number}).content.decode()
    assert numbers_in(html) == {earlier.number}
    assert "13897112345" not in html and "138****2345" in html


def test_the_screen_pop_of_a_case_outside_the_scope_is_404(client, staff, new_case):
    case = new_case()
    client.force_login(staff.xining_dispatcher)
    assert client.get("/cases/workbench/screen-pop/", {"case": case.number}).status_code == 404


# --- duplicate hints -----------------------------------------------------------------------------


def test_duplicate_hints_appear_for_a_similar_complaint_about_the_same_employer(
    client, staff, new_case
):
    earlier = new_case(phone="13900000001")
    client.force_login(staff.agent)
    response = client.post(
        "/cases/workbench/duplicates/",
        {
            "phone": "13700000002",
            "employer_name": "青海某建筑工程 有限公司",
            "description": "某建筑工程有限公司拖欠三个月工资，二十多个工人讨要未果",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert numbers_in(html) == {earlier.number}
    assert 'data-testid="duplicate-warning"' in html
    assert re.search(r"\d+%", html)


def test_no_hint_for_a_different_matter_at_the_same_employer(client, staff, new_case):
    new_case()
    client.force_login(staff.agent)
    html = client.post(
        "/cases/workbench/duplicates/",
        {
            "phone": "13700000002",
            "employer_name": "青海某建筑工程有限公司",
            "description": "想咨询一下怎么加入工会，单位有没有工会组织",
        },
    ).content.decode()
    assert not numbers_in(html)
    assert 'data-testid="duplicate-warning"' not in html


def test_duplicate_hints_are_only_read_never_fetched_by_get(client, staff):
    client.force_login(staff.agent)
    assert client.get("/cases/workbench/duplicates/").status_code == 405


# --- the workplace picker ------------------------------------------------------------------------


def test_the_counties_of_the_chosen_prefecture_load(client, staff):
    client.force_login(staff.agent)
    html = client.get("/cases/workbench/counties/", {"prefecture": "630100"}, **HTMX).content
    options = re.findall(r'<option value="(\d*)">([^<]+)<', html.decode())
    codes = [code for code, _name in options]
    assert codes[0] == ""
    assert {"630102", "630103"} <= set(codes)
    assert all(code.startswith("6301") for code in codes[1:])
    assert "城东区" in html.decode()


def test_counties_outside_the_users_prefecture_do_not_load(client, staff):
    client.force_login(staff.haixi_dispatcher)
    html = client.get("/cases/workbench/counties/", {"prefecture": "630100"}).content.decode()
    assert "城东区" not in html
    html = client.get("/cases/workbench/counties/", {"prefecture": "632800"}).content.decode()
    assert "格尔木市" in html


# --- the category picker -------------------------------------------------------------------------


def test_the_category_picker_carries_the_words_its_filter_searches(client, staff):
    client.force_login(staff.agent)
    html = client.get("/cases/workbench/").content.decode()
    # A worker's words find the second-level category: its own keywords and its parent's.
    unpaid = re.search(r'<option value="0101" data-words="([^"]+)"', html)
    assert unpaid and "欠薪" in unpaid[1] and "不发工资" in unpaid[1]
    group = re.search(r'<optgroup label="劳动报酬" data-words="([^"]+)"', html)
    assert group and "工资" in group[1]
    # Only second-level categories can be chosen; retired ones are not offered.
    assert '<option value="01"' not in html


def test_a_retired_category_is_not_offered(client, staff):
    from hotline.cases.models import Category

    Category.objects.filter(code="0105").update(is_active=False)
    client.force_login(staff.agent)
    assert '<option value="0105"' not in client.get("/cases/workbench/").content.decode()


# --- the knowledge base --------------------------------------------------------------------------


def test_the_knowledge_search_finds_an_article_by_a_workers_words(client, staff):
    client.force_login(staff.agent)
    response = client.get("/cases/workbench/knowledge/", {"q": "老板不发工资"}, **HTMX)
    html = response.content.decode()
    titles = re.findall(r'<span class="wb-article-title">([^<]+)</span>', html)
    assert response.status_code == 200
    assert titles[0] == "拖欠工资怎么办"
    assert len(titles) <= 8
    article = KnowledgeArticle.objects.get(title="拖欠工资怎么办")
    assert f'data-article="{article.pk}"' in html
    assert "支付令" in html


def test_without_words_the_knowledge_panel_shows_the_chosen_categorys_articles(client, staff):
    client.force_login(staff.agent)
    html = client.get("/cases/workbench/knowledge/", {"q": "", "category": "0401"}).content.decode()
    assert re.findall(r'<span class="wb-article-title">([^<]+)</span>', html) == [
        "工伤认定申请时限和材料"
    ]


def test_unpublished_articles_stay_out_of_the_workbench(client, staff):
    KnowledgeArticle.objects.filter(title="拖欠工资怎么办").update(is_published=False)
    client.force_login(staff.agent)
    html = client.get("/cases/workbench/knowledge/", {"q": "拖欠工资"}).content.decode()
    assert "拖欠工资怎么办" not in html


def test_a_search_that_finds_nothing_says_so(client, staff):
    client.force_login(staff.agent)
    html = client.get("/cases/workbench/knowledge/", {"q": "qqqzzz"}).content.decode()
    assert 'data-testid="article"' not in html
    assert "qqqzzz" in html


def test_a_lawyer_searches_the_knowledge_base_too(client, staff):
    client.force_login(staff.lawyer)
    html = client.get("/cases/workbench/knowledge/", {"q": "仲裁时效"}).content.decode()
    assert "劳动仲裁的时效和程序" in html
