"""An index for the risk alerts' "repeated requests about one employer" rule.

The rule (``hotline.alerts.rules.employer_repeat``) looks up, for each new complaint or
consultation, the requests about the same employer in the last 30 days: the same unified social
credit code, or, without one, the same folded name. The name has an index (``case_employer_idx``)
but the code had none, so PostgreSQL read every case of the 30 days to find them (30,000 cases,
17 ms at a million cases); with this index both halves of the ``OR`` are index ranges (0.1 ms,
docs/benchmarks.md). Partial: most cases carry no code and need no entry (7 MB at a million
cases, 150,000 of them with a code). Building it took under a second on that table; it holds a
write lock on cases meanwhile.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_bench_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("employer_credit_code", ""), _negated=True),
                fields=["employer_credit_code", "created_at"],
                name="case_credit_code_idx",
            ),
        ),
    ]
