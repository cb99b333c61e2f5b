"""Loading what the tiering pipeline needs, with the aggregation done in the database.

One grouped query over the monthly order roll-up (and the orders of the months a window
boundary cuts) gives every account's window figures; a few small queries add payments,
contacts, assessments and the account tree. pandas only sees per-account rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from django.db import connection, transaction
from django.db.models import Aggregate, Max, Min, QuerySet

from accounts.models import Account, BuyingRole, Contact, Order, OrderMonth, Payment
from tiering.domain.config import FACTORS, TieringConfig
from tiering.models import Assessment

ORDER_COLUMNS = [
    "last_order_date",
    "frequency",
    "monetary",
    "margin",
    "frequency_prev",
    "max_single_order",
    "cumulative_volume",
]


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def window_months(previous_start: date, start: date, as_of: date) -> tuple[list[date], list[tuple[date, date]]]:
    """Split (previous_start, as_of] into whole months that lie in one window, read from the
    roll-up, and the date ranges (lo, hi] of the months cut by a boundary, read from orders."""
    whole: list[date] = []
    edges: list[tuple[date, date]] = []
    month = _month(previous_start + timedelta(days=1))
    while month <= as_of:
        last = _next_month(month) - timedelta(days=1)
        if (previous_start < month and last <= start) or (start < month and last <= as_of):
            whole.append(month)
        else:
            edges.append((max(month - timedelta(days=1), previous_start), min(last, as_of)))
        month = _next_month(month)
    return whole, edges


def order_aggregates(as_of: date, window_days: int) -> pd.DataFrame:
    """Per account, the figures of the window and the one before it (cancelled orders excluded).

    One grouped query over the monthly roll-up (`OrderMonth`, kept by triggers) for the months
    wholly inside a window, and over the orders themselves for the few months a window boundary
    cuts. Cumulative volume and the largest order cover both windows."""
    start = as_of - timedelta(days=window_days)
    previous_start = start - timedelta(days=window_days)
    whole, edges = window_months(previous_start, start, as_of)
    months_sql = f"month IN ({', '.join(['%s'] * len(whole))})" if whole else "1 = 0"
    edges_sql = " OR ".join(["(ordered_at > %s AND ordered_at <= %s)"] * len(edges)) or "1 = 0"
    # Scoring works in floats; summing float8 is several times cheaper than numeric.
    float_type = "float8" if connection.vendor == "postgresql" else "real"

    def real(column: str) -> str:
        return f"CAST({column} AS {float_type})"

    sql = f"""
        WITH parts (account_id, day, last_day, n, amount, margin, top) AS (
            SELECT account_id, month, last_ordered_at, orders, {real("amount")}, {real("margin")}, {real("max_amount")}
            FROM {OrderMonth._meta.db_table} WHERE {months_sql}
            UNION ALL
            SELECT account_id, ordered_at, ordered_at, 1, {real("amount")}, {real("margin")}, {real("amount")}
            FROM {Order._meta.db_table} WHERE status <> %s AND ({edges_sql})
        )
        SELECT account_id, max(last_day),
               sum(CASE WHEN day > %s THEN n ELSE 0 END), sum(CASE WHEN day > %s THEN amount END),
               sum(CASE WHEN day > %s THEN margin END), sum(CASE WHEN day <= %s THEN n ELSE 0 END),
               max(top), sum(amount)
        FROM parts GROUP BY account_id
    """  # noqa: S608 - only placeholders are interpolated
    params = [*whole, Order.Status.CANCELLED, *(d for edge in edges for d in edge), start, start, start, start]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One hash entry per account must fit in memory (else it spills to disk in batches),
            # and JIT-compiling this one-off query costs more than it saves.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        records = cursor.fetchall()
    frame = pd.DataFrame.from_records(records, columns=["account_id", *ORDER_COLUMNS])
    if connection.vendor != "postgresql":  # SQLite hands back dates as text
        frame["last_order_date"] = pd.to_datetime(frame["last_order_date"]).dt.date
    return frame.set_index("account_id")


def _per_account(rows: QuerySet, aggregate: Aggregate) -> dict[int, Any]:
    """{account_id: aggregate} over a filtered queryset, grouped in the database."""
    grouped = rows.values("account_id").annotate(value=aggregate).order_by()
    return dict(grouped.values_list("account_id", "value"))


def last_orders_before(as_of: date, account_ids: list[int]) -> pd.Series:
    """Latest order date on or before as_of of accounts that bought nothing in the last two
    windows: the roll-up's earlier months, and the orders of as_of's own month up to as_of."""
    month = _month(as_of)
    found: dict[int, date] = {}
    for offset in range(0, len(account_ids), 10_000):
        chunk = account_ids[offset : offset + 10_000]
        found.update(
            _per_account(OrderMonth.objects.filter(account_id__in=chunk, month__lt=month), Max("last_ordered_at"))
        )
        this_month = Order.objects.filter(account_id__in=chunk, ordered_at__gte=month, ordered_at__lte=as_of)
        # Later than anything of an earlier month.
        found.update(_per_account(this_month.exclude(status=Order.Status.CANCELLED), Max("ordered_at")))
    return pd.Series(found, dtype="object")


def worst_overdue_days(as_of: date, window_days: int) -> pd.Series:
    """Per account: days overdue of its oldest unpaid receivable (as the account page shows it).

    Only open items are read (a partial index holds them), so the nightly run does not scan
    the whole payment history."""
    oldest = _per_account(Payment.objects.filter(paid_on__isnull=True, due_on__lt=as_of), Min("due_on"))
    worst = {account_id: (as_of - due).days for account_id, due in oldest.items()}
    return pd.Series(worst, dtype="float64", name="max_overdue_days")


def fetch_frame(rows: QuerySet, columns: list[str]) -> pd.DataFrame:
    """A values_list query's rows as a frame in one fetch (the ORM fetches 100 rows a call and
    converts each value). Only for plain columns: values come as the driver gives them."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


