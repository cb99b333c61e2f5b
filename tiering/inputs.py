"""Loading what the tiering pipeline needs, with the aggregation done in the database.

One grouped query over the monthly order roll-up (and a few days of orders where a window
boundary cuts a month; see `tiering.window_figures`) gives every account's window figures; a
second query adds payments, contacts, assessments and the account tree. pandas only sees
per-account rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from django.db.models import Aggregate, Max, QuerySet

from accounts.models import Account, BuyingRole, Contact, Order, OrderMonth, Payment
from kam.background import read_in_background
from kam.pg_copy import read_frame
from tiering.domain.config import FACTORS, TieringConfig
from tiering.domain.groups import group_trees
from tiering.domain.windows import month_start
from tiering.models import Assessment
from tiering.window_figures import order_aggregates


def _per_account(rows: QuerySet, aggregate: Aggregate) -> dict[int, Any]:
    """{account_id: aggregate} over a filtered queryset, grouped in the database."""
    grouped = rows.values("account_id").annotate(value=aggregate).order_by()
    return dict(grouped.values_list("account_id", "value"))


def last_orders_before(as_of: date, account_ids: list[int], previous_start: date) -> pd.Series:
    """Latest order date on or before as_of of accounts that bought nothing in the last two
    windows (previous_start, as_of]: the roll-up's earlier months, and the orders of as_of's
    own month that precede both windows (none unless the windows are shorter than a month)."""
    month = month_start(as_of)
    found: dict[int, date] = {}
    for offset in range(0, len(account_ids), 10_000):
        chunk = account_ids[offset : offset + 10_000]
        found.update(
            _per_account(OrderMonth.objects.filter(account_id__in=chunk, month__lt=month), Max("last_ordered_at"))
        )
        if month <= previous_start:
            early = Order.objects.filter(
                account_id__in=chunk, ordered_at__gte=month, ordered_at__lte=previous_start, amount__gt=0
            )
            # Later than anything of an earlier month.
            found.update(_per_account(early.exclude(status=Order.Status.CANCELLED), Max("ordered_at")))
    return pd.Series(found, dtype="object")


def order_figures(as_of: date, window_days: int) -> pd.DataFrame:
    """The window figures of every account that ordered in the last two windows, and the
    latest order date of the others that ever ordered (the rest never did)."""
    figures = order_aggregates(as_of, window_days)
    ids = pd.Index(Account.objects.order_by().values_list("id", flat=True))
    # Quiet: no purchase in the two windows (credit notes or samples alone leave no date).
    quiet = ids.difference(figures.index[figures["last_order_date"].notna()]).tolist()
    earlier = pd.to_datetime(last_orders_before(as_of, quiet, as_of - timedelta(days=2 * window_days)).dropna())
    in_windows = earlier.index.intersection(figures.index)
    figures.loc[in_windows, "last_order_date"] = earlier.loc[in_windows]
    found = pd.DataFrame({"last_order_date": earlier.drop(in_windows)})
    return pd.concat([figures, found]) if len(found) else figures


ASSESSMENT_COLUMNS = [*FACTORS, "prospects_rating", "wallet_estimate", "strategic", "referred_customer"]


def account_inputs(as_of: date, decision_maker_days: int) -> pd.DataFrame:
    """Every account with what tiering reads besides its orders, in one query: relationship
    type, current tier, group root, days overdue of its oldest unpaid receivable (as the
    account page shows it; only open items are read, through their partial index), whether a
    decision maker was contacted lately, and its newest assessment (older ones are history)."""
    account, payment, contact = Account._meta.db_table, Payment._meta.db_table, Contact._meta.db_table
    assessment = ", ".join(f"s.{c}" for c in ASSESSMENT_COLUMNS)
    sql = f"""
        SELECT a.id, a.parent_id, a.relationship_type, a.tier, a.category, p.oldest_due,
               CASE WHEN d.account_id IS NULL THEN 0 ELSE 1 END, {assessment}
        FROM {account} AS a
        LEFT JOIN (SELECT account_id, MIN(due_on) AS oldest_due FROM {payment}
                   WHERE paid_on IS NULL AND due_on < %s GROUP BY account_id) AS p ON p.account_id = a.id
        LEFT JOIN (SELECT DISTINCT account_id FROM {contact}
                   WHERE buying_role = %s AND is_active AND last_contacted_on > %s AND last_contacted_on <= %s
                  ) AS d ON d.account_id = a.id
        LEFT JOIN (SELECT account_id, {", ".join(ASSESSMENT_COLUMNS)},
                          ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY assessed_at DESC, id DESC) AS newest
                   FROM {Assessment._meta.db_table}) AS s ON s.account_id = a.id AND s.newest = 1
        ORDER BY a.id
    """  # noqa: S608 - table and column names are constants
    since = as_of - timedelta(days=decision_maker_days)
    columns = [
        "account_id",
        *("parent_id", "relationship_type", "current_tier", "current_category", "oldest_due", "dm"),
        *ASSESSMENT_COLUMNS,
    ]
    frame = read_frame(sql, [as_of, BuyingRole.DECISION_MAKER, since, as_of], columns).set_index("account_id")
    trees = group_trees(frame["parent_id"])
    frame["group_root"] = trees.roots
    frame.attrs["broken_groups"] = trees.broken
    frame["max_overdue_days"] = (pd.Timestamp(as_of) - pd.to_datetime(frame.pop("oldest_due"))).dt.days
    frame["decision_maker_contacted"] = frame.pop("dm").astype(bool)
    return frame


def scoring_inputs(as_of: date, config: TieringConfig) -> pd.DataFrame:
    """The pipeline's input frame, one row per account (see tiering.domain.pipeline.INPUT_COLUMNS)."""
    # The order figures are the long read: the database works on them while the rest is read here.
    with read_in_background(lambda: order_figures(as_of, config.window_days)) as orders:
        accounts = account_inputs(as_of, config.position.decision_maker_days)
        frame = accounts.join(orders(), how="left")
    frame["frequency"] = frame["frequency"].fillna(0).astype("int64")
    frame["frequency_prev"] = frame["frequency_prev"].fillna(0).astype("int64")
    frame["margin_unknown"] = frame["margin_unknown"].fillna(0).astype("int64")
    for column in ("monetary", "margin", "max_single_order", "cumulative_volume"):
        frame[column] = frame[column].astype("float64").fillna(0.0)
    frame["max_overdue_days"] = frame["max_overdue_days"].astype("float64")
    frame["wallet_estimate"] = frame["wallet_estimate"].astype("float64")
    members = frame["group_root"].value_counts()
    frame["is_group"] = frame["group_root"].map(members).gt(1).to_numpy()
    frame["strategic"] = frame["strategic"].fillna(False).astype(bool)
    frame["referred_customer"] = frame["referred_customer"].fillna(False).astype(bool)
    frame.attrs["broken_groups"] = accounts.attrs.get("broken_groups", [])
    return frame
