"""Reads of the roll-ups by account audience (issue 10 (a)): the sums of the weekly snapshot
lines that the forecast-accuracy charts need (funnel/rollups_sql.py) and the sums of the live
opportunities that the dashboard's opportunity pass and the won deals per rep need
(funnel/opportunity_rollup_sql.py), from the pre-summed rows of the accounts' audiences instead
of the rows themselves.

Same figures as the rows read through `visible_to` and the scope (funnel.selectors._scoped):
visibility is `audience.users @> {user}` (the access table's rule, per account), the scope's
rep or team is the line's or deal's owner. Only on PostgreSQL and only for scopes without an account
filter (region, industry, tier: the roll-up does not know the account); otherwise `None`, and
the caller reads the lines or the deals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection

from accounts.models import User
from accounts.visibility import figures_people_visible_to as people_visible_to
from accounts.visibility import sees_everything
from funnel.opportunity_rollup_sql import OPEN, WON


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


def opportunity_sums(*, user: User, scope, first: date, last: date) -> list[tuple]:  # noqa: ANN001
    """The deals of `scope` that `user` sees, summed per (stage, forecast category, day): every
    open one, and the closed ones closed from `first` to `last` (whole months: quarters are).
    Tuples (stage, forecast_category, on_day, n, amount, weighted): forecast_category '' for
    closed deals; on_day the first day of the expected close month for an open deal (None when
    it has none), the closing day for a won one, the first day of the closing month for a lost
    one; amount Σ amount and weighted Σ amount × probability (percent: divide by 100), Decimal.
    Groups with no deal are absent. One query."""
    who = _who(user, scope)
    if who is None:
        return []
    assert first.day == 1, "the roll-up holds lost deals by month"  # noqa: S101 - quarters start on the 1st
    condition, params = who
    sql = f"""
        SELECT r.stage, r.forecast_category, CASE WHEN r.on_day = 'infinity' THEN NULL ELSE r.on_day END,
               sum(r.n), sum(r.amount), sum(r.weighted)
        FROM funnel_opportunityrollup r
        WHERE {condition} AND (r.stage IN ({OPEN}) OR r.on_day BETWEEN %s AND %s)
        GROUP BY r.stage, r.forecast_category, r.on_day
    """  # noqa: S608 - conditions and stage codes written here, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, first, last])
        return [(stage, category, day, int(n), total, weighted) for stage, category, day, n, total, weighted in cursor]


def won_per_owner(
    *,
    user: User,
    scope,  # noqa: ANN001
    quarters: list[tuple[str, date, date]],
    early: list[tuple[date, date]],
) -> list[dict]:
    """The won deals of `scope` that `user` sees, closed in one of `quarters` ((label, start,
    end), whole days), per owner and quarter: dicts with owner_id (None for no owner),
    quarter_label, total (Σ amount, Decimal) and early (Σ amount of those closed within one of
    the `early` (start, end) day ranges, Decimal; ZERO when none). Groups with no deal are
    absent. One query: what funnel.selectors_reps.rep_accuracy reads from the deals."""
    who = _who(user, scope)
    if who is None or not quarters:
        return []
    condition, params = who
    which = " ".join(["WHEN r.on_day BETWEEN %s AND %s THEN %s"] * len(quarters))
    within = " OR ".join(["r.on_day BETWEEN %s AND %s"] * len(early)) or "FALSE"
    sql = f"""
        SELECT r.owner_key, CASE {which} END AS quarter_label, sum(r.amount),
               COALESCE(sum(r.amount) FILTER (WHERE {within}), 0)
        FROM funnel_opportunityrollup r
        WHERE {condition} AND r.stage IN ({WON}) AND r.on_day BETWEEN %s AND %s
        GROUP BY 1, 2
    """  # noqa: S608 - conditions and stage codes written here, values bound
    values = [
        *(v for _label, start, end in quarters for v in (start, end, _label)),
        *(v for span in early for v in span),
        *params,
        min(start for _label, start, _end in quarters),
        max(end for _label, _start, end in quarters),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    return [
        {"owner_id": o or None, "quarter_label": label, "total": total, "early": early_sum or Decimal(0)}
        for o, label, total, early_sum in rows
    ]
