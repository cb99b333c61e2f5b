"""What a bulk record must carry is only what the record cannot exist without (issue 11, item 4).

The table below is the contract: a field that becomes required by accident (a model field without a
default, a serializer declaring `required=True`) fails here, and an ERP that exports less than
these fields can still send every record."""

from __future__ import annotations

import pytest

from accounts.models import Contact
from integrations.bulk.specs import SPECS
from integrations.tests.factories import post_bulk, statuses
from kam.testing import token_client

pytestmark = pytest.mark.django_db

REQUIRED = {
    # the key and the name a person reads
    "accounts": {"external_id", "name"},
    # the key, whose contact it is and who it is; buying role and attitude come later
    "contacts": {"external_id", "account_external_id", "name"},
    # key, account, date and amount; margin, status may be unknown
    "orders": {"external_id", "account_external_id", "ordered_at", "amount"},
    # an invoice needs its dates: receivables ageing reads `due_on`
    "invoices": {"external_id", "account_external_id", "issued_on", "due_on", "amount"},
    # a receivable is what is due and when
    "payments": {"external_id", "account_external_id", "amount", "due_on"},
    # an activity is a kind of contact with an account at a moment
    "activities": {"external_id", "account_external_id", "type", "occurred_at"},
    # an opportunity is something named, worth an amount, with an account; stage, owner, dates come later
    "opportunities": {"external_id", "account_external_id", "name", "amount"},
}


@pytest.mark.parametrize("collection", sorted(SPECS))
def test_a_record_needs_only_what_it_cannot_exist_without(collection: str) -> None:
    serializer = SPECS[collection].serializer()
    assert {name for name, field in serializer.fields.items() if field.required} == REQUIRED[collection]


@pytest.mark.parametrize("collection", sorted(SPECS))
def test_the_smallest_record_is_accepted(world, settings, collection: str) -> None:
    # given: a record with the required fields only; a new account from the ERP goes to the
    # configured default owner
    settings.DEFAULT_ACCOUNT_OWNER = world.director.username
    minimal = {
        "accounts": {"external_id": "C-9", "name": "最小客户"},
        "contacts": {"external_id": "P-9", "account_external_id": "C-1", "name": "李雷"},
        "orders": {"external_id": "SO-9", "account_external_id": "C-1", "ordered_at": "2026-03-02", "amount": "1.00"},
        "invoices": {
            "external_id": "INV-9",
            "account_external_id": "C-1",
            "issued_on": "2026-03-02",
            "due_on": "2026-04-01",
            "amount": "1.00",
        },
        "payments": {"external_id": "AR-9", "account_external_id": "C-1", "amount": "1.00", "due_on": "2026-04-01"},
        "activities": {
            "external_id": "CAL-9",
            "account_external_id": "C-1",
            "type": "call",
            "occurred_at": "2026-03-02T10:00:00+08:00",
        },
        "opportunities": {"external_id": "OPP-9", "account_external_id": "C-1", "name": "最小商机", "amount": "1.00"},
    }[collection]
    assert set(minimal) == REQUIRED[collection]
    # when
    response = post_bulk(token_client(world.integration), collection, [minimal])
    # then
    assert (response.status_code, statuses(response)) == (200, ["created"])


def test_a_contact_without_a_buying_role_is_not_yet_judged(world) -> None:
    post_bulk(
        token_client(world.integration),
        "contacts",
        [{"external_id": "P-9", "account_external_id": "C-1", "name": "李雷"}],
    )
    contact = Contact.objects.get(external_id="P-9")
    assert (contact.buying_role, contact.get_buying_role_display()) == ("unknown", "Not yet known")
