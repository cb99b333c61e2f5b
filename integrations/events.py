"""How an app announces what happened: the one module a producing app imports.

An app owns its events. It declares each type once, in its own `events.py` imported by its
AppConfig.ready(), and builds the payloads there::

    # plans/events.py
    from django.utils.translation import gettext_lazy as _
    from integrations.events import event_emit, event_type_register

    PLAN_OVERDUE = event_type_register(name="plan.overdue", label=_("Account plan overdue"), app="plans")

    def plan_overdue_emit(*, plan: Plan) -> list[int]:
        return event_emit(event=PLAN_OVERDUE, payload={"plan": plan.pk, "account": plan.account_id})

`event_emit` makes one delivery per active subscriber, after the surrounding transaction
commits (batched for a list of items); each is signed and POSTed by a Celery worker, with
retries (integrations.webhooks.services has the details).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from integrations.event_types import event_type_register
from integrations.webhooks.services import BATCH_SIZE, webhook_emit, webhook_wanted

__all__ = ["BATCH_SIZE", "event_emit", "event_type_register", "event_wanted"]


def event_emit(
    *,
    event: str,
    payload: dict | Iterable[Any],
    context: dict | None = None,
    total: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> list[int]:
    """Announce `event` to its subscribers once the current transaction commits.

    `payload` is a dict (one delivery per subscriber) or items (batches of `batch_size`, each
    ``{**context, "items": [...], "batch": i, "batches": n, "total": total}``; an iterator needs
    `total` and is read only if someone subscribes). Returns the ids of the deliveries made.
    ValueError: `event` was never declared with `event_type_register`.
    """
    return webhook_emit(event, payload, context=context, total=total, batch_size=batch_size)


def event_wanted(*, event: str) -> bool:
    """Whether anyone subscribes to `event` now: skip reading a large payload for nobody."""
    return webhook_wanted(event)
