"""The funnel app's webhook events: `opportunity.stage_changed`.

Imported by FunnelConfig.ready(), which declares the event type; `integrations` only delivers
what this module hands it. One delivery per change (batched when a bulk import moves many).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from integrations.events import event_emit, event_type_register, event_wanted

OPPORTUNITY_STAGE_CHANGED = event_type_register(
    name="opportunity.stage_changed", label=_("Opportunity stage changed"), app="funnel"
)


def stage_changed_emit(*, change_ids: Iterable[int]) -> list[int]:
    """Announce the given StageChange rows once the transaction commits.

    Payload per change: ``{"opportunity", "external_id", "account", "account_external_id",
    "from_stage" ("" when it began there), "to_stage", "changed_at" (ISO), "changed_by"
    (username or null), "amount" (string), "probability" (%), "forecast_category"}``; one
    change is one delivery of ``{"change": {...}}``, several are batched as items.
    Returns the ids of the deliveries made (none when nobody subscribes).
    """
    from funnel.models import StageChange

    ids = list(change_ids)
    if not ids or not event_wanted(event=OPPORTUNITY_STAGE_CHANGED):
        return []
    rows = (
        StageChange.objects.filter(pk__in=ids)
        .order_by("id")
        .values_list(
            "opportunity_id",
            "opportunity__external_id",
            "account_id",
            "account__external_id",
            "from_stage",
            "to_stage",
            "changed_at",
            "changed_by__username",
            "opportunity__amount",
            "opportunity__probability",
            "opportunity__forecast_category",
        )
    )
    items = [
        {
            "opportunity": opp,
            "external_id": ext,
            "account": account,
            "account_external_id": account_ext,
            "from_stage": from_stage,
            "to_stage": to_stage,
            "changed_at": changed_at.isoformat(),
            "changed_by": by,
            "amount": str(amount),
            "probability": probability,
            "forecast_category": category,
        }
        for opp, ext, account, account_ext, from_stage, to_stage, changed_at, by, amount, probability, category in rows
    ]
    if len(items) == 1:
        return event_emit(event=OPPORTUNITY_STAGE_CHANGED, payload={"change": items[0]})
    return event_emit(event=OPPORTUNITY_STAGE_CHANGED, payload=items, total=len(items))
