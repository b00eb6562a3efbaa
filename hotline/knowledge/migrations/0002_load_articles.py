"""Load the first knowledge articles from ``data/articles.json``: the answers agents give most.

Each article names its category by code (the taxonomy of ``cases/data/categories.json``). An
article whose title exists already is left alone, so administrators' edits survive a re-run.
"""

import json
from pathlib import Path

from django.db import migrations

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles.json"


def load(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    KnowledgeArticle = apps.get_model("knowledge", "KnowledgeArticle")
    categories = dict(Category.objects.values_list("code", "pk"))
    for article in json.loads(ARTICLES.read_text(encoding="utf-8")):
        KnowledgeArticle.objects.get_or_create(
            title=article["title"],
            defaults={
                "body": article["body"],
                "keywords": article["keywords"],
                "category_id": categories.get(article["category"]),
                "is_published": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("cases", "0002_load_categories_and_deadline_rules"),
    ]

    operations = [
        # Reversing leaves the rows: administrators may have edited them since.
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
