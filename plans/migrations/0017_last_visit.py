"""Each account's latest visit, stored (issue 9's "not visited for too long" at size): the table,
its first rows, and the triggers on plans_activity that keep it exact.

The rule (plans.selectors.account_visits, DOMAIN.md "Visits"): the last visit is the latest
activity of type visit. A row holds `max(occurred_at)` of the account's visit activities; an
account without one has no row. After an activity is inserted, updated (type, time or account
changed: the old and the new account) or deleted, the triggers compute that max again for the
accounts touched (by the partial index activity_last_visit), upsert it, and delete the row when no
visit is left, so an account's deletion, which takes its activities, leaves no row behind.

PostgreSQL: one trigger per statement and event, over transition tables, so bulk writes stay
set-based; the accounts touched are locked (FOR NO KEY UPDATE, which does not conflict with the
activities' foreign-key checks) before their max is read, so two transactions logging visits of
one account at once cannot leave the older one's max (each statement of the function takes a
new snapshot after the lock).

SQLite: row triggers. Django rebuilds a table (copy, drop, rename) for some ALTERs, which drops
its triggers; a later migration that rebuilds plans_activity on SQLite must create them again
(plans/tests/test_last_visit_stored.py fails without them).
"""

import django.db.models.deletion
from django.db import migrations, models

PG_FORWARD = """
-- No activity changes between the first rows and the triggers (this transaction holds it to commit).
LOCK TABLE plans_activity IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO plans_lastvisit (account_id, occurred_at)
    SELECT account_id, max(occurred_at) FROM plans_activity WHERE type = 'visit' GROUP BY account_id;
-- Its statistics now, not when autovacuum comes by: the pages' plans join it to thousands of accounts.
ANALYZE plans_lastvisit;

CREATE FUNCTION plans_last_visit_refresh(accounts bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(accounts) = 0 THEN
        RETURN;  -- no visit among the rows written
    END IF;
    PERFORM 1 FROM accounts_account WHERE id = ANY(accounts) ORDER BY id FOR NO KEY UPDATE;
    INSERT INTO plans_lastvisit (account_id, occurred_at)
        SELECT t.id, v.occurred_at
          FROM unnest(accounts) AS t(id)
          CROSS JOIN LATERAL (
              SELECT a.occurred_at FROM plans_activity a
               WHERE a.account_id = t.id AND a.type = 'visit'
               ORDER BY a.occurred_at DESC LIMIT 1
          ) v
    ON CONFLICT (account_id) DO UPDATE SET occurred_at = EXCLUDED.occurred_at
        WHERE plans_lastvisit.occurred_at IS DISTINCT FROM EXCLUDED.occurred_at;
    DELETE FROM plans_lastvisit l
     WHERE l.account_id = ANY(accounts)
       AND NOT EXISTS (SELECT 1 FROM plans_activity a WHERE a.account_id = l.account_id AND a.type = 'visit');
END $$;

CREATE FUNCTION plans_activities_inserted_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plans_last_visit_refresh(ARRAY(
        SELECT DISTINCT account_id FROM plans_activities_new WHERE type = 'visit'));
    RETURN NULL;
END $$;
CREATE TRIGGER plans_activities_inserted_last_visit AFTER INSERT ON plans_activity
    REFERENCING NEW TABLE AS plans_activities_new
    FOR EACH STATEMENT EXECUTE FUNCTION plans_activities_inserted_last_visit();

CREATE FUNCTION plans_activities_updated_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plans_last_visit_refresh(ARRAY(
        SELECT o.account_id FROM plans_activities_old o JOIN plans_activities_new n ON n.id = o.id
         WHERE (o.type = 'visit' OR n.type = 'visit')
           AND (o.type, o.occurred_at, o.account_id) IS DISTINCT FROM (n.type, n.occurred_at, n.account_id)
        UNION
        SELECT n.account_id FROM plans_activities_old o JOIN plans_activities_new n ON n.id = o.id
         WHERE (o.type = 'visit' OR n.type = 'visit')
           AND (o.type, o.occurred_at, o.account_id) IS DISTINCT FROM (n.type, n.occurred_at, n.account_id)));
    RETURN NULL;
END $$;
CREATE TRIGGER plans_activities_updated_last_visit AFTER UPDATE ON plans_activity
    REFERENCING OLD TABLE AS plans_activities_old NEW TABLE AS plans_activities_new
    FOR EACH STATEMENT EXECUTE FUNCTION plans_activities_updated_last_visit();

CREATE FUNCTION plans_activities_deleted_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plans_last_visit_refresh(ARRAY(
        SELECT DISTINCT account_id FROM plans_activities_old WHERE type = 'visit'));
    RETURN NULL;
END $$;
CREATE TRIGGER plans_activities_deleted_last_visit AFTER DELETE ON plans_activity
    REFERENCING OLD TABLE AS plans_activities_old
    FOR EACH STATEMENT EXECUTE FUNCTION plans_activities_deleted_last_visit();
"""
PG_BACKWARD = """
DROP TRIGGER plans_activities_deleted_last_visit ON plans_activity;
DROP FUNCTION plans_activities_deleted_last_visit();
DROP TRIGGER plans_activities_updated_last_visit ON plans_activity;
DROP FUNCTION plans_activities_updated_last_visit();
DROP TRIGGER plans_activities_inserted_last_visit ON plans_activity;
DROP FUNCTION plans_activities_inserted_last_visit();
DROP FUNCTION plans_last_visit_refresh(bigint[]);
"""


