"""The PostgreSQL side of the snapshot roll-up (issue 10 (a)): the weekly snapshot lines summed
per account *audience*, kept exact by triggers, so the forecast-accuracy charts read a few
thousand pre-summed rows instead of the quarter's ~1M lines.

An account's audience is the set of people whose `accounts_accountaccess` rows name it (the
visibility rule materialised by accounts/0014): few distinct sets, however many accounts. A
person who does not see everything sees an account exactly when they are in its audience, so
`audience.users @> {person}` selects the same lines as `visible_to` does (accounts/visibility.py).

Tables (PostgreSQL only; SQLite reads the lines as before):
  funnel_audience (id, users bigint[] sorted, unique): id 0 is the empty set;
  funnel_accountaudience (account_id, audience_id): an account with no row is in audience 0;
  funnel_snapshotrollup (snapshot_id, audience_id, owner_key, close_month) -> lines, commit,
      best, weighted: of the lines with an expected close date, owner_key = owner id or 0 for
      none, close_month = the first day of the close date's month (quarters are whole months),
      commit / best = Σ amount of the commit / best-case lines, weighted = Σ amount × probability
      (probability in percent: divide by 100 as the line query does).

Kept by: statement-level triggers on the snapshot lines (insert, update, delete: their rows
folded in with sign ±1; truncate empties the roll-up), and on the access table (insert,
delete): the accounts a statement touched are settled (`funnel_audience_settle`): their
audience recomputed, and where it changed their lines moved from the old audience's rows to the
new one's. accounts/0016 makes the access refreshes write only the rows that differ, so a
refresh that changes nothing moves nothing.

Migration 0003 runs FORWARD and FILL; the seed loads the snapshot lines with LINE_TRIGGERS off
and runs FILL once after.
"""

from __future__ import annotations

# The line columns folded into one roll-up row, for lines `t` (a table alias) with a sign.
_SUMS = """
    sum({sign}) AS lines,
    sum({sign} * CASE WHEN {t}.forecast_category = 'commit' THEN {t}.amount ELSE 0 END) AS commit,
    sum({sign} * CASE WHEN {t}.forecast_category = 'best_case' THEN {t}.amount ELSE 0 END) AS best,
    sum({sign} * {t}.amount * {t}.probability) AS weighted
"""
_UPSERT = """
    ON CONFLICT (snapshot_id, audience_id, owner_key, close_month) DO UPDATE SET
        lines = r.lines + EXCLUDED.lines, commit = r.commit + EXCLUDED.commit,
        best = r.best + EXCLUDED.best, weighted = r.weighted + EXCLUDED.weighted
"""
_INTO = (
    "INSERT INTO funnel_snapshotrollup AS r "
    "(snapshot_id, audience_id, owner_key, close_month, lines, commit, best, weighted)"
)
_KEY = (
    "{t}.snapshot_id, COALESCE(c.audience_id, 0) AS audience_id, COALESCE({t}.owner_id, 0) AS owner_key, "
    "date_trunc('month', {t}.expected_close_date)::date AS close_month"
)
# Rows whose lines all went: dropped, through the partial index on lines = 0.
_PRUNE = "DELETE FROM funnel_snapshotrollup WHERE lines = 0;"
# The audience of each account in `{ids}` as it stands in the access table (sorted user ids).
_AUDIENCE_OF = (
    "COALESCE((SELECT array_agg(x.user_id ORDER BY x.user_id) FROM accounts_accountaccess x "
    "WHERE x.account_id = {a}), '{{}}')"
)


def _lock(rows: str) -> str:
    """Hold the audience rows of the accounts of lines `rows` (FOR SHARE, until commit): a settle
    moving one of those accounts (which takes them FOR NO KEY UPDATE before it reads the lines)
    waits for this statement's transaction, and this one for a settle in flight, so no line is
    folded into an audience its account is leaving."""
    return (
        "PERFORM 1 FROM funnel_accountaudience c "  # noqa: S608 - a transition table's name written here
        f"WHERE c.account_id IN (SELECT account_id FROM {rows}) ORDER BY c.account_id FOR SHARE;"
    )


def _fold_lines(rows: str, sign: str) -> str:
    """SELECT of roll-up deltas for the lines in transition table `rows`, signed `sign`."""
    return f"""
        SELECT {_KEY.format(t="l")}, {_SUMS.format(t="l", sign=sign)}
        FROM {rows} l LEFT JOIN funnel_accountaudience c ON c.account_id = l.account_id
        WHERE l.expected_close_date IS NOT NULL
        GROUP BY 1, 2, 3, 4
    """  # noqa: S608 - table names written here


