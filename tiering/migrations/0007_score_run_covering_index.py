"""A covering index of each run's account scores (issue 10 (a), the dashboard's account charts):
the tier charts and the account funnel probe the score of each account in scope in one or two
runs; with the columns they read in the index (tier, segment, pyramid class, monetary,
category) a probe is an index-only lookup (scores are written once, so the pages stay
all-visible) instead of a visit to the wide row. PostgreSQL only (INCLUDE); SQLite reads the
table as before."""

from django.db import migrations

INDEX = "score_run_account_charts"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON tiering_accountscore (run_id, account_id) "
            "INCLUDE (tier, segment, pareto_class, monetary, category) WHERE NOT is_group"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("tiering", "0006_snapshot_margin_unknown"),
    ]

    operations = [migrations.RunPython(create, drop)]
