"""Builders for integrations tests (bulk records, webhook subscriptions and deliveries), used
with the accounts test world (accounts/tests/factories.py, the `world` fixture): its accounts
carry the ERP ids C-1 (`world.account`) and C-2 (`world.other_account`)."""

from __future__ import annotations

from rest_framework.test import APIClient

from integrations.webhooks import services
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription


def order_record(external_id: str, account: str = "C-1", **fields: object) -> dict:
    """A bulk order record for the account with ERP id `account`; `fields` override the defaults."""
    record = {
        "external_id": external_id,
        "account_external_id": account,
        "ordered_at": "2026-03-02",
        "amount": "12500.00",
        "margin": "3100.00",
        "status": "fulfilled",
    }
    return {**record, **fields}


def post_bulk(client: APIClient, collection: str, body: object, **headers: str):  # noqa: ANN201 - DRF response
    return client.post(f"/api/v1/{collection}/bulk/", body, format="json", **headers)


def statuses(response) -> list[str]:  # noqa: ANN001 - a DRF test response
    return [result["status"] for result in response.json()["results"]]


def make_subscription(url: str, *events: str, active: bool = True) -> WebhookSubscription:
    return services.subscription_create(url=url, events=list(events), is_active=active)


def make_failed_delivery(target: str | WebhookSubscription) -> WebhookDelivery:
    """A plan.overdue delivery that gave up after six 503s, to `target`: a subscription, or a
    URL for a new subscription to plan.overdue."""
    subscription = target if isinstance(target, WebhookSubscription) else make_subscription(target, "plan.overdue")
    return WebhookDelivery.objects.create(
        subscription=subscription,
        event="plan.overdue",
        payload={"plan": 1},
        status="failed",
        attempts=6,
        last_status_code=503,
        last_error="HTTP 503: down",
    )
