"""The Idempotency-Key header: a retry returns the first answer and applies nothing again."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Order
from integrations.bulk.idempotency import purge_expired
from integrations.models import IDEMPOTENCY_KEY_TTL, IdempotencyKey
from integrations.tests.factories import order_record, post_bulk, statuses
from kam.testing import token_client

pytestmark = pytest.mark.django_db


def test_a_retry_with_the_same_key_returns_the_first_answer_without_reapplying(world) -> None:
    api = token_client(world.integration)
    batch = {"records": [order_record("SO-1"), order_record("SO-2", amount="bad")]}
    first = post_bulk(api, "orders", batch, HTTP_IDEMPOTENCY_KEY="sync-42")
    assert statuses(first) == ["created", "error"]
    assert "Idempotent-Replayed" not in first
    Order.objects.filter(external_id="SO-1").update(amount=Decimal("1.00"))  # changed since, in the CRM
    retry = post_bulk(api, "orders", batch, HTTP_IDEMPOTENCY_KEY="sync-42")
    assert (retry.status_code, retry.json()) == (first.status_code, first.json())
    assert retry["Idempotent-Replayed"] == "true"
    assert Order.objects.get(external_id="SO-1").amount == Decimal("1.00")  # not applied again
    # Without the key the same batch is applied again (and restores the ERP's amount).
    assert statuses(post_bulk(api, "orders", batch)) == ["updated", "error"]


def test_the_same_key_with_another_body_is_refused_with_422(world) -> None:
    api = token_client(world.integration)
    post_bulk(api, "orders", [order_record("SO-1")], HTTP_IDEMPOTENCY_KEY="k1")
    response = post_bulk(api, "orders", [order_record("SO-1", amount="2.00")], HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "idempotency_key_reused"
    assert "different request" in body["message"]
    assert Order.objects.get(external_id="SO-1").amount == Decimal("12500.00")
    other_endpoint = post_bulk(api, "payments", [order_record("SO-1")], HTTP_IDEMPOTENCY_KEY="k1")
    assert other_endpoint.status_code == 422


def test_an_atomic_refusal_is_replayed_as_given(world) -> None:
    api = token_client(world.integration)
    batch = {"records": [order_record("SO-1"), order_record("SO-2", account="C-404")], "atomic": True}
    first = post_bulk(api, "orders", batch, HTTP_IDEMPOTENCY_KEY="k2")
    retry = post_bulk(api, "orders", batch, HTTP_IDEMPOTENCY_KEY="k2")
    assert (first.status_code, retry.status_code) == (400, 400)
    assert retry.json() == first.json()
    assert not Order.objects.exists()


def test_keys_belong_to_one_user(world) -> None:
    post_bulk(token_client(world.integration), "orders", [order_record("SO-1")], HTTP_IDEMPOTENCY_KEY="shared")
    response = post_bulk(token_client(world.director), "orders", [order_record("SO-1")], HTTP_IDEMPOTENCY_KEY="shared")
    assert (response.status_code, statuses(response)) == (200, ["unchanged"])  # run, not replayed
    assert "Idempotent-Replayed" not in response
    assert IdempotencyKey.objects.filter(key="shared").count() == 2


def test_a_key_older_than_a_day_starts_afresh(world) -> None:
    api = token_client(world.integration)
    post_bulk(api, "orders", [order_record("SO-1")], HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - IDEMPOTENCY_KEY_TTL - timedelta(minutes=1))
    response = post_bulk(
        api, "orders", [order_record("SO-1", amount="5.00", margin="1.00")], HTTP_IDEMPOTENCY_KEY="old"
    )
    assert (response.status_code, statuses(response)) == (200, ["updated"])
    assert IdempotencyKey.objects.get(key="old").created_at > timezone.now() - timedelta(minutes=1)
    IdempotencyKey.objects.update(created_at=timezone.now() - IDEMPOTENCY_KEY_TTL - timedelta(minutes=1))
    assert purge_expired() == 1


def test_a_refused_body_or_a_bad_key_stores_nothing(world) -> None:
    api = token_client(world.integration)
    assert post_bulk(api, "orders", {"records": "nope"}, HTTP_IDEMPOTENCY_KEY="k3").status_code == 400
    assert post_bulk(api, "orders", [order_record("SO-1")], HTTP_IDEMPOTENCY_KEY="x" * 256).status_code == 400
    assert post_bulk(api, "orders", [order_record("SO-1")]).status_code == 200
    assert not IdempotencyKey.objects.exists()
    # The refused request left no trace, so the key is still free for a corrected body.
    assert statuses(post_bulk(api, "orders", [order_record("SO-2")], HTTP_IDEMPOTENCY_KEY="k3")) == ["created"]
