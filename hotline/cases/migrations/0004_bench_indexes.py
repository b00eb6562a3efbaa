"""Trigram indexes for the text search of case lists, on PostgreSQL only.

``selectors.case_list`` looks for words in the title, the employer and the description with
``icontains``, which PostgreSQL runs as ``UPPER(column) LIKE UPPER('%words%')``. No B-tree index
answers that, so at a million cases every search read the whole table (1.5 to 2.5 s, see
docs/benchmarks.md, "Cases at 1,000,000"). A GIN index of the trigrams of ``UPPER(column)``
(extension ``pg_trgm``, in PostgreSQL's contrib and trusted, so the database owner may create it)
answers it for any search of three characters or more, Chinese included. SQLite has neither GIN
nor ``pg_trgm``: there this migration does nothing, which is also why these indexes are not
declared in ``Case.Meta.indexes``.

On a large existing table the indexes take a while to build (about 30 s for the description of a
million cases) and block writes to cases meanwhile: run it in a maintenance window.

New rows go to each index's pending list first (GIN's ``fastupdate``), which every search reads
in full until it is merged into the index. The list is capped at 256 kB rather than the default
4 MB: with 4 MB, a few thousand recent intakes made each search 60 to 70 ms slower; merging a
smaller list more often costs an intake about as little.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = ("title", "employer_name", "description")


def _name(column):
    return f"case_{column}_trgm_idx"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_name(column)}" ON "cases_case" '
            f'USING gin (UPPER("{column}") gin_trgm_ops) WITH (gin_pending_list_limit = 256)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_name(column)}"')


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_clock_basis")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
