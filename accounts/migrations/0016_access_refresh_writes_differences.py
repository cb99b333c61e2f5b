"""The access refreshes (accounts/0014) write only the rows that differ from the rule: they
delete the rows the rule no longer yields and insert the ones it newly yields, where they
deleted every row of the accounts or people touched and inserted them all again. Same table
afterwards; but a trigger on the access table (funnel/0003's audience roll-up) now sees only
real changes: moving a rep to another team no longer rewrites every access row of both
managers' teams. Same locks as before (taken by the callers, unchanged)."""

import importlib

from django.db import migrations

_0014 = importlib.import_module("accounts.migrations.0014_account_access")
IDS = _0014.IDS


def _refresh(name: str, signature: str, key: str, rule: str, lock: str) -> str:
    """A refresh of the rows whose `key` column is in `ids`: delete what the rule no longer
    yields, insert what it newly yields (EXCEPT: each set computed once, hashed)."""
    return f"""
CREATE OR REPLACE FUNCTION {name}({signature}) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
    {lock}
    DELETE FROM accounts_accountaccess x USING (
        SELECT user_id, account_id FROM accounts_accountaccess WHERE {key} IN ({IDS})
        EXCEPT
        SELECT * FROM ({rule}) AS r
    ) AS gone
    WHERE x.user_id = gone.user_id AND x.account_id = gone.account_id;
    INSERT INTO accounts_accountaccess (user_id, account_id)
    SELECT * FROM ({rule}) AS r
    EXCEPT
    SELECT user_id, account_id FROM accounts_accountaccess WHERE {key} IN ({IDS})
    ON CONFLICT DO NOTHING;
END $$;
"""


LOCK_ROWS = f"""IF lock_rows THEN
        PERFORM 1 FROM accounts_account WHERE id IN ({IDS}) ORDER BY id FOR NO KEY UPDATE;
    END IF;"""

FORWARD = _refresh(
    "accounts_access_refresh_accounts",
    "ids bigint[], lock_rows boolean DEFAULT false",
    "account_id",
    _0014.RULE_FOR_ACCOUNTS.format(accounts=IDS),
    LOCK_ROWS,
) + _refresh("accounts_access_refresh_users", "ids bigint[]", "user_id", _0014.RULE_FOR_USERS.format(users=IDS), "")

# Back to 0014's delete-then-insert-all.
BACKWARD = f"""
CREATE OR REPLACE FUNCTION accounts_access_refresh_accounts(ids bigint[], lock_rows boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
    {LOCK_ROWS}
    DELETE FROM accounts_accountaccess WHERE account_id IN ({IDS});
    INSERT INTO accounts_accountaccess (user_id, account_id)
    {_0014.RULE_FOR_ACCOUNTS.format(accounts=IDS)}
    ON CONFLICT DO NOTHING;
END $$;

CREATE OR REPLACE FUNCTION accounts_access_refresh_users(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
    DELETE FROM accounts_accountaccess WHERE user_id IN ({IDS});
    INSERT INTO accounts_accountaccess (user_id, account_id)
    {_0014.RULE_FOR_USERS.format(users=IDS)}
    ON CONFLICT DO NOTHING;
END $$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0015_account_owner_shown_index"),
    ]

    operations = [migrations.RunPython(forward, backward)]
