"""Who may see which account, materialised (issue 12 item 9): the table and the PostgreSQL
triggers that keep it equal to the visibility rule (accounts/visibility.py).

A person U sees account A as theirs when A.owner = U, when U serves on A's account team, or when
U's role is manager and A's owner is a member of a team U leads. Every change that can alter that
— an account created, deleted or handed to another owner; an account-team row added, removed or
changed; a person created, deleted, moved to another team or given another role; a team created,
deleted or given another manager; any of those tables truncated — recomputes the rows of the accounts or people it touches from
the rule (delete, then insert), inside the writing statement's transaction. Inserts and deletes
fire once per statement with transition tables (bulk paths stay set-based); updates fire per row
only when a column the rule reads changed (the nightly tiering run's updates cost nothing).

Concurrent writers: see LOCK below (an advisory lock, exclusive for changes to people and teams,
shared for accounts and account teams; and the account rows for refreshes of one account).

SQLite gets the table but no triggers; visible_to computes the rule there as before.
"""

import zlib

from django.db import migrations, models

import django.db.models.deletion
from django.conf import settings

# The rule, restricted to some accounts ({accounts}: a subquery of ids) or some people ({users}).
RULE_FOR_ACCOUNTS = """
    SELECT a.owner_id, a.id FROM accounts_account a WHERE a.id IN ({accounts})
    UNION ALL
    SELECT t.manager_id, a.id
      FROM accounts_account a
      JOIN accounts_user o ON o.id = a.owner_id
      JOIN accounts_team t ON t.id = o.team_id
      JOIN accounts_user m ON m.id = t.manager_id AND m.role = 'manager'
     WHERE a.id IN ({accounts})
    UNION ALL
    SELECT s.user_id, s.account_id FROM accounts_accountteammember s WHERE s.account_id IN ({accounts})
"""
RULE_FOR_USERS = """
    SELECT a.owner_id, a.id FROM accounts_account a WHERE a.owner_id IN ({users})
    UNION ALL
    SELECT t.manager_id, a.id
      FROM accounts_team t
      JOIN accounts_user m ON m.id = t.manager_id AND m.role = 'manager'
      JOIN accounts_user o ON o.team_id = t.id
      JOIN accounts_account a ON a.owner_id = o.id
     WHERE t.manager_id IN ({users})
    UNION ALL
    SELECT s.user_id, s.account_id FROM accounts_accountteammember s WHERE s.user_id IN ({users})
"""
IDS = "SELECT unnest(ids)"
# Concurrency. A refresh recomputes from its statement's snapshot, so two transactions that each
# change what the other's refresh reads, before either commits, could both miss the other's
# change and leave a row behind. Two locks, held until commit, prevent that:
#  * this advisory lock, EXCLUSIVE for the changes to people and teams (rare: who leads whom,
#    who is in which team, roles) and SHARED for the changes to accounts and account teams, so
#    the frequent writers never wait for each other, and a refresh never reads a team structure
#    that another transaction is changing (a team change waits for the account writers in
#    flight to commit, and they for it);
#  * the account rows themselves (FOR NO KEY UPDATE, what an UPDATE takes), for refreshes of
#    existing accounts from the account side, so two of them on one account (a hand-over and an
#    account-team removal) take turns. New accounts are visible to no one else: not locked.
LOCK = zlib.crc32(b"accounts_accountaccess")
EXCLUSIVE = f"PERFORM pg_advisory_xact_lock({LOCK});"
SHARED = f"PERFORM pg_advisory_xact_lock_shared({LOCK});"

