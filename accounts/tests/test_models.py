from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from accounts.models import Account, Order, Payment
from accounts.tests.factories import make_account, make_order, make_payment
from kam.testing import token_client


@pytest.mark.django_db
def test_external_id_is_unique_when_present() -> None:
    make_account(external_id="C-9")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_account(external_id="C-9")
    # Any number of accounts may have no ERP id.
    make_account(external_id=None)
    make_account(external_id=None)
    assert Account.objects.filter(external_id__isnull=True).count() == 2


@pytest.mark.django_db
def test_order_external_id_is_unique(world) -> None:
    make_order(world.account, date(2026, 1, 1), "1.00", external_id="SO-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_order(world.other_account, date(2026, 1, 2), "2.00", external_id="SO-1")


@pytest.mark.django_db
def test_money_keeps_cents_exactly(world) -> None:
    # 0.1 + 0.2 is not 0.3 in floats; it must be in the database and in sums.
    # (SQLite keeps ~15 significant digits; the demo's amounts stay well inside that.)
    for amount in ("0.10", "0.20", "123456789012.99"):
        make_order(world.account, date(2026, 1, 1), amount, margin="0.01")
    amounts = sorted(Order.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("0.10"), Decimal("0.20"), Decimal("123456789012.99")]
    assert all(isinstance(a, Decimal) for a in amounts)
    assert Order.objects.aggregate(s=Sum("amount"))["s"] == Decimal("123456789013.29")


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_keeps_all_sixteen_digits(world) -> None:
    make_order(world.account, date(2026, 1, 1), "99999999999999.99")
    make_order(world.account, date(2026, 1, 1), "0.01")
    assert Order.objects.aggregate(s=Sum("amount"))["s"] == Decimal("100000000000000.00")


@pytest.mark.django_db
def test_api_refuses_more_than_two_decimals(world) -> None:
    api = token_client(world.director)
    response = api.patch(f"/api/v1/accounts/{world.account.pk}/", {"annual_revenue": "10.005"}, format="json")
    assert response.status_code == 400
    assert "annual_revenue" in response.json()["errors"]
    ok = api.patch(f"/api/v1/accounts/{world.account.pk}/", {"annual_revenue": "10.05"}, format="json")
    assert ok.json()["annual_revenue"] == "10.05"


@pytest.mark.parametrize(
    ("due", "paid", "today", "expected"),
    [
        (date(2026, 1, 10), date(2026, 1, 5), date(2026, 2, 1), 0),  # paid early
        (date(2026, 1, 10), date(2026, 1, 10), date(2026, 2, 1), 0),  # paid on the day
        (date(2026, 1, 10), date(2026, 1, 25), date(2026, 2, 1), 15),  # paid late
        (date(2026, 1, 10), None, date(2026, 2, 1), 22),  # still unpaid
        (date(2026, 3, 10), None, date(2026, 2, 1), 0),  # not due yet
    ],
)
def test_overdue_days_are_derived(due, paid, today, expected) -> None:
    assert Payment(due_on=due, paid_on=paid, amount=Decimal(1)).overdue_days(today) == expected


@pytest.mark.django_db
def test_purchase_summary_counts_the_last_twelve_months_and_overdue(world) -> None:
    from accounts.selectors import account_purchase_summary

    today = date(2026, 11, 23)
    make_order(world.account, date(2026, 11, 23), "100.00", "20.00")
    make_order(world.account, date(2025, 11, 24), "50.00", "5.00")  # first day inside the window
    make_order(world.account, date(2025, 11, 23), "999.00", "99.00")  # one day outside
    make_order(world.account, date(2026, 6, 1), "700.00", "70.00", status="cancelled")
    make_payment(world.account, "40.00", due_on=date(2026, 11, 1))  # 22 days overdue
    make_payment(world.account, "60.00", due_on=date(2026, 12, 1))  # open, not due
    make_payment(world.account, "80.00", due_on=date(2026, 10, 1), paid_on=date(2026, 10, 3))
    summary = account_purchase_summary(account=world.account, today=today)
    assert (summary.orders_12m, summary.revenue_12m, summary.margin_12m) == (2, Decimal("150.00"), Decimal("25.00"))
    assert (summary.orders_total, summary.revenue_total) == (3, Decimal("1149.00"))
    assert summary.last_order_on == date(2026, 11, 23)
    assert (summary.open_receivables, summary.overdue_receivables) == (Decimal("100.00"), Decimal("40.00"))
    assert summary.max_overdue_days == 22
