"""The accounts app's webhook events: `account.deleted` and `contact.deleted`.

Payloads name the record by id and ERP id, like the deletions feed (`GET /api/v1/deletions/`),
which stays the complete record: a receiver that missed a delivery catches up from the feed.
"""

from __future__ import annotations

from accounts.models import DeletedRecord
from integrations.webhooks.models import ACCOUNT_DELETED, CONTACT_DELETED
from integrations.webhooks.services import webhook_emit


def _record(tombstone: DeletedRecord) -> dict:
    return {
        "id": tombstone.object_id,
        "external_id": tombstone.external_id,
        "deleted_at": tombstone.deleted_at.isoformat(),
    }


def emit_account_deleted(*, tombstone: DeletedRecord, cascaded: dict[str, int]) -> list[int]:
    """`account.deleted`: {"account": {id, external_id, deleted_at}, "cascaded": {kind: count}}.

    `cascaded` counts the records deleted with it by kind (contact, team_member, order, invoice,
    payment); their ids are in the deletions feed, not here (an account may have 100k orders).
    Call inside the deleting transaction: deliveries are enqueued once it commits."""
    return webhook_emit(ACCOUNT_DELETED, {"account": _record(tombstone), "cascaded": cascaded})


def emit_contact_deleted(*, tombstone: DeletedRecord) -> list[int]:
    """`contact.deleted`: {"contact": {id, external_id, deleted_at}, "account": id}."""
    return webhook_emit(CONTACT_DELETED, {"contact": _record(tombstone), "account": tombstone.account_id})
