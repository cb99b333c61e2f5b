"""The stage walks summed per account audience, owner and UTC day begun (funnel/walk_rollup_sql.py,
issue 10 (a)): the table, its triggers on the walks, the opportunities and the account audiences,
and the roll-up of the walks already there. PostgreSQL only; SQLite folds the history."""

from django.db import migrations

from funnel import walk_rollup_sql


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(walk_rollup_sql.FORWARD)
        schema_editor.execute("SET LOCAL work_mem = '256MB'")
        for statement in walk_rollup_sql.FILL:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(walk_rollup_sql.BACKWARD)


class Migration(migrations.Migration):
    # After 0003 (the audiences it reads); 0004 is written beside this one: the lead chains them.
    dependencies = [("funnel", "0004_opportunity_rollup")]

    operations = [migrations.RunPython(create, drop)]
