"""Loading what the tiering pipeline needs, with the aggregation done in the database.

One grouped query over the monthly order roll-up (and a few days of orders where a window
boundary cuts a month; see `tiering.window_figures`) gives every account's window figures; a
few small queries add payments, contacts, assessments and the account tree. pandas only sees
per-account rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from django.db.models import Aggregate, Max, Min, QuerySet

from accounts.models import Account, BuyingRole, Contact, Order, OrderMonth, Payment
from kam.background import read_in_background
from kam.bulk import read_frame
from tiering.domain.config import FACTORS, TieringConfig
from tiering.models import Assessment
from tiering.window_figures import order_aggregates


def _month(day: date) -> date:
    return day.replace(day=1)


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
    """A values_list query's rows as a frame in one go (see kam.bulk.read_frame)."""
    sql, params = rows.query.sql_with_params()
    return read_frame(sql, params, columns)


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
    # The order aggregate is the long query: the database runs it while the rest are read here.
    with read_in_background(lambda: order_aggregates(as_of, config.window_days)) as orders:
        accounts = account_frame()
        overdue = worst_overdue_days(as_of, config.window_days)
        assessed = latest_assessments().reindex(accounts.index)
        contacted = decision_makers_contacted(as_of, config.position.decision_maker_days)
        frame = accounts.join(orders(), how="left")
    frame["frequency"] = frame["frequency"].fillna(0).astype("int64")
    frame["frequency_prev"] = frame["frequency_prev"].fillna(0).astype("int64")
    for column in ("monetary", "margin", "max_single_order", "cumulative_volume"):
        frame[column] = frame[column].astype("float64").fillna(0.0)
    quiet = frame.index[frame["last_order_date"].isna()].tolist()
    if quiet:
        earlier = pd.to_datetime(last_orders_before(as_of, quiet).reindex(quiet))
        frame.loc[quiet, "last_order_date"] = earlier.to_numpy(dtype=frame["last_order_date"].dtype)
    frame["max_overdue_days"] = overdue.reindex(frame.index)
    for column in (*FACTORS, "prospects_rating", "strategic", "referred_customer"):
        frame[column] = assessed[column]
    frame["wallet_estimate"] = assessed["wallet_estimate"].astype("float64")
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