FORWARD = f"""
CREATE FUNCTION accounts_access_refresh_accounts(ids bigint[], lock_rows boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
    IF lock_rows THEN
        PERFORM 1 FROM accounts_account WHERE id IN ({IDS}) ORDER BY id FOR NO KEY UPDATE;
    END IF;
    DELETE FROM accounts_accountaccess WHERE account_id IN ({IDS});
    INSERT INTO accounts_accountaccess (user_id, account_id)
    {RULE_FOR_ACCOUNTS.format(accounts=IDS)}
    ON CONFLICT DO NOTHING;
END $$;

CREATE FUNCTION accounts_access_refresh_users(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
    DELETE FROM accounts_accountaccess WHERE user_id IN ({IDS});
    INSERT INTO accounts_accountaccess (user_id, account_id)
    {RULE_FOR_USERS.format(users=IDS)}
    ON CONFLICT DO NOTHING;
END $$;

-- Accounts --------------------------------------------------------------------------------------
CREATE FUNCTION accounts_access_account_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {SHARED}
    PERFORM accounts_access_refresh_accounts(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_account_inserted AFTER INSERT ON accounts_account
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_account_inserted();

CREATE FUNCTION accounts_access_account_owner_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {SHARED}
    PERFORM accounts_access_refresh_accounts(ARRAY[OLD.id, NEW.id], true);
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_account_owner_changed AFTER UPDATE ON accounts_account
    FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION accounts_access_account_owner_changed();

CREATE FUNCTION accounts_access_account_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {SHARED}
    DELETE FROM accounts_accountaccess WHERE account_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_account_deleted AFTER DELETE ON accounts_account
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_account_deleted();

-- Account teams ---------------------------------------------------------------------------------
CREATE FUNCTION accounts_access_served_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {SHARED}
    -- Serving only adds: no other row can be lost.
    INSERT INTO accounts_accountaccess (user_id, account_id)
    SELECT user_id, account_id FROM new_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_served_inserted AFTER INSERT ON accounts_accountteammember
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_served_inserted();

CREATE FUNCTION accounts_access_served_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {SHARED}
    PERFORM accounts_access_refresh_accounts(ARRAY(SELECT DISTINCT account_id FROM old_rows), true);
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_served_deleted AFTER DELETE ON accounts_accountteammember
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_served_deleted();

CREATE FUNCTION accounts_access_served_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {SHARED}
    PERFORM accounts_access_refresh_accounts(ARRAY[OLD.account_id, NEW.account_id], true);
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_served_changed AFTER UPDATE ON accounts_accountteammember
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.account_id IS DISTINCT FROM NEW.account_id)
    EXECUTE FUNCTION accounts_access_served_changed();

-- People ----------------------------------------------------------------------------------------
CREATE FUNCTION accounts_access_user_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {EXCLUSIVE}
    -- Normally nothing to do; with deferred foreign keys a new person may already own accounts
    -- or lead a team.
    PERFORM accounts_access_refresh_users(ARRAY(SELECT id FROM new_rows));
    PERFORM accounts_access_refresh_accounts(
        ARRAY(SELECT a.id FROM accounts_account a WHERE a.owner_id IN (SELECT id FROM new_rows)));
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_user_inserted AFTER INSERT ON accounts_user
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_user_inserted();

CREATE FUNCTION accounts_access_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {EXCLUSIVE}
    -- Their own rows (a manager's role reaches their teams' accounts) and, for another team,
    -- the rows of the accounts they own (the old and the new team's manager).
    PERFORM accounts_access_refresh_users(ARRAY[OLD.id, NEW.id]);
    PERFORM accounts_access_refresh_accounts(
        ARRAY(SELECT a.id FROM accounts_account a WHERE a.owner_id IN (OLD.id, NEW.id)));
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_user_changed AFTER UPDATE ON accounts_user
    FOR EACH ROW WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id OR OLD.role IS DISTINCT FROM NEW.role
                       OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION accounts_access_user_changed();

CREATE FUNCTION accounts_access_user_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {EXCLUSIVE}
    DELETE FROM accounts_accountaccess WHERE user_id IN (SELECT id FROM old_rows);
    -- With deferred foreign keys a deleted member may still own accounts (their manager's rows).
    PERFORM accounts_access_refresh_accounts(
        ARRAY(SELECT a.id FROM accounts_account a WHERE a.owner_id IN (SELECT id FROM old_rows)));
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_user_deleted AFTER DELETE ON accounts_user
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_user_deleted();

-- Teams -----------------------------------------------------------------------------------------
CREATE FUNCTION accounts_access_team_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {EXCLUSIVE}
    PERFORM accounts_access_refresh_users(ARRAY(SELECT manager_id FROM new_rows WHERE manager_id IS NOT NULL));
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_team_inserted AFTER INSERT ON accounts_team
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_team_inserted();

CREATE FUNCTION accounts_access_team_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {EXCLUSIVE}
    PERFORM accounts_access_refresh_users(ARRAY_REMOVE(ARRAY[OLD.manager_id, NEW.manager_id], NULL));
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_team_changed AFTER UPDATE ON accounts_team
    FOR EACH ROW WHEN (OLD.manager_id IS DISTINCT FROM NEW.manager_id OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION accounts_access_team_changed();

CREATE FUNCTION accounts_access_team_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {EXCLUSIVE}
    PERFORM accounts_access_refresh_users(ARRAY(SELECT manager_id FROM old_rows WHERE manager_id IS NOT NULL));
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_team_deleted AFTER DELETE ON accounts_team
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_team_deleted();

-- TRUNCATE (seed_demo --reset, test flushes) fires no row triggers, and the table has no foreign
-- keys for a CASCADE to follow: rebuild it from the rule. DELETE, not TRUNCATE: a TRUNCATE naming
-- this table too is still using it when this runs.
CREATE FUNCTION accounts_access_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {EXCLUSIVE}
    DELETE FROM accounts_accountaccess;
    INSERT INTO accounts_accountaccess (user_id, account_id)
    {RULE_FOR_ACCOUNTS.format(accounts="SELECT id FROM accounts_account")}
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_access_account_truncated AFTER TRUNCATE ON accounts_account
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_rebuild();
CREATE TRIGGER accounts_access_served_truncated AFTER TRUNCATE ON accounts_accountteammember
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_rebuild();
CREATE TRIGGER accounts_access_user_truncated AFTER TRUNCATE ON accounts_user
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_rebuild();
CREATE TRIGGER accounts_access_team_truncated AFTER TRUNCATE ON accounts_team
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_rebuild();

-- Everything there is now.
INSERT INTO accounts_accountaccess (user_id, account_id)
    {RULE_FOR_ACCOUNTS.format(accounts="SELECT id FROM accounts_account")}
    ON CONFLICT DO NOTHING;
ANALYZE accounts_accountaccess;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS accounts_access_account_inserted ON accounts_account;
DROP TRIGGER IF EXISTS accounts_access_account_owner_changed ON accounts_account;
DROP TRIGGER IF EXISTS accounts_access_account_deleted ON accounts_account;
DROP TRIGGER IF EXISTS accounts_access_served_inserted ON accounts_accountteammember;
DROP TRIGGER IF EXISTS accounts_access_served_deleted ON accounts_accountteammember;
DROP TRIGGER IF EXISTS accounts_access_served_changed ON accounts_accountteammember;
DROP TRIGGER IF EXISTS accounts_access_user_inserted ON accounts_user;
DROP TRIGGER IF EXISTS accounts_access_user_changed ON accounts_user;
DROP TRIGGER IF EXISTS accounts_access_user_deleted ON accounts_user;
DROP TRIGGER IF EXISTS accounts_access_team_inserted ON accounts_team;
DROP TRIGGER IF EXISTS accounts_access_team_changed ON accounts_team;
DROP TRIGGER IF EXISTS accounts_access_team_deleted ON accounts_team;
DROP TRIGGER IF EXISTS accounts_access_account_truncated ON accounts_account;
DROP TRIGGER IF EXISTS accounts_access_served_truncated ON accounts_accountteammember;
DROP TRIGGER IF EXISTS accounts_access_user_truncated ON accounts_user;
DROP TRIGGER IF EXISTS accounts_access_team_truncated ON accounts_team;
DROP FUNCTION IF EXISTS accounts_access_account_inserted(), accounts_access_account_owner_changed(),
    accounts_access_account_deleted(), accounts_access_served_inserted(), accounts_access_served_deleted(),
    accounts_access_served_changed(), accounts_access_user_inserted(), accounts_access_user_changed(),
    accounts_access_user_deleted(), accounts_access_team_inserted(), accounts_access_team_changed(),
    accounts_access_team_deleted(), accounts_access_rebuild(), accounts_access_refresh_accounts(bigint[], boolean),
    accounts_access_refresh_users(bigint[]);
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0013_deletedrecord_kind_from_registry"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountAccess",
            fields=[
                ("pk", models.CompositePrimaryKey("user", "account", blank=True, editable=False, primary_key=True, serialize=False)),
                (
                    "account",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.account",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