def _sqlite_refresh(account: str) -> str:
    """The statements that make `account`'s row its latest visit, or remove it (SQLite)."""
    return f"""
            INSERT INTO plans_lastvisit (account_id, occurred_at)
                SELECT {account}, max(occurred_at) FROM plans_activity WHERE account_id = {account} AND type = 'visit'
                HAVING max(occurred_at) IS NOT NULL
            ON CONFLICT (account_id) DO UPDATE SET occurred_at = excluded.occurred_at;
            DELETE FROM plans_lastvisit WHERE account_id = {account}
               AND NOT EXISTS (SELECT 1 FROM plans_activity WHERE account_id = {account} AND type = 'visit');"""


SQLITE_FORWARD = [
    """INSERT INTO plans_lastvisit (account_id, occurred_at)
        SELECT account_id, max(occurred_at) FROM plans_activity WHERE type = 'visit' GROUP BY account_id""",
    f"""CREATE TRIGGER plans_activity_inserted_last_visit AFTER INSERT ON plans_activity
        WHEN NEW.type = 'visit'
        BEGIN{_sqlite_refresh("NEW.account_id")}
        END""",
    f"""CREATE TRIGGER plans_activity_updated_last_visit AFTER UPDATE OF type, occurred_at, account_id ON plans_activity
        WHEN OLD.type = 'visit' OR NEW.type = 'visit'
        BEGIN{_sqlite_refresh("OLD.account_id")}{_sqlite_refresh("NEW.account_id")}
        END""",
    f"""CREATE TRIGGER plans_activity_deleted_last_visit AFTER DELETE ON plans_activity
        WHEN OLD.type = 'visit'
        BEGIN{_sqlite_refresh("OLD.account_id")}
        END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER plans_activity_deleted_last_visit",
    "DROP TRIGGER plans_activity_updated_last_visit",
    "DROP TRIGGER plans_activity_inserted_last_visit",
    "DELETE FROM plans_lastvisit",
]


def _run(statements_by_vendor: dict[str, str | list[str]]):  # noqa: ANN202
    def run(apps, schema_editor) -> None:  # noqa: ANN001
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(f"no last-visit triggers for {schema_editor.connection.vendor}")
        for statement in [statements] if isinstance(statements, str) else statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0014_account_access'),
        ('plans', '0016_my_work_plan_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='LastVisit',
            fields=[
                ('account', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='last_visit', serialize=False, to='accounts.account')),
                ('occurred_at', models.DateTimeField(editable=False)),
            ],
        ),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
