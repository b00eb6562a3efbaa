"""Administrators maintain the knowledge base in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.accounts.models import Role
from hotline.cases.models import Category
from hotline.knowledge.models import KnowledgeArticle
from hotline.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tree):
    administrator = f.user(tree.province, Role.ADMIN, is_staff=True, name="管理员")
    client.force_login(administrator)
    client.user = administrator
    return client


def test_an_administrator_searches_the_articles(admin_client):
    response = admin_client.get(
        reverse("admin:knowledge_knowledgearticle_changelist"), {"q": "仲裁"}
    )
    assert response.status_code == 200
    assert "劳动仲裁的时效和程序" in response.content.decode()
    assert "带薪年休假" not in response.content.decode()


def test_saving_an_article_records_who_changed_it(admin_client):
    article = KnowledgeArticle.objects.get(title="最低工资标准")
    response = admin_client.post(
        reverse("admin:knowledge_knowledgearticle_change", args=[article.pk]),
        {
            "title": article.title,
            "category": Category.objects.get(code="0104").pk,
            "keywords": article.keywords,
            "body": article.body + "\n青海省现行标准见省人社厅公告。",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.updated_by == admin_client.user
    assert article.body.endswith("青海省现行标准见省人社厅公告。")


def test_an_administrator_adds_a_draft_that_the_search_does_not_find(admin_client):
    response = admin_client.post(
        reverse("admin:knowledge_knowledgearticle_add"),
        {"title": "高原缺氧作业防护", "keywords": "高原,缺氧", "body": "草稿"},
    )
    assert response.status_code == 302
    draft = KnowledgeArticle.objects.get(title="高原缺氧作业防护")
    assert draft.is_published is False
    assert draft.updated_by == admin_client.user


def test_an_agent_cannot_open_the_knowledge_admin(client, tree):
    client.force_login(f.user(tree.province, Role.AGENT, is_staff=True))
    response = client.get(reverse("admin:knowledge_knowledgearticle_changelist"))
    assert response.status_code == 403
