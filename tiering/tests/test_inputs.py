"""The window figures read through the monthly roll-up equal a plain count over the orders."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from accounts.models import Order
from accounts.tests.factories import make_account
from tiering import window_figures
from tiering.inputs import last_orders_before
from tiering.window_figures import ORDER_COLUMNS, order_aggregates


def plain_figures(as_of: date, window_days: int) -> dict[int, tuple]:
    start = as_of - timedelta(days=window_days)
    previous_start = start - timedelta(days=window_days)
    figures: dict[int, list] = {}
    for o in Order.objects.exclude(status=Order.Status.CANCELLED).filter(
        ordered_at__gt=previous_start, ordered_at__lte=as_of
    ):
        # The rule of docs/tiering.md: a purchase is a positive amount (date, counts, largest);
        # credit notes subtract from the money; a missing margin is counted, not taken for 0.
        f = figures.setdefault(o.account_id, [None, 0, Decimal(0), Decimal(0), 0, None, Decimal(0), 0])
        purchase = o.amount > 0
        if purchase:
            f[0] = o.ordered_at if f[0] is None else max(f[0], o.ordered_at)
            f[5] = o.amount if f[5] is None else max(f[5], o.amount)
        if o.ordered_at > start:
            f[1] += purchase
            f[2] += o.amount
            f[3] += o.margin or 0
            f[7] += o.margin is None
        else:
            f[4] += purchase
        f[6] += o.amount
    return {
        k: (v[0], v[1], float(v[2]), float(v[3]), v[4], None if v[5] is None else float(v[5]), float(v[6]), v[7])
        for k, v in figures.items()
    }


def read_figures(as_of: date, window_days: int) -> dict[int, tuple]:
    frame = order_aggregates(as_of, window_days)
    return {
        account_id: (
            None if pd.isna(row.last_order_date) else row.last_order_date.date(),
            int(row.frequency),
            0.0 if pd.isna(row.monetary) else float(row.monetary),  # NULL: nothing in the window
            0.0 if pd.isna(row.margin) else float(row.margin),
            int(row.frequency_prev),
            None if pd.isna(row.max_single_order) else float(row.max_single_order),
            float(row.cumulative_volume),
            int(row.margin_unknown),
        )
        for account_id, row in frame[list(ORDER_COLUMNS)].iterrows()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("later_limit", [window_figures.MAX_LATER_ACCOUNTS, 0])
@pytest.mark.parametrize("window_days", [10, 31, 45, 100, 365])
@pytest.mark.parametrize("as_of", [date(2026, 3, 31), date(2026, 3, 1), date(2026, 2, 14), date(2026, 2, 20)])
def test_roll_up_and_cut_months_give_the_plain_figures(as_of, window_days, later_limit, monkeypatch) -> None:
    # later_limit 0: the month of as_of is read order by order, as for a run of a past date.
    monkeypatch.setattr(window_figures, "MAX_LATER_ACCOUNTS", later_limit)
    rng = random.Random(window_days)
    accounts = [make_account() for _ in range(4)]
    first = date(2024, 12, 1)
    days = [as_of, as_of + timedelta(days=1), as_of - timedelta(days=window_days), first]
    days += [first + timedelta(days=rng.randrange(500)) for _ in range(150)]
    Order.objects.bulk_create(
        Order(
            account=rng.choice(accounts),
            ordered_at=day,
            # Purchases, credit notes and samples; margins known and unknown.
            amount=Decimal(rng.choice([rng.randrange(100, 99_999), -rng.randrange(100, 99_999), 0])) / 100,
            margin=rng.choice([Decimal(rng.randrange(0, 999)) / 100, None]),
            status=rng.choice(["open", "fulfilled", "fulfilled", "cancelled"]),
        )
        for day in days
    )

    expected, got = plain_figures(as_of, window_days), read_figures(as_of, window_days)

    assert got.keys() == expected.keys()
    for account_id, figures in expected.items():
        assert got[account_id] == pytest.approx(figures), account_id


@pytest.mark.django_db
def test_the_last_order_of_a_quiet_account_comes_from_earlier_months() -> None:
    account = make_account()
    for day, status in ((date(2023, 5, 9), "fulfilled"), (date(2023, 6, 2), "cancelled")):
        Order.objects.create(account=account, ordered_at=day, amount=1, margin=0, status=status)
    found = last_orders_before(date(2026, 3, 1), [account.pk], date(2025, 3, 1))
    assert found.to_dict() == {account.pk: date(2023, 5, 9)}


@pytest.mark.django_db
def test_the_last_order_of_a_quiet_account_may_be_early_in_the_month_of_as_of_when_windows_are_short() -> None:
    account = make_account()
    Order.objects.create(account=account, ordered_at=date(2026, 3, 4), amount=1, margin=0)
    Order.objects.create(account=account, ordered_at=date(2026, 2, 4), amount=1, margin=0)
    # Windows of 10 days as of 2026-03-31 start at 2026-03-11: the order of 03-04 precedes them.
    assert last_orders_before(date(2026, 3, 31), [account.pk], date(2026, 3, 11)).to_dict() == {
        account.pk: date(2026, 3, 4)
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_inputs_read_in_the_background_equal_those_read_in_a_transaction() -> None:
    from django.db import transaction

    from tiering.domain.config import TieringConfig
    from tiering.inputs import scoring_inputs

    rng = random.Random(3)
    accounts = [make_account() for _ in range(5)]
    Order.objects.bulk_create(
        Order(
            account=rng.choice(accounts),
            ordered_at=date(2026, 3, 1) - timedelta(days=rng.randrange(800)),
            amount=Decimal(rng.randrange(100, 99_999)) / 100,
            margin=Decimal(1),
        )
        for _ in range(60)
    )
    threaded = scoring_inputs(date(2026, 3, 1), TieringConfig())  # no transaction: two connections
    with transaction.atomic():
        inline = scoring_inputs(date(2026, 3, 1), TieringConfig())
    assert threaded["frequency"].sum() > 0
    pd.testing.assert_frame_equal(threaded, inline)
