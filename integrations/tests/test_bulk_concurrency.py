"""Concurrent bulk calls on PostgreSQL: the database, not a check-then-insert, decides what is new."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from accounts.models import Order
from integrations.tests.factories import order_record, post_bulk
from kam.testing import token_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 4
ORDERS = 500


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each thread closes its own connection."""
    start = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            answers[i] = calls[i]()
        except BaseException as error:  # noqa: BLE001 - reported to the main thread below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    return answers


def snapshot() -> list[tuple]:
    return list(Order.objects.order_by("external_id").values_list("external_id", "account_id", "amount", "updated_at"))


def test_the_same_batch_from_four_threads_creates_each_order_once(world) -> None:
    batch = {"records": [order_record(f"SO-{i:04}", account="C-1" if i % 2 else "C-2") for i in range(ORDERS)]}
    clients = [token_client(world.integration) for _ in range(THREADS)]

    responses = all_at_once([lambda api=api: post_bulk(api, "orders", batch) for api in clients])

    assert [response.status_code for response in responses] == [200] * THREADS
    summaries = [response.json()["summary"] for response in responses]
    assert sum(summary["created"] for summary in summaries) == ORDERS
    assert all(summary["created"] + summary["unchanged"] == ORDERS for summary in summaries), summaries
    assert Order.objects.count() == ORDERS
    assert Order.objects.values("external_id").distinct().count() == ORDERS
    ids = {tuple(r["id"] for r in response.json()["results"]) for response in responses}
    assert len(ids) == 1  # every thread was told the same row ids

    # The client timed out and never saw an answer: it sends the batch again. Same state.
    before = snapshot()
    replay = post_bulk(clients[0], "orders", batch).json()
    assert replay["summary"]["unchanged"] == ORDERS
    assert snapshot() == before


def test_concurrent_retries_with_one_idempotency_key_apply_once(world) -> None:
    batch = [order_record(f"SO-{i:04}") for i in range(ORDERS)]
    api = token_client(world.integration)
    clients = [api, *(token_client(world.integration) for _ in range(THREADS - 1))]  # one user, several tokens

    responses = all_at_once(
        [lambda api=api: post_bulk(api, "orders", batch, HTTP_IDEMPOTENCY_KEY="k") for api in clients]
    )

    bodies = [response.json() for response in responses]
    assert all(body == bodies[0] for body in bodies)  # the first answer, replayed to the others
    assert bodies[0]["summary"]["created"] == ORDERS
    assert sum(1 for response in responses if response.get("Idempotent-Replayed") == "true") == THREADS - 1
    assert Order.objects.count() == ORDERS
