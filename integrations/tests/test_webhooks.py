"""Outgoing webhooks: signing, emitting on commit, delivery bookkeeping and retries, batching.

The edge of the world is real: deliveries are POSTed over a socket to a small HTTP server on
127.0.0.1 run in a thread, which answers with the statuses a test asks for.
"""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from integrations.tests.factories import make_subscription
from integrations.webhooks import services
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from integrations.webhooks.signing import sign, verify_signature

pytestmark = pytest.mark.django_db

# Independent vector: printf '%s' '1700000000.{"id":1,"event":"tier.changed"}' | openssl dgst -sha256 -hmac whsec_test
VECTOR_BODY = b'{"id":1,"event":"tier.changed"}'
VECTOR_SIGNATURE = "sha256=4a9c9c165a3fa4d792a20c144275e1ed3bbe0b8ef94383e5f5c4d64c13c58805"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"  # nothing listens there any more: connection refused


# ---------------------------------------------------------------- signing


def test_signature_matches_a_known_vector() -> None:
    assert sign("whsec_test", 1700000000, VECTOR_BODY) == VECTOR_SIGNATURE
    assert sign("whsec_test", "1700000000", VECTOR_BODY) == VECTOR_SIGNATURE


def test_receiver_side_verification_checks_body_secret_and_freshness() -> None:
    ok = {"secret": "whsec_test", "body": VECTOR_BODY, "timestamp": "1700000000", "signature": VECTOR_SIGNATURE}
    assert verify_signature(**ok, now=1700000000 + 299)
    assert not verify_signature(**ok, now=1700000000 + 301)  # older than 5 minutes: a replay
    assert not verify_signature(**ok, now=1700000000 - 301)  # from the future
    assert not verify_signature(**{**ok, "body": VECTOR_BODY + b" "}, now=1700000000)
    assert not verify_signature(**{**ok, "secret": "whsec_other"}, now=1700000000)
    assert not verify_signature(**{**ok, "timestamp": "1700000001"}, now=1700000000)
    assert not verify_signature(**{**ok, "timestamp": "soon"}, now=1700000000)
    assert not verify_signature(**{**ok, "signature": ""}, now=1700000000)


