"""The PostgreSQL side of the opportunity roll-up (issue 10 (a)): the live opportunities summed
per account *audience* (funnel/rollups_sql.py: the set of people of an account's access rows),
owner, stage, forecast category and day, kept exact by triggers, so the dashboard's opportunity
pass (funnel.folded.pipeline_sums) and the won deals per rep (funnel.selectors_reps) read a few
thousand pre-summed rows instead of the scope's ~500k deals.

Table (PostgreSQL only; SQLite reads the opportunities as before):
  funnel_opportunityrollup (audience_id, owner_key, stage, forecast_category, on_day)
      -> n, amount, weighted:
    owner_key = owner id or 0 for none;
    on_day = for an open deal the first day of its expected close month (quarters are whole
      months), 'infinity' when it has no date (it still counts in the funnel's open stages);
      for a won deal its closed_at day (won per day: the accuracy chart accumulates won to date
      per day, accuracy per rep needs won up to a snapshot's day); for a lost deal the first
      day of its closed_at month (the funnel counts the lost ones closed in a quarter, no more);
    forecast_category = the deal's for an open deal, '' for a closed one (no figure reads it);
    n = deals, amount = Σ amount, weighted = Σ amount × probability (percent: divide by 100 as
      the live query does).
  Closed deals without closed_at count nowhere (every reader asks for a closing day): left out.

Kept by statement-level triggers on the opportunities (insert, update, delete: their rows
folded in with sign ±1, after taking the accounts' funnel_accountaudience rows FOR SHARE, the
`_lock` pattern of rollups_sql; truncate empties the roll-up) and on funnel_accountaudience
(insert: the account moves from audience 0; update: from the old audience to the new), written
by funnel_audience_settle, which holds those rows FOR NO KEY UPDATE: the deals of the accounts
whose audience changed are moved. A deleted audience row is a gone account, its deals gone with
it: nothing to move.

Migration 0004 runs FORWARD and FILL; the seed loads the opportunities with TRIGGERS off and runs
FILL after rollups_sql.FILL (FILL from scratch: rollups_sql.FILL rewrites every audience row, so
this FILL must follow it).
"""

from __future__ import annotations

from funnel.domain import stages


def _codes(values: tuple[str, ...]) -> str:
    """A SQL list of stage codes (constants of funnel.domain.stages, no input)."""
    return ", ".join(f"'{value}'" for value in values)


OPEN = _codes(stages.OPEN_STAGES)
WON = _codes(stages.WON_STAGES)

# The deals of `t` that count: open ones, closed ones with a closing day.
_COUNTS = "({t}.stage IN (" + OPEN + ") OR {t}.closed_at IS NOT NULL)"
# The key columns but the audience, for deals `t`.
_KEY = (
    "COALESCE({t}.owner_id, 0), {t}.stage, "
    "CASE WHEN {t}.stage IN (" + OPEN + ") THEN {t}.forecast_category ELSE '' END, "
    "CASE WHEN {t}.stage IN (" + OPEN + ") "
    "THEN COALESCE(date_trunc('month', {t}.expected_close_date)::date, 'infinity'::date) "
    "WHEN {t}.stage IN (" + WON + ") THEN {t}.closed_at "
    "ELSE date_trunc('month', {t}.closed_at)::date END"
)
_SUMS = "sum({sign}), sum({sign} * {t}.amount), sum({sign} * {t}.amount * {t}.probability)"
_INTO = (
    "INSERT INTO funnel_opportunityrollup AS r "
    "(audience_id, owner_key, stage, forecast_category, on_day, n, amount, weighted)"
)
_UPSERT = """
    ON CONFLICT (audience_id, owner_key, stage, forecast_category, on_day) DO UPDATE SET
        n = r.n + EXCLUDED.n, amount = r.amount + EXCLUDED.amount, weighted = r.weighted + EXCLUDED.weighted
"""
# Rows whose deals all went: dropped, through the partial index on n = 0.
_PRUNE = "DELETE FROM funnel_opportunityrollup WHERE n = 0;"


