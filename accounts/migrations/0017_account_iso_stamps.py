"""An account's `created_at` and `updated_at` also kept as the text the API writes for them in UTC
(`created_at_iso`, `updated_at_iso`: DRF's ISO 8601, "Z", `.ffffff` only when there are
microseconds), so that a CSV page of the sync (issue 11) sends stored text instead of formatting
two timestamps per row: `to_char` was ~2 ms of PostgreSQL's CPU of a 1,000-row page's ~6-8 ms
statement (docs/benchmarks.md). PostgreSQL only: generated columns, written by PostgreSQL on
every insert and update, so no writer can leave them stale; Django's model does not know them
(only the page's SQL reads them: kam/api/pagination.py, accounts/api/json_rows.py). SQLite has
neither and formats as before.

`kam_iso_utc` is the UTC cell of kam/api/sql_json.py (`_iso_datetime_text_in_utc`) over the
timestamp at UTC, so that it does not depend on the session's TimeZone (a generated column must
be immutable; to_char of a timestamp without time zone reads no setting with this format).
accounts/tests/test_sync_page_sql.py checks both against DRF for any datetime."""

from django.db import migrations

FORWARD = [
    """
CREATE FUNCTION kam_iso_utc(moment timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT replace(to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '.000000Z', 'Z')
$$
""",
    """
ALTER TABLE accounts_account
    ADD COLUMN created_at_iso text GENERATED ALWAYS AS (kam_iso_utc(created_at)) STORED,
    ADD COLUMN updated_at_iso text GENERATED ALWAYS AS (kam_iso_utc(updated_at)) STORED
""",
]

BACKWARD = [
    "ALTER TABLE accounts_account DROP COLUMN created_at_iso, DROP COLUMN updated_at_iso",
    "DROP FUNCTION kam_iso_utc(timestamptz)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0016_access_refresh_writes_differences")]

    operations = [migrations.RunPython(create, drop)]
