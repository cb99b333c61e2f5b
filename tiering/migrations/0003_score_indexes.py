"""Snapshot indexes that cost a nightly run less: the account's history and uniqueness in one
B-tree, and the run's rows found through a BRIN index (runs append their rows in order)."""

from django.db import migrations, models

RUN_INDEX = "score_run"


def create_run_index(apps, schema_editor):
    method = "USING brin " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {RUN_INDEX} ON tiering_accountscore {method}(run_id)")


def drop_run_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {RUN_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("tiering", "0002_snapshot_explanation_inputs"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="accountscore", name="one_score_per_run"),
        migrations.RemoveIndex(model_name="accountscore", name="score_account_run"),
        migrations.AddConstraint(
            model_name="accountscore",
            constraint=models.UniqueConstraint(fields=("account", "run", "is_group"), name="one_score_per_account_run"),
        ),
        migrations.RunPython(create_run_index, drop_run_index),
    ]
