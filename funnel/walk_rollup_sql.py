"""The PostgreSQL side of the stage-walk roll-up (issue 10 (a)): the opportunities' stage walks
(funnel.models.StageWalk) summed per account audience, owner and UTC day begun, kept exact by
statement-level triggers, so the dashboard's stage statistics read a few thousand pre-summed
rows instead of probing the ~300k walks of a scope's four quarters.

Table (PostgreSQL only; SQLite folds the history, funnel.selectors._stage_statistics_python):
  funnel_walkrollup (audience_id, owner_key, created_day) -> deals, and per stage `s` of
      walks_sql.STAGES:
      reached_s     deals with a visit to s (visits_s > 0);
      advanced_s    of those, the ones whose furthest step is past s (0 for lost: no step);
      won_s         of those, the ones whose opportunity's stage is won (signed, paid);
      visits_s, seconds_s   Σ visits and Σ whole seconds of the finished visits;
      open_n_s      deals whose last stage (the open visit) is s;
      open_start_s  Σ ceil(epoch seconds of last_at) of those deals.
  audience_id is the account's (funnel_accountaudience, funnel/rollups_sql.py; 0 without a row),
  owner_key the opportunity's owner or 0, created_day the UTC date of its created_at (a trigger
  does not know the Django time zone; the reader takes the partial UTC day at its boundary per
  deal). With `now` in whole seconds, a deal's open visit lasts floor(now - last_at) =
  now - ceil(epoch(last_at)) seconds, so a group's is open_n × now - open_start, exact for every
  deal whose last_at is not after now (the reader corrects the others, per deal).

Invariant: the roll-up is the sum over (walk JOIN opportunity LEFT JOIN account audience). Every
statement changes one table, and its trigger folds the old rows out (-1) and the new rows in (+1)
joined with the current rows of the others:
  funnel_stagewalk      insert, update (the history triggers' upsert), delete (walks_sql.py
                        deletes a walk whose history went), truncate;
  funnel_opportunity    insert, delete, truncate, and updates that change the owner, the account,
                        created_at or whether the stage is won;
  funnel_accountaudience insert (from audience 0), update, delete (to audience 0): the moves of
                        funnel_audience_settle (rollups_sql.py), which stays as it is; truncate
                        (the old audiences unknown) folds everything again.
Walk and opportunity writers take the accounts' audience rows FOR SHARE first (rollups_sql._lock),
so a settle in flight and a fold wait for each other; writes to one opportunity's walk and row
are serialised by its row lock (funnel_walks_refresh takes it FOR NO KEY UPDATE).

Migration 0005 runs FORWARD and FILL; the seed loads with TRIGGERS off and runs FILL at the end.
"""

from __future__ import annotations

from funnel.walks_sql import ORDER, STAGES

WON = ("signed", "paid")  # funnel.domain.stages.WON_STAGES (a test checks they agree)
MEASURES = ("reached", "advanced", "won", "visits", "seconds", "open_n", "open_start")
COLUMNS = ["deals", *(f"{m}_{s}" for s in STAGES for m in MEASURES)]
_WON_SQL = ", ".join(f"'{s}'" for s in WON)
_KEY = "audience_id, owner_key, created_day"


def measures(w: str, o: str, sign: str) -> list[str]:
    """The roll-up's sums (in COLUMNS order) over walks `w` joined with their opportunities `o`,
    each deal counted with `sign` (an SQL expression: 1, -1 or a column)."""

    def count(condition: str) -> str:
        return f"sum(CASE WHEN {condition} THEN {sign} ELSE 0 END)"

    out = [f"sum({sign})"]
    for stage in STAGES:
        visited = f"{w}.visits_{stage} > 0"
        furthest = f"{visited} AND {w}.furthest > {ORDER.index(stage)}" if stage in ORDER else "false"
        out += [
            count(visited),
            count(furthest),
            count(f"{visited} AND {o}.stage IN ({_WON_SQL})"),
            f"sum({sign} * {w}.visits_{stage})",
            f"sum({sign} * {w}.seconds_{stage})",
            count(f"{w}.last_stage = '{stage}'"),
            f"sum(CASE WHEN {w}.last_stage = '{stage}' THEN {sign} * ceil(extract(epoch FROM {w}.last_at))::bigint "
            "ELSE 0 END)",
        ]
    return out