def latest_assessments() -> pd.DataFrame:
    """The newest assessment of each account (older ones are history)."""
    columns = ["account_id", *FACTORS, "prospects_rating", "wallet_estimate", "strategic", "referred_customer"]
    rows = Assessment.objects.order_by("account_id", "-assessed_at", "-id").values_list(*columns)
    frame = fetch_frame(rows, columns)
    return frame.drop_duplicates("account_id", keep="first").set_index("account_id")


def decision_makers_contacted(as_of: date, days: int) -> set[int]:
    since = as_of - timedelta(days=days)
    return set(
        Contact.objects.filter(
            buying_role=BuyingRole.DECISION_MAKER,
            is_active=True,
            last_contacted_on__gt=since,
            last_contacted_on__lte=as_of,
        )
        .order_by()  # the default ordering would join accounts into the DISTINCT
        .values_list("account_id", flat=True)
        .distinct()
    )


def account_frame() -> pd.DataFrame:
    """Every account with its relationship type, current tier, and the root of its group."""
    rows = Account.objects.order_by("id").values_list("id", "parent_id", "relationship_type", "tier")
    frame = fetch_frame(rows, ["account_id", "parent_id", "relationship_type", "current_tier"]).set_index("account_id")
    frame["group_root"] = group_roots(frame["parent_id"])
    return frame


MAX_GROUP_DEPTH = 100


def group_roots(parent: pd.Series) -> pd.Series:
    """Root of each account's tree (itself when it has no parent), any depth, vectorised."""
    parent_of = parent.astype("Int64")
    root = pd.Series(parent.index.to_numpy(), index=parent.index)
    current = parent_of
    for _ in range(MAX_GROUP_DEPTH):
        climbing = current.notna()
        if not climbing.any():
            return root.astype("int64")
        root[climbing] = current[climbing].astype("int64")
        current = current.map(parent_of).astype("Int64")
    # Validation refuses cycles; data written around it must not hang the nightly run.
    raise ValueError(f"account group trees are cyclic or deeper than {MAX_GROUP_DEPTH} levels")


def scoring_inputs(as_of: date, config: TieringConfig) -> pd.DataFrame:
    """The pipeline's input frame, one row per account (see tiering.domain.pipeline.INPUT_COLUMNS)."""
    accounts = account_frame()
    frame = accounts.join(order_aggregates(as_of, config.window_days), how="left")
    frame["frequency"] = frame["frequency"].fillna(0).astype("int64")
    frame["frequency_prev"] = frame["frequency_prev"].fillna(0).astype("int64")
    for column in ("monetary", "margin", "max_single_order", "cumulative_volume"):
        frame[column] = frame[column].map(float, na_action="ignore").astype("float64").fillna(0.0)
    quiet = frame.index[frame["last_order_date"].isna()].tolist()
    if quiet:
        frame.loc[quiet, "last_order_date"] = last_orders_before(as_of, quiet).reindex(quiet).to_numpy()
    frame["last_order_date"] = pd.to_datetime(frame["last_order_date"])
    frame["max_overdue_days"] = worst_overdue_days(as_of, config.window_days).reindex(frame.index)
    assessed = latest_assessments().reindex(frame.index)
    for column in (*FACTORS, "prospects_rating", "strategic", "referred_customer"):
        frame[column] = assessed[column]
    frame["wallet_estimate"] = assessed["wallet_estimate"].map(float, na_action="ignore").astype("float64")
    contacted = decision_makers_contacted(as_of, config.position.decision_maker_days)
    frame["decision_maker_contacted"] = frame.index.isin(list(contacted))
    members = frame["group_root"].value_counts()
    frame["is_group"] = frame["group_root"].map(members).gt(1).to_numpy()
    frame["strategic"] = frame["strategic"].fillna(False).astype(bool)
    frame["referred_customer"] = frame["referred_customer"].fillna(False).astype(bool)
    return frame


def group_rollups(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per group (a root with members), its figures summed over the whole tree,
    indexed by the root account; the root's own assessment and relationship apply."""
    grouped = frame[frame["is_group"]].groupby("group_root")
    roll = grouped.agg(
        last_order_date=("last_order_date", "max"),
        frequency=("frequency", "sum"),
        monetary=("monetary", "sum"),
        margin=("margin", "sum"),
        frequency_prev=("frequency_prev", "sum"),
        max_single_order=("max_single_order", "max"),
        cumulative_volume=("cumulative_volume", "sum"),
        max_overdue_days=("max_overdue_days", "max"),
        decision_maker_contacted=("decision_maker_contacted", "any"),
    )
    own = frame.loc[roll.index]
    for column in (
        *FACTORS,
        "prospects_rating",
        "wallet_estimate",
        "strategic",
        "referred_customer",
        "relationship_type",
        "current_tier",
    ):
        roll[column] = own[column]
    roll["is_group"] = True
    roll.index.name = "account_id"
    return roll
