"""The upsert statement itself: one statement a batch, guards, defaults, untouched timestamps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Order
from accounts.tests.factories import make_order
from integrations.bulk import references
from integrations.bulk.references import visibility_guard
from integrations.bulk.specs import SPECS
from integrations.bulk.upsert import CREATED, HIDDEN, UNCHANGED, UPDATED, upsert
from integrations.tests.factories import order_record, post_bulk, statuses
from kam.testing import token_client

pytestmark = pytest.mark.django_db


def row(key: str, account: Account, amount: str = "10.00") -> dict:
    return {
        "external_id": key,
        "account_id": account.pk,
        "ordered_at": date(2026, 3, 2),
        "amount": Decimal(amount),
        "margin": Decimal("1.00"),
        "status": "open",
    }


def test_the_database_tells_created_updated_and_unchanged_apart(world) -> None:
    first = upsert(Order, [row("SO-1", world.account), row("SO-2", world.account)])
    assert {key: outcome.status for key, outcome in first.items()} == {"SO-1": CREATED, "SO-2": CREATED}
    stamp = Order.objects.get(external_id="SO-1").updated_at
    second = upsert(Order, [row("SO-1", world.account), row("SO-2", world.account, amount="11.00")])
    assert {key: outcome.status for key, outcome in second.items()} == {"SO-1": UNCHANGED, "SO-2": UPDATED}
    assert {key: outcome.id for key, outcome in second.items()} == {key: outcome.id for key, outcome in first.items()}
    assert Order.objects.get(external_id="SO-1").updated_at == stamp


def test_a_row_outside_the_guard_is_left_alone_and_reported_hidden(world) -> None:
    make_order(world.other_account, date(2026, 1, 1), "5", external_id="SO-1")
    guard = visibility_guard(SPECS["orders"], world.owner)
    outcomes = upsert(Order, [row("SO-1", world.account), row("SO-2", world.account)], guard=guard)
    assert (outcomes["SO-1"].status, outcomes["SO-2"].status) == (HIDDEN, CREATED)
    kept = Order.objects.get(external_id="SO-1")
    assert (kept.account, kept.amount) == (world.other_account, Decimal("5.00"))
    assert visibility_guard(SPECS["orders"], world.integration) is None


def test_columns_not_sent_take_model_defaults_on_insert(world) -> None:
    upsert(Account, [{"external_id": "C-9", "name": "新客户"}], insert_defaults={"owner_id": world.owner.pk})
    account = Account.objects.get(external_id="C-9")
    assert (account.owner, account.relationship_type, account.lifecycle_stage, account.english_name) == (
        world.owner,
        "vendor",
        "breakthrough",
        "",
    )
    assert account.created_at == account.updated_at


def test_a_batch_costs_a_fixed_number_of_queries(world) -> None:
    api = token_client(world.integration)
    post_bulk(api, "orders", [order_record("SO-0")])  # the token lookup and its first use, out of the way
    with CaptureQueriesContext(connection) as small:
        post_bulk(api, "orders", [order_record(f"SO-{i}") for i in range(10)])
    with CaptureQueriesContext(connection) as large:
        post_bulk(api, "orders", [order_record(f"SO-{i}") for i in range(1000)])
    assert len(large.captured_queries) == len(small.captured_queries) <= 12


def test_the_database_guard_catches_a_row_that_changed_hands_after_the_checks(world, monkeypatch) -> None:
    make_order(world.other_account, date(2026, 1, 1), "5", external_id="SO-7")
    # As if SO-7 moved to the other team's account between the visibility check and the write.
    monkeypatch.setattr(references, "_refuse_hidden_rows", lambda *args: None)
    api = token_client(world.owner)
    atomic = post_bulk(api, "orders", {"records": [order_record("SO-1"), order_record("SO-7")], "atomic": True})
    assert (atomic.status_code, statuses(atomic)) == (400, ["skipped", "error"])
    assert not Order.objects.filter(external_id="SO-1").exists()  # the savepoint took it back
    partial = post_bulk(api, "orders", [order_record("SO-1"), order_record("SO-7")])
    assert statuses(partial) == ["created", "error"]
    assert "not visible to you" in partial.json()["results"][1]["errors"]["external_id"][0]
    assert Order.objects.get(external_id="SO-7").account == world.other_account
