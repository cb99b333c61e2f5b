"""Per-account facts of the account funnel (funnel/facts_sql.py, issue 10 (a)): first purchase,
first payment, unpaid receivables and the days a receivable was open, kept by triggers on
orders, payments and invoices, and filled from the rows already there. PostgreSQL only;
SQLite aggregates the orders and payments."""

from django.db import migrations

from funnel import facts_sql


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(facts_sql.FORWARD)
        schema_editor.execute("SET LOCAL work_mem = '256MB'")
        for statement in facts_sql.FILL:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(facts_sql.BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0016_access_refresh_writes_differences"),
        ("funnel", "0005_walk_rollup"),
    ]

    operations = [migrations.RunPython(create, drop)]
