"""Every account's order figures over the tiering window and the window before it.

The figures come from the monthly order roll-up (`accounts.OrderMonth`, kept exact by
triggers) wherever a month's row answers the question, and from the orders themselves only
where it cannot. With D = as of, S = D − W and P = S − W, the two windows are (P, S] and
(S, D]. `window_plan` decides, month by month:

- a month wholly inside one window: its roll-up row;
- the month S cuts in two (both halves inside the two windows): its roll-up row counted in
  one window, and the orders of its shorter half moved to the other window (count, amount
  and margin; the largest order and last date of the month stay right for both together);
- the month of D, when D cuts it: its roll-up row, for every account with no order after D
  in that month (the nightly case: nobody has one), and the orders up to D for the others;
- any other cut month (the month of P, and short windows): its orders in the range.

So a nightly run reads about three weeks of orders on average instead of two months. Sums are of whole
cents (see `accounts.order_months`), exact, so moving orders between windows leaves no
residue; they become currency units for scoring once per account.
"""

# ruff: noqa: S608 - the SQL here interpolates constant names, placeholders and integer ids only

from __future__ import annotations

from datetime import date

import pandas as pd
from django.db import connection, transaction

from accounts.models import Order, OrderMonth
from kam.pg_copy import read_frame
from tiering.domain.windows import WindowPlan, month_end, month_start, window_plan

ORDER_COLUMNS = [
    "last_order_date",
    "frequency",
    "monetary",
    "margin",
    "frequency_prev",
    "max_single_order",
    "cumulative_volume",
    "margin_unknown",
]

# Above this many accounts with orders after as_of in its month (a run for a past date),
# the month of as_of is read order by order.
MAX_LATER_ACCOUNTS = 1_000


def _accounts_ordering_after(as_of: date) -> list[int]:
    """Accounts with an order (not cancelled) later than as_of in as_of's month."""
    later = Order.objects.filter(ordered_at__gt=as_of, ordered_at__lte=month_end(as_of))
    return list(later.exclude(status=Order.Status.CANCELLED).order_by().values_list("account_id", flat=True).distinct())


def _rollup_branch(plan: WindowPlan, later: list[int] | None) -> tuple[str, list]:
    """Roll-up rows; those from `current_from` on count in the current window."""
    if not plan.months:
        return _EMPTY, []
    where, params = f"month IN ({', '.join(['%s'] * len(plan.months))})", list(plan.months)
    if later:  # accounts with orders after as_of: their month of as_of comes from the orders
        where += (
            " AND month <> %s" if len(later) > MAX_LATER_ACCOUNTS else f" AND NOT (month = %s AND {_in_list(later)})"
        )
        params.append(month_start(plan.as_of_month[1]))
    current = "month >= %s" if plan.current_from else "1 = 0"
    cases = [plan.current_from] * 5 if plan.current_from else []
    sql = (
        f"SELECT account_id, last_ordered_at, CASE WHEN {current} THEN orders ELSE 0 END, "
        f"CASE WHEN {current} THEN amount_cents ELSE 0 END, CASE WHEN {current} THEN margin_cents ELSE 0 END, "
        f"CASE WHEN {current} THEN 0 ELSE orders END, max_amount_cents, amount_cents, "
        f"CASE WHEN {current} THEN margin_unknown ELSE 0 END "
        f"FROM {OrderMonth._meta.db_table} WHERE {where}"
    )
    return sql, [*cases, *params]


