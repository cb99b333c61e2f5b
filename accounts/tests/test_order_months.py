"""The monthly order roll-up stays equal to the orders, whatever writes them."""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection, transaction

from accounts import order_months
from accounts.models import Order, OrderMonth
from accounts.tests.factories import make_account, make_order


def expected_months() -> dict[tuple[int, date], tuple]:
    # Purchases (amount > 0) count, give the largest order and the date; every order counts in
    # `entries` and the net amount; an unknown margin is counted apart, not summed as 0.
    cells: dict[tuple[int, date], list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), None, None, 0, 0])
    for order in Order.objects.exclude(status=Order.Status.CANCELLED):
        cell = cells[(order.account_id, order.ordered_at.replace(day=1))]
        cell[5] += 1
        cell[1] += order.amount
        cell[2] += order.margin or 0
        cell[6] += order.margin is None
        if order.amount > 0:
            cell[0] += 1
            cell[3] = order.amount if cell[3] is None else max(cell[3], order.amount)
            cell[4] = order.ordered_at if cell[4] is None else max(cell[4], order.ordered_at)
    return {
        key: (n, round(a, 2), round(m, 2), top, last, entries, unknown)
        for key, (n, a, m, top, last, entries, unknown) in cells.items()
    }


def money(cents: float) -> Decimal:
    assert cents == int(cents)  # whole cents, never a fraction
    return Decimal(int(cents)) / 100


def stored_months() -> dict[tuple[int, date], tuple]:
    return {
        (m.account_id, m.month): (
            m.orders,
            money(m.amount_cents),
            money(m.margin_cents),
            None if m.max_amount_cents is None else money(m.max_amount_cents),
            m.last_ordered_at,
            m.entries,
            m.margin_unknown,
        )
        for m in OrderMonth.objects.all()
    }


@pytest.mark.django_db
def test_inserts_updates_cancellations_moves_and_deletes_keep_the_months_exact() -> None:
    rng = random.Random(7)
    accounts = [make_account() for _ in range(3)]
    start = date(2026, 1, 1)
    for _ in range(60):
        # purchases, credit notes and samples; some without a margin
        amount = rng.choice([f"{rng.randrange(1, 9999)}.25", f"-{rng.randrange(1, 9999)}.25", "0"])
        make_order(rng.choice(accounts), start + timedelta(days=rng.randrange(120)), amount, rng.choice(["3.10", None]))
    assert stored_months() == expected_months()

    orders = list(Order.objects.all())
    for order in rng.sample(orders, 10):  # move to another month and amount
        order.ordered_at += timedelta(days=rng.randrange(-40, 40))
        order.amount = Decimal(f"{rng.choice(['', '-'])}{rng.randrange(1, 20000)}.50")  # a purchase or a credit note
        order.save()
    for order in rng.sample(orders, 5):  # cancel: leaves the roll-up
        Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    Order.objects.filter(pk__in=[o.pk for o in orders[:5]]).update(status=Order.Status.FULFILLED)  # and back
    Order.objects.filter(pk__in=[o.pk for o in orders[5:15]]).update(account=accounts[0])  # another account
    Order.objects.filter(pk__in=[o.pk for o in orders[15:30]]).delete()
    Order.objects.bulk_create(
        [Order(account=accounts[1], ordered_at=start, amount=Decimal("99999.99"), margin=Decimal(1)) for _ in range(3)]
    )
    assert stored_months() == expected_months()

    accounts[2].delete()  # the cascade removes its orders, and with them its months
    assert not OrderMonth.objects.filter(account_id=accounts[2].pk).exists()
    assert stored_months() == expected_months()


@pytest.mark.django_db
def test_a_month_of_credit_notes_and_samples_has_no_purchase_and_stays_until_its_last_order_goes() -> None:
    # given: a purchase, a credit note and a sample without margin in March
    account = make_account()
    purchase = make_order(account, date(2026, 3, 2), "100.00", "30.00")
    credit = make_order(account, date(2026, 3, 20), "-80000.00", "-5.00")
    sample = make_order(account, date(2026, 3, 25), "0", None)

    # when: the purchase goes
    purchase.delete()

    # then: no purchase is left (count, largest and date none), the money is the credit note's
    month = OrderMonth.objects.get(account=account)
    assert (month.orders, month.entries, month.amount_cents, month.margin_cents, month.margin_unknown) == (
        0,
        2,
        -8_000_000,
        -500,
        1,
    )
    assert (month.max_amount_cents, month.last_ordered_at) == (None, None)
    credit.delete()
    sample.delete()
    assert not OrderMonth.objects.filter(account=account).exists()


@pytest.mark.django_db
def test_the_largest_order_and_last_date_of_a_month_fall_back_when_their_order_goes() -> None:
    account = make_account()
    make_order(account, date(2026, 3, 2), "100.00")
    big = make_order(account, date(2026, 3, 28), "900.00")
    big.delete()
    month = OrderMonth.objects.get(account=account)
    assert (month.orders, month.max_amount_cents, month.last_ordered_at) == (1, 10_000, date(2026, 3, 2))


@pytest.mark.django_db
def test_rebuild_gives_what_the_triggers_kept() -> None:
    account = make_account()
    for day in range(1, 60, 7):
        make_order(account, date(2026, 5, 1) + timedelta(days=day), "10.00")
    kept = stored_months()
    order_months.rebuild()
    assert stored_months() == kept == expected_months()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_to_the_same_months_keep_them_exact() -> None:
    accounts = [make_account() for _ in range(2)]
    seed = [make_order(accounts[i % 2], date(2026, 2, 1 + i % 27), f"{i + 1}.00") for i in range(40)]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                if n % 2:
                    Order.objects.filter(pk__in=[o.pk for o in seed[n::4]]).delete()
                else:
                    Order.objects.bulk_create(
                        Order(account=accounts[k % 2], ordered_at=date(2026, 2, 1 + k), amount=Decimal(k), margin=0)
                        for k in range(1, 20)
                    )
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stored_months() == expected_months()


@pytest.mark.django_db
def test_bulk_upserts_keep_the_months_exact() -> None:
    # INSERT ... ON CONFLICT DO UPDATE fires both the insert and the update triggers.
    from integrations.bulk.service import bulk_upsert
    from integrations.bulk.specs import SPECS
    from integrations.spreadsheets.importing import system_user

    account = make_account(external_id="C-1")
    other = make_account(external_id="C-2")

    def send(amounts: dict[str, str], day: int, account_key: str = "C-1") -> None:
        records = [
            {
                "external_id": key,
                "account_external_id": account_key,
                "ordered_at": f"2026-0{day}-1{i}",
                "amount": amount,
                "margin": "1.00",
            }
            for i, (key, amount) in enumerate(amounts.items())
        ]
        answer = bulk_upsert(SPECS["orders"], system_user(), records)
        assert answer.body["summary"]["error"] == 0, [r["errors"] for r in answer.body["results"]]

    send({"SO-1": "10.00", "SO-2": "99.00", "SO-3": "5.00"}, day=3)
    send({"SO-1": "10.00", "SO-2": "1.00", "SO-4": "7.00"}, day=3)  # unchanged, smaller max, new
    send({"SO-3": "5.00"}, day=4, account_key="C-2")  # to another month and account
    assert stored_months() == expected_months()
    assert OrderMonth.objects.get(account=account, month=date(2026, 3, 1)).max_amount_cents == 1_000
    assert OrderMonth.objects.get(account=other).orders == 1
