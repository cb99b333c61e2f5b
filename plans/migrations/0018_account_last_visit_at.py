"""Each account's last visit, copied onto its own row beside its owner and category (issue 9's
"not visited for too long" as index ranges), PostgreSQL only.

`accounts_account.last_visit_at` equals the account's plans_lastvisit.occurred_at (NULL without
one), kept by statement triggers on plans_lastvisit, whoever writes it (the activity triggers of
0017, the seed's fill): after each statement the accounts it touched read their row again. The
index (owner, category, last visit first-nulls, name in code-point order, id) makes each
person's flagged accounts of one category a range: never visited, or visited before that
category's cutoff instant (plans.domain.visits.not_visited_cutoff), counted from the index and
walked in the page's order (plans.selectors.not_visited).

A column the ORM does not declare: Django never writes it (no stale instance saved over it, no
serializer or form shows it); only these triggers do. An account's own row rather than
plans_lastvisit widened with owner and category: those change with hand-overs and every nightly
tiering run (100,000 rows), a visit changes one account. Its write is a non-key column: the
access triggers of accounts/0014 fire on owner changes only, and the sync cursor reads
updated_at, which Django sets, not this.

SQLite keeps the plain query (the window over LastVisit): no column, no triggers.
"""

from django.db import migrations

PG_FORWARD = """
ALTER TABLE accounts_account ADD COLUMN last_visit_at timestamp with time zone;
-- No last visit changes between the copy and the triggers (held to commit).
LOCK TABLE plans_lastvisit IN SHARE ROW EXCLUSIVE MODE;
UPDATE accounts_account a SET last_visit_at = l.occurred_at FROM plans_lastvisit l WHERE l.account_id = a.id;
CREATE INDEX account_not_visited
    ON accounts_account (owner_id, category, last_visit_at NULLS FIRST, (name COLLATE "C"), id);
ANALYZE accounts_account;

CREATE FUNCTION plans_last_visit_copy(accounts bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts_account a SET last_visit_at = l.occurred_at
      FROM (SELECT t.id, (SELECT v.occurred_at FROM plans_lastvisit v WHERE v.account_id = t.id) AS occurred_at
              FROM (SELECT DISTINCT unnest(accounts) AS id) t) l
     WHERE a.id = l.id AND a.last_visit_at IS DISTINCT FROM l.occurred_at;
END $$;

CREATE FUNCTION plans_last_visits_inserted_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plans_last_visit_copy(ARRAY(SELECT account_id FROM plans_last_visits_new));
    RETURN NULL;
END $$;
CREATE TRIGGER plans_last_visits_inserted_copy AFTER INSERT ON plans_lastvisit
    REFERENCING NEW TABLE AS plans_last_visits_new
    FOR EACH STATEMENT EXECUTE FUNCTION plans_last_visits_inserted_copy();

CREATE FUNCTION plans_last_visits_updated_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plans_last_visit_copy(ARRAY(
        SELECT account_id FROM plans_last_visits_old UNION SELECT account_id FROM plans_last_visits_new));
    RETURN NULL;
END $$;
CREATE TRIGGER plans_last_visits_updated_copy AFTER UPDATE ON plans_lastvisit
    REFERENCING OLD TABLE AS plans_last_visits_old NEW TABLE AS plans_last_visits_new
    FOR EACH STATEMENT EXECUTE FUNCTION plans_last_visits_updated_copy();

CREATE FUNCTION plans_last_visits_deleted_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plans_last_visit_copy(ARRAY(SELECT account_id FROM plans_last_visits_old));
    RETURN NULL;
END $$;
CREATE TRIGGER plans_last_visits_deleted_copy AFTER DELETE ON plans_lastvisit
    REFERENCING OLD TABLE AS plans_last_visits_old
    FOR EACH STATEMENT EXECUTE FUNCTION plans_last_visits_deleted_copy();

-- A TRUNCATE fires no delete trigger: the copies go with it.
CREATE FUNCTION plans_last_visits_truncated_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts_account SET last_visit_at = NULL WHERE last_visit_at IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER plans_last_visits_truncated_copy AFTER TRUNCATE ON plans_lastvisit
    FOR EACH STATEMENT EXECUTE FUNCTION plans_last_visits_truncated_copy();
"""
PG_BACKWARD = """
DROP TRIGGER plans_last_visits_truncated_copy ON plans_lastvisit;
DROP FUNCTION plans_last_visits_truncated_copy();
DROP TRIGGER plans_last_visits_deleted_copy ON plans_lastvisit;
DROP FUNCTION plans_last_visits_deleted_copy();
DROP TRIGGER plans_last_visits_updated_copy ON plans_lastvisit;
DROP FUNCTION plans_last_visits_updated_copy();
DROP TRIGGER plans_last_visits_inserted_copy ON plans_lastvisit;
DROP FUNCTION plans_last_visits_inserted_copy();
DROP FUNCTION plans_last_visit_copy(bigint[]);
DROP INDEX account_not_visited;
ALTER TABLE accounts_account DROP COLUMN last_visit_at;
"""


def _run(sql: str):  # noqa: ANN202
    def run(apps, schema_editor) -> None:  # noqa: ANN001
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0015_account_owner_shown_index'),
        ('plans', '0017_last_visit'),
    ]

    operations = [
        migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD)),
    ]
