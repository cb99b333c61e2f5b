"""Reads of the snapshot roll-up (funnel/rollups_sql.py): the sums of the weekly snapshot lines
that the forecast-accuracy charts need, from the pre-summed rows of the accounts' audiences
instead of the lines themselves (issue 10 (a)).

Same figures as the lines read through `visible_to` and the scope (funnel.selectors._scoped):
visibility is `audience.users @> {user}` (the access table's rule, per account), the scope's
rep or team is the line's owner. Only on PostgreSQL and only for scopes without an account
filter (region, industry, tier: the roll-up does not know the account); otherwise `None`, and
the caller reads the lines.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from accounts.models import User
from accounts.visibility import figures_people_visible_to as people_visible_to
from accounts.visibility import sees_everything


def applies(scope) -> bool:  # noqa: ANN001 - funnel.selectors.Scope (import cycle)
    """Whether the roll-up answers for `scope` here: PostgreSQL, and no account filter."""
    return connection.vendor == "postgresql" and not (scope.region or scope.industry or scope.tier)


def _who(user: User, scope) -> tuple[str, list] | None:  # noqa: ANN001
    """The SQL condition on roll-up rows `r` for what `user` sees in `scope`, with its
    parameters; None when they see nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    conditions, params = [], []
    if not sees_everything(user):
        conditions.append("r.audience_id IN (SELECT u.id FROM funnel_audience u WHERE u.users @> ARRAY[%s]::bigint[])")
        params.append(user.pk)
    if scope.owner is not None:
        conditions.append("r.owner_key = %s")
        params.append(scope.owner.pk)
    elif scope.team is not None:
        conditions.append("r.owner_key IN (SELECT p.id FROM accounts_user p WHERE p.team_id = %s)")
        params.append(scope.team.pk)
    elif not sees_everything(user):
        people_sql, people_params = people_visible_to(user).order_by().values("pk").query.sql_with_params()
        conditions.append(f"r.owner_key IN ({people_sql})")
        params.extend(people_params)
    return " AND ".join(conditions) or "TRUE", params


def snapshot_sums(*, user: User, scope, closing: list[tuple[int, date, date]], per_owner: bool = False) -> list[dict]:  # noqa: ANN001
    """Per snapshot (and per owner with `per_owner`), the lines of snapshot `id` closing between
    `start` and `end` (whole months: quarters are) for each (id, start, end) in `closing`:
    dicts with snapshot_id (owner_id), commit, best (amounts, Decimal) and weighted (Σ amount ×
    probability, percent: divide by 100). Groups with no line are absent. One query."""
    who = _who(user, scope)
    if who is None or not closing:
        return []
    condition, params = who
    ranges = " OR ".join(["(r.snapshot_id = %s AND r.close_month BETWEEN %s AND %s)"] * len(closing))
    for snapshot_id, start, end in closing:
        assert start.day == 1, "the roll-up holds whole months"  # noqa: S101 - quarters start on the 1st
        params.extend([snapshot_id, start, end])
    owner = ", r.owner_key" if per_owner else ""
    sql = f"""
        SELECT r.snapshot_id{owner}, sum(r.commit), sum(r.best), sum(r.weighted)
        FROM funnel_snapshotrollup r
        WHERE {condition} AND ({ranges})
        GROUP BY r.snapshot_id{owner}
    """  # noqa: S608 - conditions written here, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if per_owner:
        return [
            {"snapshot_id": s, "owner_id": o or None, "commit": c, "best": b, "weighted": w} for s, o, c, b, w in rows
        ]
    return [{"snapshot_id": s, "commit": c, "best": b, "weighted": w} for s, c, b, w in rows]
