"""The PostgreSQL side of funnel.models.StageWalk: a function that folds the stage history of
given opportunities into their walk rows, statement-level triggers on the history that call it
for the opportunities a statement touched, and the one-statement fill of many walks at once.

Migration 0002 runs FORWARD and FILL; the seed runs FILL after loading the history with the
triggers off. The stage codes and the forward order are those of funnel.domain.stages (the
walk's columns are named after them); changing them needs a migration that reruns these.
"""

from __future__ import annotations

STAGES = ("first_contact", "needs_understood", "proposal", "negotiation", "signed", "paid", "lost")
ORDER = STAGES[:-1]  # the forward order; lost is no step

COLUMNS = [*(f"visits_{s}" for s in STAGES), *(f"seconds_{s}" for s in STAGES), "furthest", "last_stage", "last_at"]
_FURTHEST = "CASE c.to_stage " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(ORDER)) + " ELSE -1 END"


def _fold(where: str) -> str:
    """One walk row per opportunity from its history rows matching `where`, in (changed_at, id)
    order: a finished visit lasts until the next change (whole seconds); the last change has no
    next one (its visit is open: the reader closes it with `now`)."""
    visits = ", ".join(f"count(*) FILTER (WHERE c.to_stage = '{s}')" for s in STAGES)
    seconds = ", ".join(f"COALESCE(sum(c.seconds) FILTER (WHERE c.to_stage = '{s}'), 0)" for s in STAGES)
    return f"""
        SELECT c.opportunity_id, {visits}, {seconds}, max({_FURTHEST}),
               max(c.to_stage) FILTER (WHERE c.seconds IS NULL), max(c.changed_at)
        FROM (
            -- In this order the next change is never earlier; NULL marks the last change.
            SELECT h.opportunity_id, h.to_stage, h.changed_at,
                   FLOOR(EXTRACT(EPOCH FROM (
                       LEAD(h.changed_at) OVER (PARTITION BY h.opportunity_id ORDER BY h.changed_at, h.id)
                       - h.changed_at)))::bigint AS seconds
            FROM funnel_stagechange h WHERE {where}
        ) AS c
        GROUP BY c.opportunity_id
    """  # noqa: S608 - stage codes and a condition written here, no input


FORWARD = f"""
CREATE FUNCTION funnel_walks_refresh(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    -- Writers of one opportunity's history take turns here: the next statements then see
    -- every change committed before (a new snapshot per statement), so the walk is exact.
    SELECT 1 FROM funnel_opportunity WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM funnel_stagewalk w WHERE w.opportunity_id = ANY(ids)
        AND NOT EXISTS (SELECT 1 FROM funnel_stagechange h WHERE h.opportunity_id = w.opportunity_id);
    INSERT INTO funnel_stagewalk (opportunity_id, {", ".join(COLUMNS)})
    {_fold("h.opportunity_id = ANY(ids)")}
    ON CONFLICT (opportunity_id) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS)};
$$;

CREATE FUNCTION funnel_walks_history_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM funnel_walks_refresh(ARRAY(SELECT DISTINCT opportunity_id FROM new_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION funnel_walks_history_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM funnel_walks_refresh(ARRAY(
        SELECT opportunity_id FROM old_rows UNION SELECT opportunity_id FROM new_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION funnel_walks_history_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM funnel_walks_refresh(ARRAY(SELECT DISTINCT opportunity_id FROM old_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION funnel_walks_history_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM funnel_stagewalk;
    RETURN NULL;
END $$;

CREATE TRIGGER funnel_walks_inserted AFTER INSERT ON funnel_stagechange
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_walks_history_inserted();
CREATE TRIGGER funnel_walks_updated AFTER UPDATE ON funnel_stagechange
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_walks_history_updated();
CREATE TRIGGER funnel_walks_deleted AFTER DELETE ON funnel_stagechange
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_walks_history_deleted();
CREATE TRIGGER funnel_walks_truncated AFTER TRUNCATE ON funnel_stagechange
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_walks_history_truncated();
"""  # noqa: S608 - written here, no input

BACKWARD = """
DROP TRIGGER IF EXISTS funnel_walks_inserted ON funnel_stagechange;
DROP TRIGGER IF EXISTS funnel_walks_updated ON funnel_stagechange;
DROP TRIGGER IF EXISTS funnel_walks_deleted ON funnel_stagechange;
DROP TRIGGER IF EXISTS funnel_walks_truncated ON funnel_stagechange;
DROP FUNCTION IF EXISTS funnel_walks_history_inserted(), funnel_walks_history_updated(),
    funnel_walks_history_deleted(), funnel_walks_history_truncated(), funnel_walks_refresh(bigint[]);
"""

# The walks of every opportunity with id >= %s, statement by statement (no lock: the migration
# and the seed run alone); rows already there for those opportunities are replaced.
FILL = (
    "DELETE FROM funnel_stagewalk WHERE opportunity_id >= %s",
    f"INSERT INTO funnel_stagewalk (opportunity_id, {', '.join(COLUMNS)}) {_fold('h.opportunity_id >= %s')}",
)

# The seed loads the history with these triggers off, then runs FILL once.
TRIGGERS = ("funnel_walks_inserted", "funnel_walks_updated", "funnel_walks_deleted")
