"""Deletions reach a syncing client: tombstones in `GET /api/v1/deletions/` and `*.deleted`
webhooks (issue 11, item 3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.deletion_kinds import deletion_kinds
from accounts.models import Account, AccountTeamMember, DeletedRecord, Invoice
from accounts.tests.factories import make_account, make_contact, make_order, make_payment
from accounts.tests.test_visibility import MATRIX
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from kam.testing import token_client

pytestmark = pytest.mark.django_db


def give_account_records(account: Account) -> dict[str, list]:
    """Two contacts, two orders, an invoice and a payment (team members come from the world)."""
    contacts = [make_contact(account, name="甲", external_id="P-1"), make_contact(account, name="乙")]
    orders = [
        make_order(account, date(2026, 1, 5), "100.00", external_id="O-1"),
        make_order(account, date(2026, 2, 5), "200.00"),
    ]
    invoice = Invoice.objects.create(
        account=account,
        order=orders[0],
        external_id="I-1",
        issued_on=date(2026, 1, 6),
        due_on=date(2026, 2, 6),
        amount=Decimal("100.00"),
    )
    payment = make_payment(account, "100.00", date(2026, 2, 6))
    return {"contacts": contacts, "orders": orders, "invoice": invoice, "payment": payment}


def feed(api, **params) -> list[tuple]:  # noqa: ANN001
    rows, url = [], "/api/v1/deletions/"
    while url:
        response = api.get(url, params)
        assert response.status_code == 200, response.content
        rows += [(r["kind"], r["id"], r["external_id"], r["account"]) for r in response.json()["results"]]
        url, params = response.json()["next"], None
    return rows


def test_deleting_an_account_leaves_a_tombstone_for_it_and_everything_deleted_with_it(world) -> None:
    # given an account with contacts, team, orders, an invoice and a payment, and a subscriber
    records = give_account_records(world.account)
    team = list(AccountTeamMember.objects.filter(account=world.account).order_by("id").values_list("pk", flat=True))
    WebhookSubscription.objects.create(url="https://erp.example.com/hook", events=["account.deleted"])
    api = token_client(world.director)
    pk = world.account.pk

    # when it is deleted through the API
    assert api.delete(f"/api/v1/accounts/{pk}/").status_code == 204

    # then the feed names every deleted record with its ERP id
    c, o = records["contacts"], records["orders"]
    assert sorted(feed(api)) == sorted(
        [
            ("account", pk, "C-1", pk),
            ("contact", c[0].pk, "P-1", pk),
            ("contact", c[1].pk, None, pk),
            ("team_member", team[0], None, pk),
            ("team_member", team[1], None, pk),
            ("order", o[0].pk, "O-1", pk),
            ("order", o[1].pk, None, pk),
            ("invoice", records["invoice"].pk, "I-1", pk),
            ("payment", records["payment"].pk, None, pk),
        ]
    )
    # and one account.deleted delivery says what went with it
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "account.deleted"
    tombstone = DeletedRecord.objects.get(kind="account")
    # (every registered kind is counted, those the account had none of at 0: a stable shape)
    none = {kind.kind: 0 for kind in deletion_kinds() if kind.kind != "account"}
    assert delivery.payload == {
        "account": {"id": pk, "external_id": "C-1", "deleted_at": tombstone.deleted_at.isoformat()},
        "cascaded": {**none, "contact": 2, "team_member": 2, "order": 2, "invoice": 1, "payment": 1},
    }


def test_an_account_that_cannot_be_deleted_leaves_no_tombstone_and_no_event(world) -> None:
    # given an account with a subsidiary (PROTECT) and a subscriber
    make_account(world.owner, name="子公司", parent=world.account)
    make_contact(world.account)
    WebhookSubscription.objects.create(url="https://erp.example.com/hook", events=["account.deleted"])

    # when a director tries to delete it
    response = token_client(world.director).delete(f"/api/v1/accounts/{world.account.pk}/")

    # then nothing is deleted, recorded or announced
    assert response.status_code == 409
    assert Account.objects.filter(pk=world.account.pk).exists()
    assert not DeletedRecord.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_deleting_a_contact_leaves_a_tombstone_and_emits_contact_deleted(world) -> None:
    contact = make_contact(world.account, external_id="P-9")
    WebhookSubscription.objects.create(url="https://erp.example.com/hook", events=["contact.deleted"])
    api = token_client(world.owner)

    assert api.delete(f"/api/v1/contacts/{contact.pk}/").status_code == 204

    assert feed(api) == [("contact", contact.pk, "P-9", world.account.pk)]
    tombstone = DeletedRecord.objects.get()
    assert WebhookDelivery.objects.get().payload == {
        "contact": {"id": contact.pk, "external_id": "P-9", "deleted_at": tombstone.deleted_at.isoformat()},
        "account": world.account.pk,
    }


def test_removing_a_team_member_leaves_a_tombstone(world) -> None:
    member = AccountTeamMember.objects.get(account=world.account, user=world.teammate)
    api = token_client(world.manager)
    assert api.delete(f"/api/v1/team-members/{member.pk}/").status_code == 204
    assert feed(api) == [("team_member", member.pk, None, world.account.pk)]


def test_deleting_from_the_page_records_the_same(client, world) -> None:
    client.force_login(world.director)
    assert client.post(reverse("accounts:delete", args=[world.account.pk])).status_code == 302
    assert list(DeletedRecord.objects.values_list("kind", flat=True).order_by("kind")) == [
        "account",
        "team_member",
        "team_member",
    ]


def test_the_feed_pages_by_cursor_and_takes_updated_since_on_deleted_at(world) -> None:
    # given five contacts deleted one after another
    contacts = [make_contact(world.account, name=f"联系人{i}") for i in range(5)]
    api = token_client(world.director)
    for contact in contacts:
        assert api.delete(f"/api/v1/contacts/{contact.pk}/").status_code == 204
    third = DeletedRecord.objects.get(object_id=contacts[2].pk)

    # when the feed is paged two at a time, and read again from the third deletion
    everything = feed(api, page_size=2)
    since = feed(api, updated_since=third.deleted_at.isoformat())

    # then each deletion comes once, in the order they happened
    assert [row[1] for row in everything] == [c.pk for c in contacts]
    assert [row[1] for row in since] == [c.pk for c in contacts[2:]]


# person -> sees the tombstones of the deleted account (its team members are gone with it)
DELETED_ACCOUNT_MATRIX = {**MATRIX, "teammate": (False, False), "integration": (True, False)}


@pytest.mark.parametrize(("person", "expected"), DELETED_ACCOUNT_MATRIX.items())
def test_who_sees_the_deletions_of_an_account(world, person, expected) -> None:
    # given the account deleted with a contact, and a contact of the other account deleted alone
    sees, _ = expected
    make_contact(world.account)
    from accounts.services import account_delete, contact_delete

    account_pk = world.account.pk
    account_delete(account=world.account)
    other = make_contact(world.other_account, name="李强")
    other_pk = other.pk  # delete() forgets it
    contact_delete(contact=other)

    # when each person reads the feed
    rows = feed(token_client(getattr(world, person)))

    # then they see the deleted account's records exactly when they could see it (owner, its
    # manager, directors, integration), and the other contact when they see its account
    assert {r[3] for r in rows if r[3] == account_pk} == ({account_pk} if sees else set())
    sees_other = person in ("other_rep", "other_manager", "director", "integration")
    assert ([r[1] for r in rows if r[3] == world.other_account.pk] == [other_pk]) is sees_other


def test_a_deleted_contact_of_a_live_account_is_seen_by_its_account_team(world) -> None:
    contact = make_contact(world.account)
    token_client(world.owner).delete(f"/api/v1/contacts/{contact.pk}/")
    assert feed(token_client(world.teammate)) == [("contact", contact.pk, None, world.account.pk)]
    assert feed(token_client(world.same_team_rep)) == []


def test_a_token_sees_the_deletions_of_the_collections_it_may_read(world) -> None:
    from rest_framework.test import APIClient

    from accounts.services import account_delete

    give_account_records(world.account)
    account_delete(account=world.account)

    def client_with(scopes: list[str]) -> APIClient:
        return token_client(world.integration, scopes=scopes)

    assert {r[0] for r in feed(client_with(["orders:read"]))} == {"order"}
    assert {r[0] for r in feed(client_with(["accounts:read", "payments:read"]))} == {
        "account",
        "team_member",
        "payment",
    }
    refused = client_with(["orders:write"]).get("/api/v1/deletions/")
    assert refused.status_code == 403
