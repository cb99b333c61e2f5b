"""The accounts app's webhook events and their payloads: `account.deleted`, `contact.deleted`.

Imported by AccountsConfig.ready(), which declares the event types. Payloads name the record by
id and ERP id, like the deletions feed (`GET /api/v1/deletions/`), which stays the complete
record: a receiver that missed a delivery catches up from the feed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import DeletedRecord
from integrations.events import event_emit, event_type_register

ACCOUNT_DELETED = event_type_register(
    name="account.deleted",
    label=_("Account deleted (with its contacts, orders, invoices and payments)"),
    app="accounts",
)
CONTACT_DELETED = event_type_register(name="contact.deleted", label=_("Contact deleted"), app="accounts")


def tombstone_payload(tombstone: DeletedRecord) -> dict:
    """A deleted record in a `*.deleted` payload: {"id", "external_id", "deleted_at" (ISO 8601)},
    as the deletions feed names it. The other apps' delete events use it too."""
    return {
        "id": tombstone.object_id,
        "external_id": tombstone.external_id,
        "deleted_at": tombstone.deleted_at.isoformat(),
    }


def account_deleted_emit(*, tombstone: DeletedRecord, cascaded: dict[str, int]) -> list[int]:
    """`account.deleted`: {"account": {id, external_id, deleted_at}, "cascaded": {kind: count}}.

    `cascaded` counts the records deleted with it by kind, every registered kind but the account
    (accounts.deletion_kinds: contact, team_member, order, invoice, payment, activity,
    opportunity…), zeros included; their ids are in the deletions feed, not here (an account may have 100k orders).
    Deliveries are sent once the surrounding transaction commits."""
    return event_emit(event=ACCOUNT_DELETED, payload={"account": tombstone_payload(tombstone), "cascaded": cascaded})


def contact_deleted_emit(*, tombstone: DeletedRecord) -> list[int]:
    """`contact.deleted`: {"contact": {id, external_id, deleted_at}, "account": id}. The
    contact-plan entries and relationship links deleted with it are in the deletions feed."""
    return event_emit(
        event=CONTACT_DELETED, payload={"contact": tombstone_payload(tombstone), "account": tombstone.account_id}
    )