def _lock(accounts: str) -> str:
    """Hold the audience rows of the accounts in `accounts` (a SELECT of account ids) FOR SHARE
    until commit: a settle moving one of them (FOR NO KEY UPDATE before it reads the deals)
    waits for this statement's transaction and this one for a settle in flight, so no deal is
    folded into an audience its account is leaving (rollups_sql._lock)."""
    return (
        "PERFORM 1 FROM funnel_accountaudience c "  # noqa: S608 - transition tables' names written here
        f"WHERE c.account_id IN ({accounts}) ORDER BY c.account_id FOR SHARE;"
    )


def _fold(rows: str, sign: str) -> str:
    """SELECT of roll-up deltas for the deals in `rows` (a table), signed `sign`."""
    return f"""
        SELECT COALESCE(c.audience_id, 0), {_KEY.format(t="o")}, {_SUMS.format(t="o", sign=sign)}
        FROM {rows} o LEFT JOIN funnel_accountaudience c ON c.account_id = o.account_id
        WHERE {_COUNTS.format(t="o")}
        GROUP BY 1, 2, 3, 4, 5
    """  # noqa: S608 - table names written here


def _move(moves: str) -> str:
    """The deals of the accounts in `moves` (account_id, old_id, new_id) taken out of their old
    audience's rows and put in the new one's."""
    return f"""
        {_INTO}
        SELECT s.audience_id, {_KEY.format(t="o")}, {_SUMS.format(t="o", sign="s.sign")}
        FROM ({moves}) AS m (account_id, old_id, new_id)
        CROSS JOIN LATERAL (VALUES (m.old_id, -1), (m.new_id, 1)) AS s (audience_id, sign)
        JOIN funnel_opportunity o ON o.account_id = m.account_id
        WHERE {_COUNTS.format(t="o")}
        GROUP BY 1, 2, 3, 4, 5
        {_UPSERT};
        {_PRUNE}
    """  # noqa: S608 - SQL written here


# An inserted audience row: its account comes from audience 0. An updated one: from the old.
_ARRIVED = _move("SELECT account_id, 0, audience_id FROM new_rows WHERE audience_id <> 0")
_MOVED = _move(
    "SELECT n.account_id, o.audience_id, n.audience_id FROM old_rows o "
    "JOIN new_rows n ON n.account_id = o.account_id WHERE n.audience_id <> o.audience_id"
)