def _orders_branch(plan: WindowPlan, later: list[int] | None) -> tuple[str, list]:
    """Orders of the cut months, each counted in its own window."""
    ranges, params = ["ordered_at > %s AND ordered_at <= %s"] * len(plan.cut), [d for edge in plan.cut for d in edge]
    if later:
        accounts = "" if len(later) > MAX_LATER_ACCOUNTS else f" AND {_in_list(later)}"
        ranges.append(f"ordered_at > %s AND ordered_at <= %s{accounts}")
        params += list(plan.as_of_month)
    if not ranges:
        return _EMPTY, []
    # Purchases (amount > 0) count and date; every order adds its (net) money; see accounts.order_months.
    current, amount, margin = "ordered_at > %s", _cents("amount"), f"coalesce({_cents('margin')}, 0)"
    sql = (
        f"SELECT account_id, CASE WHEN amount > 0 THEN ordered_at END, "
        f"CASE WHEN {current} AND amount > 0 THEN 1 ELSE 0 END, "
        f"CASE WHEN {current} THEN {amount} ELSE 0 END, CASE WHEN {current} THEN {margin} ELSE 0 END, "
        f"CASE WHEN {current} OR amount <= 0 THEN 0 ELSE 1 END, CASE WHEN amount > 0 THEN {amount} END, {amount}, "
        f"CASE WHEN {current} AND margin IS NULL THEN 1 ELSE 0 END "
        f"FROM {Order._meta.db_table} WHERE status <> %s AND ({' OR '.join(f'({r})' for r in ranges)})"
    )
    return sql, [plan.start] * 5 + [Order.Status.CANCELLED, *params]


def _moved_branch(plan: WindowPlan) -> tuple[str, list]:
    """The shorter half of the month S cuts, moved from the window the roll-up row counts it in."""
    if plan.moved is None:
        return _EMPTY, []
    sign = plan.moved.sign
    purchase = "CASE WHEN amount > 0 THEN 1 ELSE 0 END"
    sql = (
        f"SELECT account_id, CAST(NULL AS date), {sign} * {purchase}, {sign} * {_cents('amount')}, "
        f"{sign} * coalesce({_cents('margin')}, 0), {-sign} * {purchase}, CAST(NULL AS {_float()}), "
        f"CAST(0 AS {_float()}), {sign} * CASE WHEN margin IS NULL THEN 1 ELSE 0 END "
        f"FROM {Order._meta.db_table} WHERE status <> %s AND ordered_at > %s AND ordered_at <= %s"
    )
    return sql, [Order.Status.CANCELLED, plan.moved.lo, plan.moved.hi]


_EMPTY = "SELECT NULL, NULL, 0, 0, 0, 0, NULL, 0, 0 WHERE 1 = 0"


def _float() -> str:
    return "float8" if connection.vendor == "postgresql" else "real"


def _cents(column: str) -> str:
    """An order's money column in whole cents, as the roll-up keeps it."""
    if connection.vendor == "postgresql":
        return f"CAST({column} * 100 AS float8)"
    return f"round({column} * 100)"  # SQLite keeps decimals as doubles


def _in_list(ids: list[int]) -> str:
    return f"account_id IN ({', '.join(str(int(i)) for i in ids)})"


def order_aggregates(as_of: date, window_days: int) -> pd.DataFrame:
    """Per account, the figures of the window and the one before it (cancelled orders excluded),
    in one grouped query (see the module's text for which months come from where).
    Cumulative volume and the largest order cover both windows."""
    plan = window_plan(as_of=as_of, window_days=window_days)
    later = _accounts_ordering_after(as_of) if plan.as_of_month else None
    branches = [_rollup_branch(plan, later), _orders_branch(plan, later), _moved_branch(plan)]
    union = "\n UNION ALL ".join(sql for sql, _ in branches)
    sql = f"""
        WITH parts (account_id, last_day, n, amount, margin, n_prev, top, volume, unknown) AS ({union})
        SELECT account_id, max(last_day), sum(n), sum(amount) / 100, sum(margin) / 100, sum(n_prev),
               max(top) / 100, sum(volume) / 100, sum(unknown)
        FROM parts GROUP BY account_id
    """
    params = [value for _, values in branches for value in values]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # One hash entry per account must fit in memory (else it spills to disk in
                # batches), and JIT-compiling this one-off query costs more than it saves.
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute("SET LOCAL jit = off")
        frame = read_frame(sql, params, ["account_id", *ORDER_COLUMNS])
    frame["last_order_date"] = pd.to_datetime(frame["last_order_date"])  # SQLite gives text
    return frame.set_index("account_id")
