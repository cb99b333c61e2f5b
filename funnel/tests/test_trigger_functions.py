"""Every trigger function runs without JIT (funnel/migrations/0007): a statement's transition
table has no statistics, so the planner's guess can send a small trigger query to seconds of
compiling (docs/benchmarks.md, issue 10). A trigger function added later without
`SET jit = off` fails here."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_every_trigger_function_runs_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("trigger functions are PostgreSQL's (SQLite has none of these)")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.proname, COALESCE('jit=off' = ANY(p.proconfig), false)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype
            """
        )
        functions = dict(cursor.fetchall())
    # The kinds of trigger the project has: the access table's, the walks', the roll-ups'.
    assert {"funnel_rollup_lines_inserted", "funnel_walks_history_inserted"} <= set(functions)
    assert sorted(name for name, without_jit in functions.items() if not without_jit) == []