def _day(o: str) -> str:
    return f"({o}.created_at AT TIME ZONE 'UTC')::date"


def _fold(walks: str, opportunities: str, sign: str) -> str:
    """SELECT of roll-up deltas: walks `walks` joined with opportunities `opportunities` (tables
    or transition tables) and the accounts' audiences, each deal counted with `sign`."""
    return f"""
        SELECT COALESCE(c.audience_id, 0), COALESCE(o.owner_id, 0), {_day("o")}, {", ".join(measures("w", "o", sign))}
        FROM {walks} w JOIN {opportunities} o ON o.id = w.opportunity_id
        LEFT JOIN funnel_accountaudience c ON c.account_id = o.account_id
        GROUP BY 1, 2, 3
    """  # noqa: S608 - table names written here


_INTO = f"INSERT INTO funnel_walkrollup AS r ({_KEY}, {', '.join(COLUMNS)})"
_UPSERT = f"ON CONFLICT ({_KEY}) DO UPDATE SET " + ", ".join(f"{c} = r.{c} + EXCLUDED.{c}" for c in COLUMNS) + ";"
# Rows whose deals all went: dropped, through the partial index on deals = 0.
_PRUNE = "DELETE FROM funnel_walkrollup WHERE deals = 0;"


def _regrouped(*selects: str) -> str:
    """The deltas of `selects` summed per key (one upsert may not touch a row twice)."""
    union = " UNION ALL ".join(f"({s})" for s in selects)
    sums = ", ".join(f"sum({c})" for c in COLUMNS)
    return f"SELECT a, o, d, {sums} FROM ({union}) AS x (a, o, d, {', '.join(COLUMNS)}) GROUP BY 1, 2, 3"  # noqa: S608


def _lock(accounts: str) -> str:
    """Hold the audience rows of the accounts `accounts` (a SELECT of account ids) FOR SHARE until
    commit, as rollups_sql._lock does for the snapshot lines."""
    return (
        "PERFORM 1 FROM funnel_accountaudience c "  # noqa: S608 - written here
        f"WHERE c.account_id IN ({accounts}) ORDER BY c.account_id FOR SHARE;"
    )


def _walk_accounts(rows: str) -> str:
    return f"SELECT o.account_id FROM {rows} w JOIN funnel_opportunity o ON o.id = w.opportunity_id"  # noqa: S608


# Opportunity updates that move a deal's walk: owner, account, created_at or won-ness changed.
_MOVED = f"""
    SELECT n.id FROM old_rows p JOIN new_rows n ON n.id = p.id
    WHERE p.owner_id IS DISTINCT FROM n.owner_id OR p.account_id <> n.account_id
       OR p.created_at <> n.created_at OR (p.stage IN ({_WON_SQL})) <> (n.stage IN ({_WON_SQL}))
"""  # noqa: S608 - written here
_MOVED_OLD = f"(SELECT * FROM old_rows WHERE id IN ({_MOVED}))"  # noqa: S608 - written here
_MOVED_NEW = f"(SELECT * FROM new_rows WHERE id IN ({_MOVED}))"  # noqa: S608 - written here
# Accounts whose audience a statement on funnel_accountaudience changed: (account, old, new).
_MOVES = {
    "inserted": "SELECT account_id, 0, audience_id FROM new_rows WHERE audience_id <> 0",
    "updated": "SELECT n.account_id, p.audience_id, n.audience_id FROM old_rows p JOIN new_rows n "
    "ON n.account_id = p.account_id WHERE n.audience_id <> p.audience_id",
    "deleted": "SELECT account_id, audience_id, 0 FROM old_rows WHERE audience_id <> 0",
}


