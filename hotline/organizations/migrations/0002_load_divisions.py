"""Load the GB/T 2260 divisions of Qinghai from ``data/divisions.csv``."""

from django.db import migrations

from hotline.organizations.divisions import load_divisions


def load(apps, schema_editor):
    load_divisions(apps.get_model("organizations", "Division"))


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
    ]

    operations = [
        # Reversing leaves the rows: organizations point at them and they are reference data.
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