FORWARD = f"""
CREATE TABLE funnel_opportunityrollup (
    audience_id integer NOT NULL, owner_key bigint NOT NULL, stage varchar(20) NOT NULL,
    forecast_category varchar(20) NOT NULL, on_day date NOT NULL,
    n bigint NOT NULL, amount numeric NOT NULL, weighted numeric NOT NULL,
    PRIMARY KEY (audience_id, owner_key, stage, forecast_category, on_day)
);
CREATE INDEX funnel_opportunityrollup_empty ON funnel_opportunityrollup (audience_id) WHERE n = 0;

CREATE FUNCTION funnel_opportunity_rollup_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_lock("SELECT account_id FROM new_rows")}
    {_INTO} {_fold("new_rows", "1")} {_UPSERT};
    RETURN NULL;
END $$;
CREATE FUNCTION funnel_opportunity_rollup_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_lock("SELECT account_id FROM old_rows")}
    {_INTO} {_fold("old_rows", "-1")} {_UPSERT};
    {_PRUNE}
    RETURN NULL;
END $$;
CREATE FUNCTION funnel_opportunity_rollup_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A deal may change account: both accounts' audience rows are held.
    {_lock("SELECT account_id FROM old_rows UNION SELECT account_id FROM new_rows")}
    {_INTO}
        SELECT audience_id, owner_key, stage, forecast_category, on_day, sum(n), sum(amount), sum(weighted)
        FROM ({_fold("old_rows", "-1")} UNION ALL {_fold("new_rows", "1")})
            AS d (audience_id, owner_key, stage, forecast_category, on_day, n, amount, weighted)
        GROUP BY 1, 2, 3, 4, 5
    {_UPSERT};
    {_PRUNE}
    RETURN NULL;
END $$;
CREATE FUNCTION funnel_opportunity_rollup_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM funnel_opportunityrollup;
    RETURN NULL;
END $$;
CREATE TRIGGER funnel_opportunity_rollup_inserted AFTER INSERT ON funnel_opportunity
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_opportunity_rollup_inserted();
CREATE TRIGGER funnel_opportunity_rollup_deleted AFTER DELETE ON funnel_opportunity
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_opportunity_rollup_deleted();
CREATE TRIGGER funnel_opportunity_rollup_updated AFTER UPDATE ON funnel_opportunity
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_opportunity_rollup_updated();
CREATE TRIGGER funnel_opportunity_rollup_truncated AFTER TRUNCATE ON funnel_opportunity
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_opportunity_rollup_truncated();

-- Audience moves (funnel_audience_settle's upsert of funnel_accountaudience, which holds those
-- rows FOR NO KEY UPDATE): a new row moves its account from audience 0, a changed one from the old.
CREATE FUNCTION funnel_opportunity_rollup_audience_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_ARRIVED}
    RETURN NULL;
END $$;
CREATE FUNCTION funnel_opportunity_rollup_audience_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_MOVED}
    RETURN NULL;
END $$;
CREATE TRIGGER funnel_opportunity_rollup_audience_inserted AFTER INSERT ON funnel_accountaudience
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_opportunity_rollup_audience_inserted();
CREATE TRIGGER funnel_opportunity_rollup_audience_updated AFTER UPDATE ON funnel_accountaudience
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_opportunity_rollup_audience_updated();
"""  # noqa: S608 - SQL written here, no input

# Everything from scratch, from the opportunities and the accounts' audience rows as they stand.
# Used by the migration and by the seed (after rollups_sql.FILL).
FILL = (
    "DELETE FROM funnel_opportunityrollup",
    f"{_INTO} {_fold('funnel_opportunity', '1')}",
    "ANALYZE funnel_opportunityrollup",
)

BACKWARD = """
DROP TRIGGER IF EXISTS funnel_opportunity_rollup_inserted ON funnel_opportunity;
DROP TRIGGER IF EXISTS funnel_opportunity_rollup_deleted ON funnel_opportunity;
DROP TRIGGER IF EXISTS funnel_opportunity_rollup_updated ON funnel_opportunity;
DROP TRIGGER IF EXISTS funnel_opportunity_rollup_truncated ON funnel_opportunity;
DROP TRIGGER IF EXISTS funnel_opportunity_rollup_audience_inserted ON funnel_accountaudience;
DROP TRIGGER IF EXISTS funnel_opportunity_rollup_audience_updated ON funnel_accountaudience;
DROP FUNCTION IF EXISTS funnel_opportunity_rollup_inserted(), funnel_opportunity_rollup_deleted(),
    funnel_opportunity_rollup_updated(), funnel_opportunity_rollup_truncated(),
    funnel_opportunity_rollup_audience_inserted(), funnel_opportunity_rollup_audience_updated();
DROP TABLE IF EXISTS funnel_opportunityrollup;
"""

# The seed loads the opportunities with these off (and fills the audience rows anew), then runs FILL.
TRIGGERS = {
    "funnel_opportunity": (
        "funnel_opportunity_rollup_inserted",
        "funnel_opportunity_rollup_deleted",
        "funnel_opportunity_rollup_updated",
        "funnel_opportunity_rollup_truncated",
    ),
    "funnel_accountaudience": (
        "funnel_opportunity_rollup_audience_inserted",
        "funnel_opportunity_rollup_audience_updated",
    ),
}
