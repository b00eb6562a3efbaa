"""Reads of the knowledge base: the search an agent types a worker's words into, and citations.

Chinese has no spaces, so the query is cut into words with jieba (the same segmentation as the
duplicate hints, ``hotline.cases.matching.words``). The database finds articles that contain any
of the words (a bounded set, newest first); Python ranks them by where the words occur: in the
title, in the keywords (the words workers use), in the text. The knowledge base holds hundreds of
articles, not millions, so this stays quick without a full-text index.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hotline.cases.matching import words
from hotline.cases.models import Category

from .models import KnowledgeArticle

# The longest words of a query are the most specific; a pasted paragraph is cut down to these.
MAX_TERMS = 12
# At most this many matching articles are read and ranked per search.
MAX_CANDIDATES = 200
MAX_QUERY = 200
# Words a caller says around the topic that would match half the knowledge base.
NOISE = frozenset(
    {"时候", "公司", "单位", "一下", "知道", "需要", "应该", "能不能", "是不是", "为什么"}
)

TITLE_WEIGHT = 4
KEYWORD_WEIGHT = 3
# A word's occurrences in the text count up to this many times: long articles do not win by length.
MAX_BODY_HITS = 3


def published_articles() -> QuerySet[KnowledgeArticle]:
    return KnowledgeArticle.objects.filter(is_published=True)


def search_terms(text: str) -> list[str]:
    """The words of ``text`` the search looks for, longest first.

    A query with no word of two characters or more (a single character, a code) is searched as
    typed.
    """
    text = (text or "").strip()[:MAX_QUERY]
    terms = sorted(words(text) - NOISE, key=lambda term: (-len(term), term))[:MAX_TERMS]
    if not terms and text:
        return [text.casefold()]
    return [term.casefold() for term in terms]


def _in_category(category: Category) -> Q:
    """Articles of ``category``, of its subcategories, or of its parent (which apply to it too)."""
    related = Q(category_id=category.pk) | Q(category__parent_id=category.pk)
    if category.parent_id:
        related |= Q(category_id=category.parent_id)
    return related


def _score(article: KnowledgeArticle, terms: list[str]) -> int:
    title = article.title.casefold()
    keywords = article.keywords.casefold()
    body = article.body.casefold()
    score = 0
    for term in terms:
        if term in title:
            score += TITLE_WEIGHT
        if term in keywords:
            score += KEYWORD_WEIGHT
        score += min(body.count(term), MAX_BODY_HITS)
    return score


def search_articles(
    text: str, category: Category | None = None, limit: int = 10
) -> list[KnowledgeArticle]:
    """Published articles matching ``text``, best first; each carries ``score``.

    With ``category``, only articles of that category (its subcategories, its parent) are found.
    An empty ``text`` lists the category's articles by title, or nothing without a category.
    """
    articles = published_articles().select_related("category", "category__parent")
    if category is not None:
        articles = articles.filter(_in_category(category))
    terms = search_terms(text)
    if not terms:
        if category is None:
            return []
        return list(articles.order_by("title")[:limit])
    match = Q()
    for term in terms:
        match |= Q(title__icontains=term) | Q(keywords__icontains=term) | Q(body__icontains=term)
    candidates = list(articles.filter(match).order_by("-updated_at", "-pk")[:MAX_CANDIDATES])
    for article in candidates:
        article.score = _score(article, terms)  # type: ignore[attr-defined]
    candidates.sort(key=lambda article: (-article.score, article.title))  # type: ignore[attr-defined]
    return candidates[:limit]


def get_published_article(pk: int | str | None) -> KnowledgeArticle | None:
    """The published article ``pk``, or None (also for a malformed ``pk``)."""
    try:
        number = int(pk)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return published_articles().filter(pk=number).first()
