"""The articles shipped with the platform: the answers agents give most, filed by category."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hotline.cases.models import Category
from hotline.knowledge.models import KnowledgeArticle

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "articles.json"


def test_every_shipped_article_is_loaded_published_and_filed_under_a_category():
    shipped = json.loads(DATA.read_text(encoding="utf-8"))
    assert len(shipped) >= 25
    loaded = KnowledgeArticle.objects.filter(title__in=[a["title"] for a in shipped])
    assert loaded.count() == len(shipped)
    assert not loaded.filter(is_published=False).exists()
    assert not loaded.filter(category__isnull=True).exists()


def test_the_shipped_categories_exist_in_the_taxonomy():
    shipped = json.loads(DATA.read_text(encoding="utf-8"))
    codes = set(Category.objects.values_list("code", flat=True))
    assert {article["category"] for article in shipped} <= codes


def test_the_shipped_articles_cover_what_the_hotline_is_asked_most():
    titles = set(KnowledgeArticle.objects.values_list("title", flat=True))
    for expected in (
        "拖欠工资怎么办",
        "没签劳动合同的二倍工资",
        "工伤认定申请时限和材料",
        "加班费计算标准",
        "最低工资标准",
        "试用期的规定",
        "经济补偿金怎么算（N与2N）",
        "女职工孕期、产期、哺乳期保护",
        "未缴纳社会保险怎么办",
        "劳动仲裁的时效和程序",
        "职工入会（含新就业形态劳动者）",
        "困难职工帮扶怎么申请",
        "申请法律援助",
    ):
        assert expected in titles


def test_the_shipped_articles_state_the_key_figures():
    body = dict(KnowledgeArticle.objects.values_list("title", "body"))
    assert "150%" in body["加班费计算标准"] and "300%" in body["加班费计算标准"]
    assert "30日内" in body["工伤认定申请时限和材料"] and "1年内" in body["工伤认定申请时限和材料"]
    assert "二倍" in body["没签劳动合同的二倍工资"]
    assert "一年" in body["劳动仲裁的时效和程序"]
    assert "12333" in body["未缴纳社会保险怎么办"]
    assert "支付令" in body["拖欠工资怎么办"]


def test_the_shipped_articles_are_short_enough_to_read_out_on_a_call():
    for article in KnowledgeArticle.objects.all():
        assert len(article.body) <= 800, article.title
        # Keywords are comma separated words, without stray spaces around them.
        assert not re.search(r"\s,|,\s", article.keywords), article.title
