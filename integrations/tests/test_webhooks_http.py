"""Webhooks over the API and the pages: permissions, the one-time secret, the log, redelivery."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from integrations.tests.factories import make_failed_delivery
from integrations.webhooks import services
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from integrations.webhooks.signing import verify_signature
from kam.testing import token_client

pytestmark = pytest.mark.django_db

HOOKS = "/api/v1/webhooks/"
NEW = {"url": "https://x.example.com/", "events": ["tier.changed"]}
DELIVERIES = "/api/v1/webhook-deliveries/"


# ---------------------------------------------------------------- API


@pytest.mark.parametrize("person", ["owner", "manager", "other_manager"])
def test_reps_and_managers_may_not_use_the_webhook_api(world, person) -> None:  # noqa: ANN001
    api = token_client(getattr(world, person))
    assert api.get(HOOKS).status_code == 403
    created = api.post(HOOKS, {"url": "https://x.example.com/", "events": ["tier.changed"]}, format="json")
    assert (created.status_code, created.json()["code"]) == (403, "permission_denied")
    assert WebhookSubscription.objects.count() == 0
    assert api.get(DELIVERIES).status_code == 403


def test_integration_tokens_need_the_webhooks_write_scope(world) -> None:  # noqa: ANN001
    assert token_client(world.integration, ["scores:read"]).get(HOOKS).status_code == 403
    refused = token_client(world.integration).get(HOOKS)  # a token without scopes: nothing for integrations
    assert refused.status_code == 403
    assert refused.json()["message"] == "This token lacks the scope webhooks:write."
    assert token_client(world.integration, ["webhooks:write"]).get(HOOKS).status_code == 200
    assert token_client(world.integration, ["webhooks:write"]).get(DELIVERIES).status_code == 200
    # A scoped token of a rep is still a rep's.
    assert token_client(world.owner, ["webhooks:write"]).get(HOOKS).status_code == 403
    # A director's token limited to other scopes may not either.
    assert token_client(world.director, ["scores:read"]).get(HOOKS).status_code == 403


def test_the_secret_is_returned_only_when_created(world) -> None:  # noqa: ANN001
    api = token_client(world.director)
    created = api.post(
        HOOKS, {"url": "https://erp.example.com/kam", "events": ["tier.changed", "tier.changed"]}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    subscription = WebhookSubscription.objects.get(pk=body["id"])
    assert body["secret"] == subscription.secret
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["tier.changed"]
    assert subscription.created_by == world.director
    for shown in (api.get(f"{HOOKS}{subscription.pk}/").json(), api.get(HOOKS).json()["results"][0]):
        assert "secret" not in shown
        assert shown["secret_hint"] == subscription.secret_hint
        assert subscription.secret not in json.dumps(shown)
    patched = api.patch(f"{HOOKS}{subscription.pk}/", {"is_active": False}, format="json")
    assert (patched.status_code, "secret" in patched.json()) == (200, False)
    assert api.delete(f"{HOOKS}{subscription.pk}/").status_code == 204


def test_bad_subscriptions_are_refused(world) -> None:  # noqa: ANN001
    api = token_client(world.integration, ["webhooks:write"])
    unknown = api.post(HOOKS, {"url": "https://erp.example.com/", "events": ["tier.exploded"]}, format="json")
    assert unknown.status_code == 400
    assert "events" in unknown.json()["errors"]
    empty = api.post(HOOKS, {"url": "https://erp.example.com/", "events": []}, format="json")
    assert empty.status_code == 400
    not_web = api.post(HOOKS, {"url": "ftp://erp.example.com/drop", "events": ["tier.changed"]}, format="json")
    assert not_web.status_code == 400
    assert "url" in not_web.json()["errors"]
    assert not WebhookSubscription.objects.exists()


def test_the_delivery_log_filters_and_shows_the_payload_on_request(world) -> None:  # noqa: ANN001
    first = make_failed_delivery("https://a.example.com/")
    other = services.subscription_create(url="https://b.example.com/", events=["tier.changed"])
    ok = WebhookDelivery.objects.create(
        subscription=other, event="tier.changed", payload={"items": []}, status="succeeded"
    )
    api = token_client(world.director)
    rows = api.get(DELIVERIES).json()["results"]
    assert [r["id"] for r in rows] == [ok.pk, first.pk]  # newest first
    assert "payload" not in rows[0]
    assert [r["id"] for r in api.get(DELIVERIES, {"status": "failed"}).json()["results"]] == [first.pk]
    assert [r["id"] for r in api.get(DELIVERIES, {"event": "tier.changed"}).json()["results"]] == [ok.pk]
    by_sub = api.get(DELIVERIES, {"subscription": other.pk}).json()["results"]
    assert [r["id"] for r in by_sub] == [ok.pk]
    one = api.get(f"{DELIVERIES}{first.pk}/").json()
    assert (one["status"], one["attempts"], one["last_status_code"], one["last_error"]) == (
        "failed",
        6,
        503,
        "HTTP 503: down",
    )
    body = api.get(f"{DELIVERIES}{first.pk}/payload/").json()
    assert body == {"id": first.pk, "event": "plan.overdue", "created_at": body["created_at"], "data": {"plan": 1}}


def test_redeliver_through_the_api(world, receiver, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    delivery = make_failed_delivery(receiver.url)
    assert token_client(world.manager).post(f"{DELIVERIES}{delivery.pk}/redeliver/").status_code == 403
    assert receiver.requests == []
    api = token_client(world.integration, ["webhooks:write"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{DELIVERIES}{delivery.pk}/redeliver/")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"  # accepted; sent once committed
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "succeeded",
        1,
        200,
        "",
    )
    [request] = receiver.requests
    assert request["headers"]["X-KAM-Delivery"] == str(delivery.pk)  # the same id: receivers can deduplicate
    assert verify_signature(
        secret=delivery.subscription.secret,
        body=request["body"],
        timestamp=request["headers"]["X-KAM-Timestamp"],
        signature=request["headers"]["X-KAM-Signature"],
    )


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("person", ["owner", "manager", "integration"])
def test_only_directors_see_the_webhook_pages(client, world, person) -> None:  # noqa: ANN001
    delivery = make_failed_delivery("https://a.example.com/")
    client.force_login(getattr(world, person))
    assert client.get(reverse("integrations:webhooks")).status_code == 403
    assert client.get(reverse("integrations:webhook_deliveries")).status_code == 403
    create = client.post(
        reverse("integrations:webhooks"), {"url": "https://x.example.com/", "events": ["tier.changed"]}
    )
    assert create.status_code == 403
    assert client.post(reverse("integrations:webhook_redeliver", args=[delivery.pk])).status_code == 403
    assert client.post(reverse("integrations:webhook_delete", args=[delivery.subscription_id])).status_code == 403
    assert WebhookSubscription.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client) -> None:  # noqa: ANN001
    assert client.get(reverse("integrations:webhooks")).status_code == 302


def test_a_director_creates_a_webhook_and_sees_its_secret_once(client, world) -> None:  # noqa: ANN001
    client.force_login(world.director)
    page = client.get(reverse("integrations:webhooks")).content.decode()
    assert 'id="webhook-form"' in page
    assert 'value="tier.changed"' in page
    bad = client.post(reverse("integrations:webhooks"), {"url": "not a url"})
    assert bad.status_code == 200
    assert 'id="error-url"' in bad.content.decode()
    assert 'id="error-events"' in bad.content.decode()
    response = client.post(
        reverse("integrations:webhooks"),
        {"url": "https://erp.example.com/kam", "events": ["tier.changed", "scoring_run.finished"]},
    )
    assert response.status_code == 302
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["tier.changed", "scoring_run.finished"]
    first = client.get(reverse("integrations:webhooks")).content.decode()
    assert 'id="new-secret"' in first
    assert subscription.secret in first
    again = client.get(reverse("integrations:webhooks")).content.decode()
    assert subscription.secret not in again
    assert subscription.secret_hint in again
    client.post(reverse("integrations:webhook_toggle", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.is_active is False
    client.post(reverse("integrations:webhook_delete", args=[subscription.pk]))
    assert not WebhookSubscription.objects.exists()


def test_the_delivery_log_page_and_redeliver_button(
    client, world, receiver, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    delivery = make_failed_delivery(receiver.url)
    batch = WebhookDelivery.objects.create(
        subscription=delivery.subscription,
        event="tier.changed",
        payload={"items": [], "batch": 2, "batches": 3, "total": 2500},
        status="succeeded",
    )
    client.force_login(world.director)
    log = client.get(reverse("integrations:webhook_deliveries")).content.decode()
    assert "HTTP 503: down" in log
    assert "batch 2/3" in log
    assert reverse("integrations:webhook_redeliver", args=[delivery.pk]) in log
    failed_only = client.get(reverse("integrations:webhook_deliveries"), {"status": "failed"}).content.decode()
    assert reverse("integrations:webhook_redeliver", args=[batch.pk]) not in failed_only
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("integrations:webhook_redeliver", args=[delivery.pk]),
            {"next": "/integrations/webhooks/deliveries/?status=failed"},
        )
    assert response.status_code == 302
    assert response["Location"] == "/integrations/webhooks/deliveries/?status=failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert len(receiver.requests) == 1
    evil = client.post(reverse("integrations:webhook_redeliver", args=[delivery.pk]), {"next": "https://evil.example/"})
    assert evil["Location"] == reverse("integrations:webhook_deliveries")
