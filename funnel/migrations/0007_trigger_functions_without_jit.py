"""Every trigger function of the schema runs without JIT (`ALTER FUNCTION … SET jit = off`).

The planner cannot estimate a transition table's size, so a statement over a few thousand
changed rows can cross `jit_above_cost` and spend seconds compiling a plan that runs in
milliseconds: a 10,000-deal hand-over spent 18.6 s of 21 s compiling the walk roll-up's trigger
(docs/benchmarks.md, issue 10). The walk roll-up's functions were created with the setting; this
sets it on the others (the access table's, the stage walks', the snapshot and opportunity
roll-ups', the account facts', the last visit's...). The setting holds for the functions they
call. funnel/tests/test_trigger_functions.py holds every trigger function, present and future, to
it. PostgreSQL only."""

from django.db import migrations

# Trigger functions of the public schema without the setting, each altered by its signature.
FORWARD = """
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype
          AND NOT COALESCE('jit=off' = ANY(p.proconfig), false)
    LOOP
        EXECUTE 'ALTER FUNCTION ' || f::text || ' SET jit = off';
    END LOOP;
END $$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


class Migration(migrations.Migration):
    # After every migration that creates trigger functions so far; later ones set it themselves.
    dependencies = [
        ("funnel", "0006_account_facts"),
        ("accounts", "0017_account_iso_stamps"),
        ("plans", "0019_plan_submitted_order"),
        ("tiering", "0007_score_run_covering_index"),
        ("integrations", "0006_importbatch_kind_from_registry"),
    ]

    # Backward leaves the setting: a plan without JIT is the same plan.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
