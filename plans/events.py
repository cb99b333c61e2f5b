"""The plans app's webhook events: `plan.overdue`, emitted by the daily reminders (plans.reminders)
for the reminders that went out that day. `integrations` only delivers what this module hands it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from integrations.events import event_emit, event_type_register

if TYPE_CHECKING:
    from plans.reminders import Reminder

PLAN_OVERDUE = event_type_register(name="plan.overdue", label=_("Account plan overdue"), app="plans")


def plan_overdue_emit(*, day: date, reminders: Sequence[Reminder]) -> list[int]:
    """`plan.overdue` for the day's new reminders, batched: ``{"day", "items": [{kind, subject,
    account, external_id, user}], "batch", "batches", "total"}``. Sent after the caller commits."""
    items = (
        {
            "kind": r.kind,
            "subject": r.subject,
            "account": r.account_id,
            "external_id": r.account_external_id,
            "user": r.user_id,
        }
        for r in reminders
    )  # read only if someone subscribes: a day's reminders can be hundreds of thousands
    return event_emit(event=PLAN_OVERDUE, payload=items, total=len(reminders), context={"day": day.isoformat()})
