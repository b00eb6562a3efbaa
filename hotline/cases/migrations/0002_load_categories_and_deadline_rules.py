"""Load the labor-issue taxonomy from ``data/categories.json`` and the default deadline rules.

The defaults are those of PRODUCT.md, in working days: accept 1; acknowledge 1 after dispatch;
complete: consultation 1, help 5, complaint 15 (labor-dispute mediation ends within 15 days,
Labor Dispute Mediation and Arbitration Law art. 14), suggestion 10, praise 5, membership 5,
anything else 15; review of a reply 2; follow-up 3 after resolution. They are frozen here (not
imported from the app) so that this migration means the same thing forever.
"""

import json
from pathlib import Path

from django.db import migrations

CATEGORIES = Path(__file__).resolve().parent.parent / "data" / "categories.json"

DEFAULT_RULES = [
    ("accept", "", 1),
    ("acknowledge", "", 1),
    ("complete", "", 15),
    ("complete", "consultation", 1),
    ("complete", "help", 5),
    ("complete", "complaint", 15),
    ("complete", "suggestion", 10),
    ("complete", "praise", 5),
    ("complete", "membership", 5),
    ("review", "", 2),
    ("follow_up", "", 3),
]


def load(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    DeadlineRule = apps.get_model("cases", "DeadlineRule")
    tree = json.loads(CATEGORIES.read_text(encoding="utf-8"))
    for order, top in enumerate(tree, start=1):
        parent, _ = Category.objects.update_or_create(
            code=top["code"],
            defaults={
                "name": top["name"],
                "keywords": top.get("keywords", ""),
                "sort_order": order,
                "parent": None,
            },
        )
        for child_order, child in enumerate(top.get("children", []), start=1):
            Category.objects.update_or_create(
                code=child["code"],
                defaults={
                    "name": child["name"],
                    "keywords": child.get("keywords", ""),
                    "sort_order": child_order,
                    "parent": parent,
                },
            )
    for stage, kind, days in DEFAULT_RULES:
        DeadlineRule.objects.get_or_create(
            stage=stage, kind=kind, category=None, defaults={"working_days": days}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        # Reversing leaves the rows: cases point at the categories, and admins may have edited both.
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
