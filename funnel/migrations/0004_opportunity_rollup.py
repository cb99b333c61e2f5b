"""The live opportunities summed per account audience (funnel/opportunity_rollup_sql.py, issue 10
(a)): the table, triggers on the opportunities and on the accounts' audience rows, and the
roll-up of the opportunities already there. PostgreSQL only; SQLite reads the opportunities."""

from django.db import migrations

from funnel import opportunity_rollup_sql


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(opportunity_rollup_sql.FORWARD)
        schema_editor.execute("SET LOCAL work_mem = '256MB'")
        for statement in opportunity_rollup_sql.FILL:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(opportunity_rollup_sql.BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("funnel", "0003_snapshot_rollup_by_audience")]

    operations = [migrations.RunPython(create, drop)]
