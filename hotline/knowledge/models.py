"""The knowledge base (知识库): answers agents read out and cite to resolve a call at once.

Administrators write and publish the articles in the admin; agents and lawyers search them on the
workbench (``selectors.search_articles``) and cite one when they resolve a case directly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KnowledgeArticle(models.Model):
    """One answer to a question workers ask, filed under a category of the labor-issue taxonomy."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        "cases.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("category"),
    )
    # The words a worker would use (老板跑路, 不发工资): the search matches them like the title.
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Words a worker would say, separated by commas."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        indexes = [
            models.Index(fields=["is_published", "-updated_at"], name="knowledge_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def citation(self) -> str:
        """How a case's event names the article it was resolved with."""
        return f"#{self.pk} {self.title}"