def test_a_delivery_carries_headers_a_receiver_can_verify(receiver, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    subscription = make_subscription(receiver.url, "plan.overdue")
    with django_capture_on_commit_callbacks(execute=True):
        [delivery_id] = services.webhook_emit("plan.overdue", {"plan": 7, "account": 3})
    [request] = receiver.requests
    headers = request["headers"]
    assert headers["X-KAM-Event"] == "plan.overdue"
    assert headers["X-KAM-Delivery"] == str(delivery_id)
    assert headers["Content-Type"].startswith("application/json")
    assert verify_signature(
        secret=subscription.secret,
        body=request["body"],
        timestamp=headers["X-KAM-Timestamp"],
        signature=headers["X-KAM-Signature"],
    )
    body = json.loads(request["body"])
    assert body["id"] == delivery_id
    assert body["event"] == "plan.overdue"
    assert body["data"] == {"plan": 7, "account": 3}


# ---------------------------------------------------------------- emitting


def test_emit_inside_a_transaction_enqueues_only_on_commit(
    receiver, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # noqa: ANN001
    from integrations.tasks import deliver_webhook

    enqueued: list[int] = []
    real_delay = deliver_webhook.delay
    monkeypatch.setattr(deliver_webhook, "delay", lambda pk, **kw: enqueued.append(pk) or real_delay(pk, **kw))
    make_subscription(receiver.url, "tier.changed")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        ids = services.webhook_emit("tier.changed", [{"account": 1, "to_tier": "A1"}])
        assert WebhookDelivery.objects.filter(pk__in=ids, status="pending").count() == 1
    assert len(callbacks) == 1
    assert enqueued == []  # nothing was sent while the transaction was open
    assert receiver.requests == []
    callbacks[0]()  # the commit
    assert enqueued == ids
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get(pk=ids[0]).status == "succeeded"


def test_emit_goes_to_active_subscribers_of_the_event_only(receiver, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    wanted = make_subscription(receiver.url, "scoring_run.finished", "tier.changed")
    make_subscription(receiver.url, "scoring_run.finished", active=False)
    make_subscription(receiver.url, "plan.overdue")
    with django_capture_on_commit_callbacks(execute=False):
        ids = services.webhook_emit("scoring_run.finished", {"run": {"id": 1}})
    assert list(WebhookDelivery.objects.filter(pk__in=ids).values_list("subscription", flat=True)) == [wanted.pk]
    with pytest.raises(ValueError, match="unknown webhook event"):
        services.webhook_emit("tier.exploded", {})


def test_a_list_payload_is_cut_into_batches(django_capture_on_commit_callbacks) -> None:
    make_subscription("https://erp.example.com/hook", "opportunity.stage_changed")
    items = [{"opportunity": i} for i in range(25)]
    with django_capture_on_commit_callbacks(execute=False):
        ids = services.webhook_emit("opportunity.stage_changed", items, context={"source": "t"}, batch_size=10)
    payloads = [WebhookDelivery.objects.get(pk=pk).payload for pk in ids]
    assert [len(p["items"]) for p in payloads] == [10, 10, 5]
    assert [(p["batch"], p["batches"], p["total"], p["source"]) for p in payloads] == [
        (1, 3, 25, "t"),
        (2, 3, 25, "t"),
        (3, 3, 25, "t"),
    ]
    assert [item for p in payloads for item in p["items"]] == items


# ---------------------------------------------------------------- sending and retrying


def _pending(url: str, event: str = "plan.overdue") -> WebhookDelivery:
    subscription = make_subscription(url, event)
    return WebhookDelivery.objects.create(subscription=subscription, event=event, payload={"plan": 1})


def test_success_is_recorded(receiver) -> None:  # noqa: ANN001
    delivery = _pending(receiver.url)
    result = services.delivery_attempt(delivery.pk, attempt=1)
    delivery.refresh_from_db()
    assert (result.status, result.retry_in) == ("succeeded", None)
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "succeeded",
        1,
        200,
        "",
    )
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_a_4xx_fails_at_once_without_retry(receiver, status) -> None:  # noqa: ANN001
    from integrations.tasks import deliver_webhook

    receiver.answer(status)
    delivery = _pending(receiver.url)
    deliver_webhook.delay(delivery.pk)
    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, status)
    assert delivery.last_error.startswith(f"HTTP {status}: nope")
    assert delivery.delivered_at is None


def test_a_redirect_is_not_followed_and_fails(receiver) -> None:  # noqa: ANN001
    receiver.answer((302, {"Location": "/login"}))
    delivery = _pending(receiver.url)
    assert services.delivery_attempt(delivery.pk, attempt=1).status == "failed"
    assert len(receiver.requests) == 1  # no second request to /login
    delivery.refresh_from_db()
    assert delivery.last_status_code == 302


def test_a_5xx_is_retried_with_increasing_waits_then_fails(receiver) -> None:  # noqa: ANN001
    receiver.answer(503)
    delivery = _pending(receiver.url)
    waits, due = [], []
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        before = timezone.now()
        result = services.delivery_attempt(delivery.pk, attempt=attempt)
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_status_code) == (attempt, 503)
        assert delivery.last_error.startswith("HTTP 503")
        waits.append(result.retry_in)
        if result.retry_in is not None:
            assert delivery.status == "pending"
            due.append(delivery.next_attempt_at - before)
    assert waits == [60, 300, 1_500, 7_500, 37_500, None]
    assert all(timedelta(seconds=w) <= d < timedelta(seconds=w + 5) for w, d in zip(waits, due, strict=False))
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    assert len(receiver.requests) == services.MAX_ATTEMPTS


def test_the_task_retries_a_5xx_until_it_gives_up(receiver, monkeypatch) -> None:  # noqa: ANN001
    from integrations.tasks import deliver_webhook

    countdowns: list[int | None] = []
    real_attempt = services.delivery_attempt

    def recording_attempt(delivery_id: int, *, attempt: int) -> services.AttemptResult:
        result = real_attempt(delivery_id, attempt=attempt)
        countdowns.append(result.retry_in)  # what the task passes to self.retry(countdown=...)
        return result

    monkeypatch.setattr(services, "delivery_attempt", recording_attempt)
    receiver.answer(500, 502, 200)
    delivery = _pending(receiver.url)
    deliver_webhook.delay(delivery.pk)  # eager in tests: the next attempts are made at once
    delivery.refresh_from_db()
    assert countdowns == [60, 300, None]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 200)

    countdowns.clear()
    receiver.requests.clear()
    receiver.answer(500)
    failing = _pending(receiver.url)
    deliver_webhook.delay(failing.pk)
    failing.refresh_from_db()
    assert countdowns == [60, 300, 1_500, 7_500, 37_500, None]
    assert (failing.status, failing.attempts, len(receiver.requests)) == ("failed", 6, 6)


def test_on_a_worker_the_task_schedules_its_retry_with_the_backoff(receiver, monkeypatch) -> None:  # noqa: ANN001
    from celery.exceptions import Retry

    from integrations.tasks import deliver_webhook

    scheduled: list[dict] = []
    task = deliver_webhook._get_current_object()
    # Celery makes a class per task: patching it touches this task only, and is undone cleanly.
    monkeypatch.setattr(
        type(task), "apply_async", lambda _self, *args, **opts: scheduled.append({"args": args, **opts})
    )
    receiver.answer(503)
    delivery = _pending(receiver.url)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=2)  # attempts 1 and 2 were made
    # As a worker runs it: a real (non-eager) request, so self.retry publishes a delayed message.
    task.push_request(id="test", retries=2, is_eager=False, called_directly=False, args=[delivery.pk], kwargs={})
    try:
        with pytest.raises(Retry):
            task.run(delivery.pk, attempt=3)
    finally:
        task.pop_request()
    [message] = scheduled
    assert message["args"] == ((delivery.pk,), {"attempt": 4})
    assert message["countdown"] == 1_500  # after the third attempt: 25 minutes
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 3)