def _move(moves: str) -> str:
    """The upsert moving the walks of the accounts in `moves` (account, old, new audience)."""
    return f"""
        {_INTO}
        SELECT s.audience_id, COALESCE(o.owner_id, 0), {_day("o")}, {", ".join(measures("w", "o", "s.sign"))}
        FROM ({moves}) AS m (account_id, old_id, new_id)
        CROSS JOIN LATERAL (VALUES (m.old_id, -1), (m.new_id, 1)) AS s (audience_id, sign)
        JOIN funnel_opportunity o ON o.account_id = m.account_id
        JOIN funnel_stagewalk w ON w.opportunity_id = o.id
        GROUP BY 1, 2, 3
        {_UPSERT}
        {_PRUNE}
    """  # noqa: S608 - written here


def _function(name: str, body: str) -> str:
    """A trigger function running `body`. Without JIT: the planner knows nothing of a transition
    table's size, guesses millions of joined rows and would compile for seconds (measured: 18.6 s
    of a 10k-row owner change's 21 s) what runs in milliseconds."""
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    {body}
    RETURN NULL;
END $$;"""


_MEASURE_COLUMNS = ", ".join(f"{c} bigint NOT NULL" for c in COLUMNS)

FORWARD = f"""
CREATE TABLE funnel_walkrollup (
    audience_id integer NOT NULL, owner_key bigint NOT NULL, created_day date NOT NULL, {_MEASURE_COLUMNS},
    PRIMARY KEY ({_KEY})
);
CREATE INDEX funnel_walkrollup_empty ON funnel_walkrollup (audience_id) WHERE deals = 0;
-- The reader's per-deal parts: walks whose open visit began after `now`, deals of one UTC day.
CREATE INDEX funnel_stagewalk_last_at ON funnel_stagewalk (last_at);
CREATE INDEX funnel_opportunity_created_at ON funnel_opportunity (created_at);
{
    _function(
        "funnel_walkrollup_walks_inserted",
        f'''
    {_lock(_walk_accounts("new_rows"))}
    {_INTO} {_fold("new_rows", "funnel_opportunity", "1")} {_UPSERT}''',
    )
}
{
    _function(
        "funnel_walkrollup_walks_deleted",
        f'''
    {_lock(_walk_accounts("old_rows"))}
    {_INTO} {_fold("old_rows", "funnel_opportunity", "-1")} {_UPSERT}
    {_PRUNE}''',
    )
}
{
    _function(
        "funnel_walkrollup_walks_updated",
        f'''
    {_lock(_walk_accounts("old_rows"))}
    {_INTO} {_regrouped(_fold("old_rows", "funnel_opportunity", "-1"), _fold("new_rows", "funnel_opportunity", "1"))}
    {_UPSERT}
    {_PRUNE}''',
    )
}
{
    _function(
        "funnel_walkrollup_opportunities_inserted",
        f'''
    {_lock("SELECT account_id FROM new_rows")}
    {_INTO} {_fold("funnel_stagewalk", "new_rows", "1")} {_UPSERT}''',
    )
}
{
    _function(
        "funnel_walkrollup_opportunities_deleted",
        f'''
    {_lock("SELECT account_id FROM old_rows")}
    {_INTO} {_fold("funnel_stagewalk", "old_rows", "-1")} {_UPSERT}
    {_PRUNE}''',
    )
}
{
    _function(
        "funnel_walkrollup_opportunities_updated",
        f'''
    IF NOT EXISTS ({_MOVED}) THEN RETURN NULL; END IF;
    {_lock(f"SELECT account_id FROM {_MOVED_OLD} p UNION SELECT account_id FROM {_MOVED_NEW} n")}
    {_INTO} {_regrouped(_fold("funnel_stagewalk", _MOVED_OLD, "-1"), _fold("funnel_stagewalk", _MOVED_NEW, "1"))}
    {_UPSERT}
    {_PRUNE}''',
    )
}
{_function("funnel_walkrollup_emptied", "DELETE FROM funnel_walkrollup;")}
{
    _function(
        "funnel_walkrollup_refilled",
        f"DELETE FROM funnel_walkrollup; {_INTO} {_fold('funnel_stagewalk', 'funnel_opportunity', '1')};",
    )
}
{"".join(_function(f"funnel_walkrollup_audience_{kind}", _move(moves)) for kind, moves in _MOVES.items())}

