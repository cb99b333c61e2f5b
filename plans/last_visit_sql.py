"""The PostgreSQL triggers that keep plans.LastVisit (migration 0017), named for the bulk loads
that must switch them off, and the one-statement fill that replaces them after such a load.

Why: the triggers look up each touched account's newest visit through the activity indexes; a
bulk load (kam.pg_copy bulk_mode) drops those indexes for its COPYs, so each 50,000-row COPY
would scan the whole table once per account it touched (the seed at 2,000,000 activities went
from minutes to hours). The load switches them off and runs FILL once, indexes restored.
The triggers of plans/0018 on plans_lastvisit itself stay on: FILL's rows reach their copies on
the account rows (`accounts_account.last_visit_at`) in one statement each.
"""

from __future__ import annotations

TRIGGERS = (
    "plans_activities_inserted_last_visit",
    "plans_activities_updated_last_visit",
    "plans_activities_deleted_last_visit",
)

# The same rows the triggers keep (0017's fill): each account's newest visit.
FILL = (
    "DELETE FROM plans_lastvisit",
    "INSERT INTO plans_lastvisit (account_id, occurred_at) "
    "SELECT account_id, max(occurred_at) FROM plans_activity WHERE type = 'visit' GROUP BY account_id",
)