def test_429_is_retried_and_retry_after_respected(receiver) -> None:  # noqa: ANN001
    receiver.answer((429, {"Retry-After": "900"}))
    delivery = _pending(receiver.url)
    result = services.delivery_attempt(delivery.pk, attempt=1)
    assert (result.status, result.retry_in) == ("pending", 900)


def test_a_network_error_is_retried() -> None:
    delivery = _pending(closed_port_url())
    result = services.delivery_attempt(delivery.pk, attempt=1)
    delivery.refresh_from_db()
    assert (result.status, result.retry_in) == ("pending", 60)
    assert (delivery.attempts, delivery.last_status_code) == (1, None)
    assert "refused" in delivery.last_error.lower()


def test_each_attempt_is_made_once_even_if_its_message_is_duplicated(receiver) -> None:  # noqa: ANN001
    receiver.answer(503)
    delivery = _pending(receiver.url)
    assert services.delivery_attempt(delivery.pk, attempt=1).status == "pending"
    assert services.delivery_attempt(delivery.pk, attempt=1).status == "skipped"  # redelivered message
    assert services.delivery_attempt(delivery.pk, attempt=3).status == "skipped"  # out of turn
    assert len(receiver.requests) == 1


def test_an_inactive_subscription_fails_its_pending_deliveries(receiver) -> None:  # noqa: ANN001
    delivery = _pending(receiver.url)
    WebhookSubscription.objects.update(is_active=False)
    assert services.delivery_attempt(delivery.pk, attempt=1).status == "failed"
    assert receiver.requests == []


def test_the_sweeper_requeues_deliveries_long_overdue(receiver) -> None:  # noqa: ANN001
    lost = _pending(receiver.url)
    WebhookDelivery.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    recent = _pending(receiver.url)
    WebhookDelivery.objects.filter(pk=recent.pk).update(next_attempt_at=timezone.now())
    assert services.requeue_overdue() == 1
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.status, recent.status) == ("succeeded", "pending")


def test_purge_keeps_pending_and_recent_deliveries(receiver) -> None:  # noqa: ANN001
    old = timezone.now() - timedelta(days=40)
    done = _pending(receiver.url)
    waiting = _pending(receiver.url)
    WebhookDelivery.objects.filter(pk=done.pk).update(status="succeeded", created_at=old)
    WebhookDelivery.objects.filter(pk=waiting.pk).update(created_at=old)
    fresh = _pending(receiver.url)
    assert services.purge_finished() == 1
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {waiting.pk, fresh.pk}


# ---------------------------------------------------------------- the event type registry


@pytest.fixture
def declared(monkeypatch):  # noqa: ANN001, ANN201
    """A new app's event type, declared for this test only."""
    from integrations import event_types

    monkeypatch.setattr(event_types, "_REGISTRY", dict(event_types._REGISTRY))
    return event_types.event_type_register(name="account.deleted", label="Account deleted", app="accounts")


def test_an_event_type_a_new_app_declares_is_offered_validated_and_delivered(
    world, declared, receiver, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    from integrations.webhooks.forms import DeliveryFilterForm, SubscriptionForm
    from integrations.webhooks.serializers import WebhookSubscriptionSerializer

    # given an event type declared by an app, with nothing changed in integrations/
    # then the page form and the API offer it
    assert ("account.deleted", "Account deleted") in SubscriptionForm().fields["events"].choices
    assert ("account.deleted", "Account deleted") in DeliveryFilterForm().fields["event"].choices
    assert "account.deleted" in WebhookSubscriptionSerializer().fields["events"].child.choices
    # and a subscription to it is valid, and receives it
    subscription = make_subscription(receiver.url, declared)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery_id] = services.webhook_emit(declared, {"account": 5})
    assert json.loads(receiver.requests[0]["body"])["data"] == {"account": 5}
    assert WebhookDelivery.objects.get(pk=delivery_id).subscription_id == subscription.pk


def test_an_undeclared_event_type_is_refused_everywhere(world) -> None:  # noqa: ANN001
    from django.core.exceptions import ValidationError

    from integrations.webhooks.forms import SubscriptionForm

    form = SubscriptionForm({"url": "https://erp.example.com/", "events": ["account.merged"]})
    assert form.errors["events"] == ["Select a valid choice. account.merged is not one of the available choices."]
    with pytest.raises(ValidationError, match="Unknown events: account.merged"):
        make_subscription("https://erp.example.com/", "account.merged")
    with pytest.raises(ValueError, match="unknown webhook event 'account.merged'"):
        services.webhook_emit("account.merged", {})
    assert not WebhookSubscription.objects.exists()
