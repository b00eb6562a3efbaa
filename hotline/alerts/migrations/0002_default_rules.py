"""The three risk rules with their default thresholds, as AlertRule rows the admin can then edit.

The numbers are copied here rather than imported: a migration keeps what it did, whatever later
becomes of ``hotline.alerts.rules.DEFAULTS``.
"""

from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    # Three requests about one employer within 30 days.
    "employer_repeat": {"min_cases": 3, "window_days": 30},
    # One request for ten workers or more (群体性).
    "many_people": {"min_people": 10},
    # In the 60 days before the Spring Festival, at least 10 wage requests in a unit's subtree
    # and 1.5 times as many as in the same days last year.
    "wage_surge": {"min_cases": 10, "window_days": 60, "min_ratio": Decimal("1.50")},
}
WAGE_CATEGORY = "01"  # 劳动报酬


def load(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    Category = apps.get_model("cases", "Category")
    wage = Category.objects.filter(code=WAGE_CATEGORY).first()
    for rule, values in DEFAULTS.items():
        if rule == "wage_surge":
            if wage is None:
                # Without the taxonomy there is nothing to count; an administrator adds the row.
                continue
            values = {**values, "category": wage}
        # A row an administrator already changed is kept.
        AlertRule.objects.get_or_create(rule=rule, defaults=values)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("cases", "0002_load_categories_and_deadline_rules"),
    ]

    operations = [
        # Reversing leaves the rows: they may have been edited since.
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
