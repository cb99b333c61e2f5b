"""The plans app's webhook events: `plan.overdue`, emitted by the daily reminders (plans.reminders)
for the things the digests that went out that day count, and the `*.deleted` events of its deletable rows.
`integrations` only delivers what this module hands it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext_lazy as _

from accounts.events import tombstone_payload
from accounts.models import DeletedRecord
from integrations.events import event_emit, event_type_register

PLAN_OVERDUE = event_type_register(name="plan.overdue", label=_("Account plan overdue"), app="plans")


def plan_overdue_emit(*, day: date, items: Iterable[dict], total: int) -> list[int]:
    """`plan.overdue` for every thing the day's new reminder digests count, batched: ``{"day",
    "items": [{kind, subject, account, external_id, user}], "batch", "batches", "total"}``
    (`total`: how many `items` yields). `items` is read only if someone subscribes: a day's
    things can be hundreds of thousands. Sent after the caller commits."""
    return event_emit(event=PLAN_OVERDUE, payload=items, total=total, context={"day": day.isoformat()})


# Deletions (the deletions feed, `GET /api/v1/deletions/`, is the complete record: these announce
# the rows deleted on their own; those deleted with their account are in `account.deleted`).
ACTIVITY_DELETED = event_type_register(name="activity.deleted", label=_("Activity deleted"), app="plans")
ACCOUNT_PLAN_DELETED = event_type_register(
    name="account_plan.deleted", label=_("Account plan deleted (with its actions)"), app="plans"
)
ACTION_ITEM_DELETED = event_type_register(name="action_item.deleted", label=_("Action deleted"), app="plans")
CONTACT_PLAN_ENTRY_DELETED = event_type_register(
    name="contact_plan_entry.deleted", label=_("Contact plan entry removed"), app="plans"
)
RELATIONSHIP_DELETED = event_type_register(name="relationship.deleted", label=_("Relationship removed"), app="plans")


def record_deleted_emit(*, event: str, tombstone: DeletedRecord, cascaded: dict[str, int] | None = None) -> list[int]:
    """`<thing>.deleted` for one of this app's rows (`event`, one of the constants above):
    ``{"<thing>": {id, external_id, deleted_at}, "account": id}``, plus ``"cascaded": {kind:
    count}`` for an account plan (its actions). Sent after the caller commits."""
    payload = {event.partition(".")[0]: tombstone_payload(tombstone), "account": tombstone.account_id}
    if cascaded is not None:
        payload["cascaded"] = cascaded
    return event_emit(event=event, payload=payload)