FORWARD = f"""
CREATE TABLE funnel_audience (id integer PRIMARY KEY, users bigint[] NOT NULL UNIQUE);
CREATE SEQUENCE funnel_audience_id_seq OWNED BY funnel_audience.id START 1;
ALTER TABLE funnel_audience ALTER COLUMN id SET DEFAULT nextval('funnel_audience_id_seq');
INSERT INTO funnel_audience (id, users) VALUES (0, '{{}}');
CREATE TABLE funnel_accountaudience (account_id bigint PRIMARY KEY, audience_id integer NOT NULL);
CREATE TABLE funnel_snapshotrollup (
    snapshot_id bigint NOT NULL, audience_id integer NOT NULL, owner_key bigint NOT NULL,
    close_month date NOT NULL, lines bigint NOT NULL, commit numeric NOT NULL, best numeric NOT NULL,
    weighted numeric NOT NULL,
    PRIMARY KEY (snapshot_id, audience_id, owner_key, close_month)
);
CREATE INDEX funnel_snapshotrollup_empty ON funnel_snapshotrollup (snapshot_id) WHERE lines = 0;

-- Settle accounts: their audience from the access table; where it changed, their lines move.
CREATE FUNCTION funnel_audience_settle(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
    CREATE TEMP TABLE IF NOT EXISTS funnel_audience_moves (
        account_id bigint PRIMARY KEY, old_id integer NOT NULL, new_id integer NOT NULL
    ) ON COMMIT DELETE ROWS;
    TRUNCATE funnel_audience_moves;
    INSERT INTO funnel_audience (users)
        SELECT DISTINCT {_AUDIENCE_OF.format(a="a.id")} FROM unnest(ids) AS a (id)
        ON CONFLICT (users) DO NOTHING;
    INSERT INTO funnel_audience_moves (account_id, old_id, new_id)
        SELECT w.id, COALESCE(c.audience_id, 0), w.audience_id
        FROM (
            SELECT a.id,
                   (SELECT u.id FROM funnel_audience u WHERE u.users = {_AUDIENCE_OF.format(a="a.id")}) AS audience_id
            FROM (SELECT DISTINCT unnest(ids) AS id) AS a
            WHERE EXISTS (SELECT 1 FROM accounts_account acc WHERE acc.id = a.id)
        ) AS w
        LEFT JOIN funnel_accountaudience c ON c.account_id = w.id
        WHERE COALESCE(c.audience_id, 0) <> w.audience_id;
    -- Gone accounts (their lines went with them): forget them.
    DELETE FROM funnel_accountaudience c WHERE c.account_id = ANY(ids)
        AND NOT EXISTS (SELECT 1 FROM accounts_account acc WHERE acc.id = c.account_id);
    IF NOT EXISTS (SELECT 1 FROM funnel_audience_moves) THEN RETURN; END IF;
    -- Wait for line writers on these accounts in flight; the next statement sees their lines.
    PERFORM 1 FROM funnel_accountaudience c WHERE c.account_id IN (SELECT account_id FROM funnel_audience_moves)
        ORDER BY c.account_id FOR NO KEY UPDATE;
    {_INTO}
        SELECT l.snapshot_id, s.audience_id, COALESCE(l.owner_id, 0),
               date_trunc('month', l.expected_close_date)::date, {_SUMS.format(t="l", sign="s.sign")}
        FROM funnel_audience_moves m
        CROSS JOIN LATERAL (VALUES (m.old_id, -1), (m.new_id, 1)) AS s (audience_id, sign)
        JOIN funnel_snapshotline l ON l.account_id = m.account_id
        WHERE l.expected_close_date IS NOT NULL
        GROUP BY 1, 2, 3, 4
    {_UPSERT};
    {_PRUNE}
    INSERT INTO funnel_accountaudience (account_id, audience_id)
        SELECT account_id, new_id FROM funnel_audience_moves
        ON CONFLICT (account_id) DO UPDATE SET audience_id = EXCLUDED.audience_id;
END $$;

CREATE FUNCTION funnel_audience_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM funnel_audience_settle(ARRAY(SELECT DISTINCT account_id FROM changed_rows));
    RETURN NULL;
END $$;
CREATE TRIGGER funnel_audience_access_inserted AFTER INSERT ON accounts_accountaccess
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_audience_access_changed();
CREATE TRIGGER funnel_audience_access_deleted AFTER DELETE ON accounts_accountaccess
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_audience_access_changed();

-- Snapshot lines: each statement's rows folded in (+1) or out (-1).
CREATE FUNCTION funnel_rollup_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_lock("new_rows")}
    {_INTO} {_fold_lines("new_rows", "1")} {_UPSERT};
    RETURN NULL;
END $$;
CREATE FUNCTION funnel_rollup_lines_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_lock("old_rows")}
    {_INTO} {_fold_lines("old_rows", "-1")} {_UPSERT};
    {_PRUNE}
    RETURN NULL;
END $$;
CREATE FUNCTION funnel_rollup_lines_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_lock("old_rows")}
    {_INTO}
        SELECT snapshot_id, audience_id, owner_key, close_month, sum(lines), sum(commit), sum(best), sum(weighted)
        FROM ({_fold_lines("old_rows", "-1")} UNION ALL {_fold_lines("new_rows", "1")}) AS d
        GROUP BY 1, 2, 3, 4
    {_UPSERT};
    {_PRUNE}
    RETURN NULL;
END $$;
CREATE FUNCTION funnel_rollup_lines_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM funnel_snapshotrollup;
    RETURN NULL;
END $$;
CREATE TRIGGER funnel_rollup_lines_inserted AFTER INSERT ON funnel_snapshotline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_rollup_lines_inserted();
CREATE TRIGGER funnel_rollup_lines_deleted AFTER DELETE ON funnel_snapshotline
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_rollup_lines_deleted();
CREATE TRIGGER funnel_rollup_lines_updated AFTER UPDATE ON funnel_snapshotline
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_rollup_lines_updated();
CREATE TRIGGER funnel_rollup_lines_truncated AFTER TRUNCATE ON funnel_snapshotline
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_rollup_lines_truncated();
"""  # noqa: S608 - SQL written here, no input

