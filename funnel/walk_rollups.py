"""Reads of the stage-walk roll-up (funnel/walk_rollup_sql.py): the dashboard's stage statistics
from the walks pre-summed per account audience, owner and UTC day begun (issue 10 (a)).

Same figures as funnel.selectors._stage_statistics_sql over the same opportunities: visibility
and scope as in funnel/rollups.py (`_who`); the deals begun since the local midnight of `since`
are the roll-up's whole UTC days from the first one safely after that instant, plus the deals of
the hours before it read per deal; the open visits are closed with `now` in whole seconds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from funnel.domain import conversion, stages
from funnel.rollups import _who
from funnel.walk_rollup_sql import COLUMNS, MEASURES, measures

# A local midnight may sit in a daylight-saving fold (the date goes back an hour after it): the
# roll-up starts at the first UTC midnight at least this long after it; the deals before, per deal.
_FOLD_MARGIN = timedelta(hours=3)


def first_whole_day(since: date) -> tuple[datetime, date]:
    """(the instant of local midnight starting `since` in the current time zone, the first UTC day
    the roll-up answers for: its deals all began on a local date on or after `since`)."""
    boundary = timezone.make_aware(datetime.combine(since, time.min))
    return boundary, (boundary + _FOLD_MARGIN).astimezone(UTC).date() + timedelta(days=1)


def stage_statistics(
    *,
    user: User,
    scope,  # noqa: ANN001 - funnel.selectors.Scope (import cycle)
    opportunities: QuerySet,
    since: date,
    now: datetime,
) -> list[conversion.StageStatistics] | None:
    """funnel.domain.conversion's figures per stage (STAGES order) of `opportunities` (those of
    `scope` visible to `user`, begun on or after the local date `since`), in one statement: the
    roll-up's rows, the walks of the deals begun before its first whole UTC day, and a correction
    per deal whose open visit begins after `now` (normally none). `now` must be in whole seconds
    (ValueError otherwise). None when the roll-up cannot answer (a person who sees nothing): the
    caller reads the walks."""
    if now.microsecond:
        raise ValueError("now must be in whole seconds")
    who = _who(user, scope)
    if who is None:
        return None
    condition, who_params = who
    boundary, first_day = first_whole_day(since)
    start = datetime.combine(first_day, time.min, tzinfo=UTC)
    partial_sql, partial_params = (
        opportunities.filter(created_at__gte=boundary, created_at__lt=start)
        .order_by()
        .values_list("pk", "stage")
        .query.sql_with_params()
    )
    all_sql, all_params = opportunities.order_by().values_list("pk", "stage").query.sql_with_params()
    now_s = int(now.timestamp())
    zeros = ["0"] * len(MEASURES)
    late = ["0"]  # deals: no count; seconds: ceil(last_at) - now for open visits after now
    for stage in stages.STAGES:
        late += [
            *zeros[:4],
            "COALESCE(sum(ceil(extract(epoch FROM w.last_at))::bigint - %s) "
            f"FILTER (WHERE w.last_stage = '{stage}'), 0)",
            *zeros[5:],
        ]
    sql = f"""
        SELECT {", ".join(f"sum(r.{c})" for c in COLUMNS)}
        FROM funnel_walkrollup r WHERE {condition} AND r.created_day >= %s
        UNION ALL
        SELECT {", ".join(measures("w", "o", "1"))}
        FROM funnel_stagewalk w JOIN ({partial_sql}) AS o (id, stage) ON o.id = w.opportunity_id
        UNION ALL
        SELECT {", ".join(late)}
        FROM funnel_stagewalk w JOIN ({all_sql}) AS o (id, stage) ON o.id = w.opportunity_id
        WHERE w.last_at > %s
    """  # noqa: S608 - columns and stage codes written here, values bound
    params = [*who_params, first_day, *partial_params, *([now_s] * len(stages.STAGES)), *all_params, now]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        parts = cursor.fetchall()
    totals = [sum(int(part[i] or 0) for part in parts) for i in range(len(COLUMNS))]
    found = []
    for i, stage in enumerate(stages.STAGES):
        reached, advanced, won, visits, seconds, open_n, open_start = totals[1 + 7 * i : 8 + 7 * i]
        found.append(
            conversion.StageStatistics(stage, reached, advanced, won, visits, seconds + open_n * now_s - open_start)
        )
    return found
