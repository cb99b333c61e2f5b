"""The snapshot lines summed per account audience (funnel/rollups_sql.py, issue 10 (a)):
tables, triggers on the lines and the access table, and the roll-up of the lines already there.
PostgreSQL only; SQLite reads the lines."""

from django.db import migrations

from funnel import rollups_sql


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollups_sql.FORWARD)
        schema_editor.execute("SET LOCAL work_mem = '256MB'")
        for statement in rollups_sql.FILL:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollups_sql.BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0016_access_refresh_writes_differences"),
        ("funnel", "0002_stage_walks_and_dashboard_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