# Everything from scratch: every account's audience, then every line folded in. Used by the
# migration and by the seed after loading the lines with LINE_TRIGGERS off.
FILL = (
    "DELETE FROM funnel_snapshotrollup",
    "DELETE FROM funnel_accountaudience",
    """
    INSERT INTO funnel_audience (users)
        SELECT DISTINCT users FROM (
            SELECT array_agg(user_id ORDER BY user_id) AS users FROM accounts_accountaccess GROUP BY account_id
        ) AS a
        ON CONFLICT (users) DO NOTHING
    """,
    """
    INSERT INTO funnel_accountaudience (account_id, audience_id)
        SELECT acc.id, COALESCE(u.id, 0)
        FROM accounts_account acc
        LEFT JOIN (SELECT account_id, array_agg(user_id ORDER BY user_id) AS users
                   FROM accounts_accountaccess GROUP BY account_id) AS a ON a.account_id = acc.id
        LEFT JOIN funnel_audience u ON u.users = a.users
    """,
    f"{_INTO} {_fold_lines('funnel_snapshotline', '1')}",
    "ANALYZE funnel_audience, funnel_accountaudience, funnel_snapshotrollup",
)

BACKWARD = """
DROP TRIGGER IF EXISTS funnel_audience_access_inserted ON accounts_accountaccess;
DROP TRIGGER IF EXISTS funnel_audience_access_deleted ON accounts_accountaccess;
DROP TRIGGER IF EXISTS funnel_rollup_lines_inserted ON funnel_snapshotline;
DROP TRIGGER IF EXISTS funnel_rollup_lines_deleted ON funnel_snapshotline;
DROP TRIGGER IF EXISTS funnel_rollup_lines_updated ON funnel_snapshotline;
DROP TRIGGER IF EXISTS funnel_rollup_lines_truncated ON funnel_snapshotline;
DROP FUNCTION IF EXISTS funnel_audience_access_changed(), funnel_audience_settle(bigint[]),
    funnel_rollup_lines_inserted(), funnel_rollup_lines_deleted(), funnel_rollup_lines_updated(),
    funnel_rollup_lines_truncated();
DROP TABLE IF EXISTS funnel_snapshotrollup, funnel_accountaudience, funnel_audience;
"""

# The seed loads the snapshot lines with these off, then runs FILL once.
LINE_TRIGGERS = (
    "funnel_rollup_lines_inserted",
    "funnel_rollup_lines_deleted",
    "funnel_rollup_lines_updated",
    "funnel_rollup_lines_truncated",
)
