"""Searching the knowledge base with a worker's own words."""

from __future__ import annotations

import pytest

from hotline.cases.models import Category
from hotline.knowledge.models import KnowledgeArticle
from hotline.knowledge.selectors import get_published_article, search_articles, search_terms

pytestmark = pytest.mark.django_db


def titles(articles: list[KnowledgeArticle]) -> list[str]:
    return [article.title for article in articles]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("老板不发工资", "拖欠工资怎么办"),
        ("包工头跑了，工地上的工钱一直没给", "工程建设领域农民工欠薪"),
        ("怀孕了公司要辞退我", "女职工孕期、产期、哺乳期保护"),
        ("上班时手被机器压伤了，单位不给报工伤", "工伤认定申请时限和材料"),
        ("周末加班费怎么算", "加班费计算标准"),
        ("干了半年了一直没签合同", "没签劳动合同的二倍工资"),
        ("公司一直没给我交社保", "未缴纳社会保险怎么办"),
        ("外卖骑手能不能入会", "职工入会（含新就业形态劳动者）"),
        ("家里孩子上学困难想申请助学", "困难职工帮扶怎么申请"),
        ("请不起律师", "申请法律援助"),
        ("仲裁时效是多久", "劳动仲裁的时效和程序"),
    ],
)
def test_a_workers_words_find_the_article_an_agent_needs(words, expected):
    assert search_articles(words)[0].title == expected


def test_results_are_ranked_by_where_the_words_occur(tree):
    category = Category.objects.get(code="0101")
    in_title = KnowledgeArticle.objects.create(title="qbxterm", body="正文", category=category)
    in_keywords = KnowledgeArticle.objects.create(title="另一篇", keywords="qbxterm", body="正文")
    in_body = KnowledgeArticle.objects.create(title="第三篇", body="正文提到qbxterm。")
    found = search_articles("qbxterm")
    assert found == [in_title, in_keywords, in_body]
    assert found[0].score > found[1].score > found[2].score


def test_unpublished_articles_are_not_found():
    KnowledgeArticle.objects.create(title="草稿：拖欠工资新规", body="未审核", is_published=False)
    assert "草稿：拖欠工资新规" not in titles(search_articles("拖欠工资", limit=50))


def test_a_category_narrows_the_search_to_its_branch():
    wages = Category.objects.get(code="0101")
    found = search_articles("工资", category=wages, limit=50)
    assert found
    assert all(article.category.code in {"01", "0101"} for article in found)
    assert "加班费计算标准" not in titles(found)


def test_without_words_a_category_lists_its_articles_and_no_category_lists_nothing():
    injury = Category.objects.get(code="0401")
    assert titles(search_articles("", category=injury)) == ["工伤认定申请时限和材料"]
    assert search_articles("") == []
    assert search_articles("   ") == []


def test_a_top_level_category_includes_the_articles_of_its_subcategories():
    labor_pay = Category.objects.get(code="01")
    found = titles(search_articles("", category=labor_pay, limit=50))
    assert {"拖欠工资怎么办", "加班费计算标准", "最低工资标准"} <= set(found)


def test_the_limit_is_respected():
    assert len(search_articles("工资", limit=3)) == 3


def test_a_search_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        search_articles("老板拖欠工资，还不给交社保，想申请仲裁")


def test_a_pasted_paragraph_is_cut_to_its_longest_words():
    terms = search_terms("我们在青海某建筑工程有限公司干活，老板拖欠了三个月工资，" * 10)
    assert 0 < len(terms) <= 12
    assert terms == sorted(terms, key=lambda term: (-len(term), term))


def test_a_query_without_words_is_searched_as_typed():
    assert search_terms("N+1") == ["n+1"]
    assert search_articles("N+1")[0].title == "经济补偿金怎么算（N与2N）"


def test_get_published_article_refuses_drafts_and_garbage():
    draft = KnowledgeArticle.objects.create(title="草稿", body="未审核", is_published=False)
    published = KnowledgeArticle.objects.filter(is_published=True).first()
    assert get_published_article(published.pk) == published
    assert get_published_article(str(published.pk)) == published
    assert get_published_article(draft.pk) is None
    assert get_published_article("abc") is None
    assert get_published_article(None) is None
