"""Tiering's webhook events: a finished run announces itself and its tier changes in batches.

Deliveries are POSTed for real to the receiver of integrations' webhook tests.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import make_account, make_order
from integrations.tests.factories import make_subscription
from integrations.webhooks.models import WebhookDelivery
from tiering.events import run_finished_emit
from tiering.models import ScoringRun, TierChange
from tiering.services import config_current, run_execute, run_request

pytestmark = pytest.mark.django_db


def _run_with_changes(world, count: int, status: str = ScoringRun.Status.SUCCEEDED) -> ScoringRun:  # noqa: ANN001
    run = ScoringRun.objects.create(
        as_of=timezone.localdate(),
        config=config_current(),
        status=status,
        trigger="test",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        tier_changes=count,
    )
    accounts = [world.account, world.other_account, make_account(name="无 ERP 编号")]
    TierChange.objects.bulk_create(
        TierChange(account=accounts[i % 3], run=run, from_tier="C6", to_tier="A1", reasons=[f"#{i}"])
        for i in range(count)
    )
    return run


def test_a_run_with_many_changes_makes_batched_tier_changed_deliveries(
    world, receiver, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    both = make_subscription(receiver.url, "tier.changed", "scoring_run.finished")
    changes_only = make_subscription(receiver.url, "tier.changed")
    make_subscription(receiver.url, "tier.changed", active=False)
    run = _run_with_changes(world, 2_501)

    with django_capture_on_commit_callbacks(execute=True):
        ids = run_finished_emit(run_id=run.pk)

    deliveries = WebhookDelivery.objects.filter(pk__in=ids).order_by("id")
    finished = [d for d in deliveries if d.event == "scoring_run.finished"]
    assert [d.subscription_id for d in finished] == [both.pk]
    assert finished[0].payload["run"]["id"] == run.pk
    assert finished[0].payload["run"]["tier_changes"] == 2_501
    for subscription in (both, changes_only):
        batches = [d.payload for d in deliveries if d.event == "tier.changed" and d.subscription_id == subscription.pk]
        assert [len(p["items"]) for p in batches] == [1_000, 1_000, 501]
        assert all(len(p["items"]) <= 1_000 for p in batches)
        assert {(p["batch"], p["batches"], p["total"]) for p in batches} == {
            (1, 3, 2_501),
            (2, 3, 2_501),
            (3, 3, 2_501),
        }
        assert [i["reasons"] for p in batches for i in p["items"]] == [[f"#{i}"] for i in range(2_501)]
        first = batches[0]["items"][0]
        assert first == {
            "account": world.account.pk,
            "external_id": "C-1",
            "from_tier": "C6",
            "to_tier": "A1",
            "category": "key",
            "reasons": ["#0"],
        }
        assert batches[0]["run"] == {"id": run.pk, "as_of": run.as_of.isoformat()}
    # 1 finished + 2 subscribers × 3 batches, all sent for real and all delivered.
    assert len(receiver.requests) == 7
    assert set(deliveries.values_list("status", flat=True)) == {"succeeded"}


def test_a_failed_run_only_announces_that_it_finished(world, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    make_subscription("https://erp.example.com/hook", "tier.changed", "scoring_run.finished")
    run = _run_with_changes(world, 3, status=ScoringRun.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=False):
        ids = run_finished_emit(run_id=run.pk)
    [delivery] = WebhookDelivery.objects.filter(pk__in=ids)
    assert (delivery.event, delivery.payload["run"]["status"]) == ("scoring_run.finished", "failed")
    queued = ScoringRun.objects.create(as_of=timezone.localdate(), config=config_current())
    assert run_finished_emit(run_id=queued.pk) == []


def test_emit_run_finished_without_subscribers_does_nothing(world) -> None:  # noqa: ANN001
    assert run_finished_emit(run_id=_run_with_changes(world, 5).pk) == []
    assert not WebhookDelivery.objects.exists()


def test_a_real_run_announces_itself_and_its_tier_changes(world, receiver, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    make_order(world.account, timezone.localdate() - timedelta(days=3), "5000.00", "500.00")
    subscription = make_subscription(receiver.url, "tier.changed", "scoring_run.finished")
    with django_capture_on_commit_callbacks(execute=True):
        run = run_execute(run_id=run_request(trigger="test").pk)
    assert run.status == "succeeded"
    assert run.tier_changes > 0
    sent = {r["headers"]["X-KAM-Event"]: json.loads(r["body"])["data"] for r in receiver.requests}
    assert sent["scoring_run.finished"]["run"]["id"] == run.pk
    assert len(sent["tier.changed"]["items"]) == run.tier_changes
    assert set(subscription.deliveries.values_list("status", flat=True)) == {"succeeded"}
