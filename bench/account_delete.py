"""Benchmark: deleting an account with its tombstones against deleting it without any.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/account_delete.py \
        [--orders 20000] [--rows 500] [--repeat 7]

Builds one account with `--orders` orders (and as many invoices and payments), `--rows` rows of
every other registered kind (contacts, activities, account plans with an action each,
contact-plan entries, relationship links, visits, sales themes, opportunities), then, taking
turns in each round, inside a transaction rolled back after each delete:

(a) `accounts.services.account_delete` (one INSERT … SELECT of tombstones per registered kind,
    then the delete), against
(b) the baseline: `Account.delete()` alone (Django's cascade, no tombstones).

Prints the medians, their ratio and every run; everything it made is rolled back at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from accounts.models import Account, Contact, DeletedRecord, Invoice, Order, Payment, User  # noqa: E402
from accounts.services import account_delete  # noqa: E402
from funnel.models import Opportunity  # noqa: E402
from plans.models import (  # noqa: E402
    AccountPlan,
    ActionItem,
    Activity,
    ContactPlanEntry,
    RelationshipLink,
    SalesTheme,
    Visit,
)


class Rollback(Exception):  # noqa: N818 - a signal, not an error
    pass


def build(orders: int, rows: int) -> Account:
    owner = User.objects.create(username="bench-delete-owner", role=User.Role.REP)
    account = Account.objects.create(name="删除基准", external_id="BENCH-DEL", owner=owner)
    day = date(2026, 1, 1)
    made = Order.objects.bulk_create(
        Order(account=account, external_id=f"BO-{i}", ordered_at=day, amount=Decimal(100), margin=Decimal(10))
        for i in range(orders)
    )
    Invoice.objects.bulk_create(
        Invoice(account=account, order=o, issued_on=day, due_on=day + timedelta(days=30), amount=Decimal(100))
        for o in made
    )
    Payment.objects.bulk_create(Payment(account=account, order=o, amount=Decimal(100), due_on=day) for o in made)
    contacts = Contact.objects.bulk_create(Contact(account=account, name=f"联系人{i}") for i in range(rows))
    Activity.objects.bulk_create(
        Activity(account=account, type="call", occurred_at=datetime(2026, 3, 1, tzinfo=UTC)) for _ in range(rows)
    )
    plans = AccountPlan.objects.bulk_create(
        AccountPlan(account=account, owner=owner, period=str(2000 + i)) for i in range(rows)
    )
    ActionItem.objects.bulk_create(
        ActionItem(account=account, plan=p, owner=owner, action="拜访", starts_on=day, ends_on=day) for p in plans
    )
    ContactPlanEntry.objects.bulk_create(
        ContactPlanEntry(account=account, contact=c, owner=owner, interval_days=30, starts_on=day) for c in contacts
    )
    RelationshipLink.objects.bulk_create(
        RelationshipLink(account=account, contact=c, user=owner, strength="working") for c in contacts
    )
    Visit.objects.bulk_create(Visit(account=account, owner=owner, planned_on=day) for _ in range(rows))
    SalesTheme.objects.bulk_create(
        SalesTheme(account=account, problem="停机", feature="维护", benefit="少停机") for _ in range(rows)
    )
    Opportunity.objects.bulk_create(
        Opportunity(account=account, owner=owner, name=f"商机{i}", amount=Decimal(1000)) for i in range(rows)
    )
    return account


def timed(delete) -> float:  # noqa: ANN001
    """Seconds `delete` takes, in a transaction that is then rolled back."""
    try:
        with transaction.atomic():
            began = time.perf_counter()
            delete()
            elapsed = time.perf_counter() - began
            raise Rollback
    except Rollback:
        pass
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    try:
        with transaction.atomic():
            account = build(args.orders, args.rows)
            pk = account.pk
            tombstones = []
            with transaction.atomic():
                account_delete(account=Account.objects.get(pk=pk))
                tombstones.append(DeletedRecord.objects.count())
                transaction.set_rollback(True)
            print(f"{args.orders:,} orders, invoices and payments; {args.rows} rows of each other kind")
            print(f"tombstones written by one delete: {tombstones[0]:,}")
            with_tombstones, plain = [], []
            for _ in range(args.repeat):  # taking turns, so a noisy moment hits both
                with_tombstones.append(timed(lambda: account_delete(account=Account.objects.get(pk=pk))))
                plain.append(timed(lambda: Account.objects.get(pk=pk).delete()))
            a, b = statistics.median(with_tombstones), statistics.median(plain)
            print(f"account_delete (tombstones) median {a * 1000:.0f} ms")
            print(f"Account.delete() alone      median {b * 1000:.0f} ms")
            print(f"ratio {a / b:.2f}")
            print("runs (ms), with tombstones:", ", ".join(f"{t * 1000:.0f}" for t in with_tombstones))
            print("runs (ms), delete alone:   ", ", ".join(f"{t * 1000:.0f}" for t in plain))
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