CREATE TRIGGER funnel_walkrollup_walks_inserted AFTER INSERT ON funnel_stagewalk
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_walks_inserted();
CREATE TRIGGER funnel_walkrollup_walks_deleted AFTER DELETE ON funnel_stagewalk
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_walks_deleted();
CREATE TRIGGER funnel_walkrollup_walks_updated AFTER UPDATE ON funnel_stagewalk
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_walks_updated();
CREATE TRIGGER funnel_walkrollup_walks_truncated AFTER TRUNCATE ON funnel_stagewalk
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_emptied();
CREATE TRIGGER funnel_walkrollup_opportunities_inserted AFTER INSERT ON funnel_opportunity
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_opportunities_inserted();
CREATE TRIGGER funnel_walkrollup_opportunities_deleted AFTER DELETE ON funnel_opportunity
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_opportunities_deleted();
CREATE TRIGGER funnel_walkrollup_opportunities_updated AFTER UPDATE ON funnel_opportunity
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_opportunities_updated();
CREATE TRIGGER funnel_walkrollup_opportunities_truncated AFTER TRUNCATE ON funnel_opportunity
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_emptied();
CREATE TRIGGER funnel_walkrollup_audience_inserted AFTER INSERT ON funnel_accountaudience
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_audience_inserted();
CREATE TRIGGER funnel_walkrollup_audience_updated AFTER UPDATE ON funnel_accountaudience
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_audience_updated();
CREATE TRIGGER funnel_walkrollup_audience_deleted AFTER DELETE ON funnel_accountaudience
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_audience_deleted();
-- Emptied at once (the old rows unknown): everything folded again.
CREATE TRIGGER funnel_walkrollup_audience_truncated AFTER TRUNCATE ON funnel_accountaudience
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_walkrollup_refilled();
"""  # noqa: S608 - SQL written here, no input

# Everything from scratch: every walk with its opportunity folded in. Used by the migration and
# by the seed after loading with TRIGGERS off (and after rollups_sql.FILL: it reads the audiences).
FILL = (
    "DELETE FROM funnel_walkrollup",
    f"{_INTO} {_fold('funnel_stagewalk', 'funnel_opportunity', '1')}",
    "ANALYZE funnel_walkrollup",
)

# (table, trigger) of every trigger that keeps the roll-up: the seed turns them off and back on.
TRIGGERS = (
    *(("funnel_stagewalk", f"funnel_walkrollup_walks_{k}") for k in ("inserted", "deleted", "updated", "truncated")),
    *(
        ("funnel_opportunity", f"funnel_walkrollup_opportunities_{k}")
        for k in ("inserted", "deleted", "updated", "truncated")
    ),
    *(
        ("funnel_accountaudience", f"funnel_walkrollup_audience_{k}")
        for k in ("inserted", "updated", "deleted", "truncated")
    ),
)

BACKWARD = (
    "".join(f"DROP TRIGGER IF EXISTS {name} ON {table};\n" for table, name in TRIGGERS)
    + "DROP FUNCTION IF EXISTS "
    + ", ".join(
        f"{name}()"
        for name in (
            *(f"funnel_walkrollup_walks_{k}" for k in ("inserted", "deleted", "updated")),
            *(f"funnel_walkrollup_opportunities_{k}" for k in ("inserted", "deleted", "updated")),
            *(f"funnel_walkrollup_audience_{k}" for k in _MOVES),
            "funnel_walkrollup_emptied",
            "funnel_walkrollup_refilled",
        )
    )
    + ";\nDROP INDEX IF EXISTS funnel_stagewalk_last_at, funnel_opportunity_created_at;"
    + "\nDROP TABLE IF EXISTS funnel_walkrollup;\n"
)
