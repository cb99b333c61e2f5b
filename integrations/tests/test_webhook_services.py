"""Webhook subscriptions and redelivery: one service per write, behind the pages and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from integrations.tests.factories import make_failed_delivery
from integrations.webhooks import services
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from kam.testing import token_client

pytestmark = pytest.mark.django_db

HOOKS = "/api/v1/webhooks/"
DELIVERIES = "/api/v1/webhook-deliveries/"


def test_subscription_create_keeps_each_event_once_and_refuses_bad_input(world) -> None:  # noqa: ANN001
    made = services.subscription_create(
        url="https://erp.example.com/", events=["tier.changed", "plan.overdue", "tier.changed"], user=world.director
    )
    assert (made.events, made.is_active, made.created_by_id) == (
        ["tier.changed", "plan.overdue"],
        True,
        world.director.pk,
    )
    assert made.secret.startswith("whsec_")
    with pytest.raises(ValidationError) as error:
        services.subscription_create(url="ftp://erp.example.com/", events=[])
    assert sorted(error.value.message_dict) == ["events", "url"]
    assert list(WebhookSubscription.objects.values_list("pk", flat=True)) == [made.pk]


def test_subscription_update_changes_only_what_is_given(world) -> None:  # noqa: ANN001
    made = services.subscription_create(url="https://erp.example.com/", events=["tier.changed"])
    secret = made.secret
    services.subscription_update(subscription=made, is_active=False)
    services.subscription_update(subscription=made, events=["plan.overdue", "plan.overdue"])
    made.refresh_from_db()
    assert (made.url, made.events, made.is_active, made.secret) == (
        "https://erp.example.com/",
        ["plan.overdue"],
        False,
        secret,
    )
    with pytest.raises(ValidationError, match="Unknown events: tier.exploded"):
        services.subscription_update(subscription=made, events=["tier.exploded"])
    made.refresh_from_db()
    assert made.events == ["plan.overdue"]


def test_subscription_delete_takes_its_delivery_log_along(world) -> None:  # noqa: ANN001
    made = services.subscription_create(url="https://erp.example.com/", events=["plan.overdue"])
    make_failed_delivery(made)
    services.subscription_delete(subscription=made)
    assert (WebhookSubscription.objects.count(), WebhookDelivery.objects.count()) == (0, 0)


def test_delivery_redeliver_resets_it_and_sends_it_only_on_commit(
    world, receiver, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    delivery = make_failed_delivery(services.subscription_create(url=receiver.url, events=["plan.overdue"]))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = services.delivery_redeliver(delivery=delivery)
    assert (again.status, again.attempts) == ("pending", 0)
    assert receiver.requests == []
    [commit] = callbacks
    commit()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert len(receiver.requests) == 1


# ---------------------------------------------------------------- pages and API go through them


def test_the_page_and_the_api_create_subscriptions_through_the_service(client, world, service_calls) -> None:  # noqa: ANN001
    calls = service_calls(services, "subscription_create")
    client.force_login(world.director)
    page = client.post(reverse("integrations:webhooks"), {"url": "https://a.example.com/", "events": ["plan.overdue"]})
    api = token_client(world.director).post(
        HOOKS, {"url": "https://b.example.com/", "events": ["tier.changed"]}, format="json"
    )
    assert (page.status_code, api.status_code) == (302, 201)
    assert calls == [
        {"url": "https://a.example.com/", "events": ["plan.overdue"], "user": world.director},
        {"url": "https://b.example.com/", "events": ["tier.changed"], "user": world.director},
    ]
    assert list(WebhookSubscription.objects.order_by("id").values_list("url", "created_by")) == [
        ("https://a.example.com/", world.director.pk),
        ("https://b.example.com/", world.director.pk),
    ]


def test_the_page_and_the_api_disable_subscriptions_through_the_service(client, world, service_calls) -> None:  # noqa: ANN001
    by_page = services.subscription_create(url="https://a.example.com/", events=["plan.overdue"])
    by_api = services.subscription_create(url="https://b.example.com/", events=["plan.overdue"])
    calls = service_calls(services, "subscription_update")
    client.force_login(world.director)
    page = client.post(reverse("integrations:webhook_toggle", args=[by_page.pk]))
    api = token_client(world.director).patch(f"{HOOKS}{by_api.pk}/", {"is_active": False}, format="json")
    assert (page.status_code, api.status_code, api.json()["is_active"]) == (302, 200, False)
    assert [(c["subscription"].pk, c["is_active"]) for c in calls] == [(by_page.pk, False), (by_api.pk, False)]
    assert list(WebhookSubscription.objects.order_by("id").values_list("is_active", flat=True)) == [False, False]


def test_the_page_and_the_api_delete_subscriptions_through_the_service(client, world, service_calls) -> None:  # noqa: ANN001
    by_page = services.subscription_create(url="https://a.example.com/", events=["plan.overdue"])
    by_api = services.subscription_create(url="https://b.example.com/", events=["plan.overdue"])
    calls = service_calls(services, "subscription_delete")
    client.force_login(world.director)
    page = client.post(reverse("integrations:webhook_delete", args=[by_page.pk]))
    api = token_client(world.director).delete(f"{HOOKS}{by_api.pk}/")
    assert (page.status_code, api.status_code) == (302, 204)
    assert [c["subscription"].url for c in calls] == ["https://a.example.com/", "https://b.example.com/"]
    assert not WebhookSubscription.objects.exists()


def test_the_page_and_the_api_redeliver_through_the_service(
    client, world, receiver, service_calls, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    subscription = services.subscription_create(url=receiver.url, events=["plan.overdue"])
    by_page, by_api = make_failed_delivery(subscription), make_failed_delivery(subscription)
    calls = service_calls(services, "delivery_redeliver")
    client.force_login(world.director)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("integrations:webhook_redeliver", args=[by_page.pk]))
        api = token_client(world.director).post(f"{DELIVERIES}{by_api.pk}/redeliver/")
    assert (page.status_code, api.status_code) == (302, 202)
    assert [c["delivery"].pk for c in calls] == [by_page.pk, by_api.pk]
    assert sorted(r["headers"]["X-KAM-Delivery"] for r in receiver.requests) == sorted(
        [str(by_page.pk), str(by_api.pk)]
    )
    assert list(WebhookDelivery.objects.order_by("id").values_list("status", flat=True)) == ["succeeded", "succeeded"]


def test_a_refused_caller_reaches_no_service(client, world, service_calls) -> None:  # noqa: ANN001
    subscription = services.subscription_create(url="https://a.example.com/", events=["plan.overdue"])
    calls = [service_calls(services, name) for name in ("subscription_update", "subscription_delete")]
    client.force_login(world.manager)
    assert client.post(reverse("integrations:webhook_toggle", args=[subscription.pk])).status_code == 403
    assert token_client(world.manager).delete(f"{HOOKS}{subscription.pk}/").status_code == 403
    assert calls == [[], []]
    assert WebhookSubscription.objects.get().is_active is True
