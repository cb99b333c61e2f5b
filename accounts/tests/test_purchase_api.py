"""Orders, invoices and payments read back through the API (issue 11, item 16)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Invoice, Order
from accounts.tests.factories import make_order, make_payment
from accounts.tests.test_visibility import API_MATRIX
from kam.testing import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def purchases(world) -> dict:  # noqa: ANN001
    order = make_order(world.account, date(2026, 3, 1), "1250.00", "300.00", external_id="202611200000012345")
    invoice = Invoice.objects.create(
        account=world.account,
        order=order,
        external_id="I-7",
        issued_on=date(2026, 3, 2),
        due_on=date(2026, 4, 1),
        amount=Decimal("1250.00"),
    )
    payment = make_payment(world.account, "1250.00", date(2026, 4, 1), paid_on=date(2026, 3, 30))
    payment.invoice, payment.order, payment.external_id = invoice, order, "R-7"
    payment.save()
    hidden = make_order(world.other_account, date(2026, 3, 1), "9.00", external_id="O-HIDDEN")
    return {"order": order, "invoice": invoice, "payment": payment, "hidden": hidden}


def test_an_order_reads_back_as_the_erp_sent_it(world, purchases) -> None:
    order = Order.objects.get(pk=purchases["order"].pk)
    body = token_client(world.owner).get(f"/api/v1/orders/{order.pk}/").json()
    assert body == {
        "id": order.pk,
        "account": world.account.pk,
        "account_external_id": "C-1",
        "external_id": "202611200000012345",
        "ordered_at": "2026-03-01",
        "amount": "1250.00",
        "margin": "300.00",
        "status": "fulfilled",
        "updated_at": body["updated_at"],
    }
    assert body["updated_at"] == token_client(world.owner).get("/api/v1/orders/").json()["results"][0]["updated_at"]


def test_invoices_and_payments_name_what_they_refer_to_by_erp_id(world, purchases) -> None:
    api = token_client(world.director)
    invoice = api.get(f"/api/v1/invoices/{purchases['invoice'].pk}/").json()
    payment = api.get(f"/api/v1/payments/{purchases['payment'].pk}/").json()
    assert {k: invoice[k] for k in ("account_external_id", "order", "order_external_id", "external_id", "amount")} == {
        "account_external_id": "C-1",
        "order_external_id": "202611200000012345",
        "order": purchases["order"].pk,
        "external_id": "I-7",
        "amount": "1250.00",
    }
    assert {k: payment[k] for k in ("invoice_external_id", "order_external_id", "due_on", "paid_on")} == {
        "invoice_external_id": "I-7",
        "order_external_id": "202611200000012345",
        "due_on": "2026-04-01",
        "paid_on": "2026-03-30",
    }


@pytest.mark.parametrize(("person", "expected"), API_MATRIX.items())
@pytest.mark.parametrize("collection", ["orders", "invoices", "payments"])
def test_purchases_follow_the_visibility_rule(world, purchases, person, expected, collection) -> None:
    sees, _ = expected
    user = getattr(world, person)
    client = token_client(user, scopes=[f"{collection}:read"] if person == "integration" else None)
    pk = purchases[collection[:-1]].pk

    listing = client.get(f"/api/v1/{collection}/")
    assert listing.status_code == 200
    assert (pk in [row["id"] for row in listing.json()["results"]]) is sees
    assert client.get(f"/api/v1/{collection}/{pk}/").status_code == (200 if sees else 404)
    # Read-only: writes go through the bulk endpoints (a read-only token is stopped by its scope first).
    assert client.delete(f"/api/v1/{collection}/{pk}/").status_code == (403 if person == "integration" else 405)
    assert type(purchases[collection[:-1]]).objects.filter(pk=pk).exists()


@pytest.mark.parametrize("collection", ["orders", "invoices", "payments"])
def test_an_integration_token_needs_the_read_scope(world, purchases, collection) -> None:
    client = token_client(world.integration, scopes=[f"{collection}:write"])
    response = client.get(f"/api/v1/{collection}/")
    assert response.status_code == 403
    assert response.json()["message"] == f"This token lacks the scope {collection}:read."


def test_orders_filter_by_erp_id_and_page_by_cursor_from_updated_since(world, purchases) -> None:
    api = token_client(world.director)
    found = api.get("/api/v1/orders/", {"external_id": "202611200000012345"}).json()["results"]
    assert [row["id"] for row in found] == [purchases["order"].pk]
    searched = api.get("/api/v1/orders/", {"search": "HIDDEN"}).json()["results"]
    assert [row["id"] for row in searched] == [purchases["hidden"].pk]
    since = Order.objects.get(pk=purchases["order"].pk).updated_at.isoformat()
    first = api.get("/api/v1/orders/", {"updated_since": since, "page_size": 1}).json()
    second = api.get(first["next"]).json()
    assert [first["results"][0]["id"], second["results"][0]["id"]] == [purchases["order"].pk, purchases["hidden"].pk]
    assert second["next"] is None


def test_the_schema_documents_the_read_endpoints(world) -> None:
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    sync = {"cursor", "page_size", "updated_since", "account", "external_id", "search"}
    # Orders also answer CSV pages (`format=csv`, kam/api/csv_pages.py).
    filters = {"orders": {"status", "format"}, "invoices": {"order"}, "payments": {"order", "invoice"}}
    for collection in ("orders", "invoices", "payments"):
        listing = paths[f"/api/v1/{collection}/"]
        assert set(listing) == {"get"}
        assert {p["name"] for p in listing["get"]["parameters"]} == sync | filters[collection]
        assert set(paths[f"/api/v1/{collection}/{{id}}/"]) == {"get"}
    assert {p["name"] for p in paths["/api/v1/deletions/"]["get"]["parameters"]} == {
        "account_id",
        "cursor",
        "kind",
        "page_size",
        "search",
        "updated_since",
    }
