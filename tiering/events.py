"""Tiering's webhook events and their payloads: `scoring_run.finished` and `tier.changed`.

Imported by TieringConfig.ready(), which declares the event types; `integrations` knows
nothing of tiering and only delivers what this module hands it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from integrations.events import BATCH_SIZE, event_emit, event_type_register, event_wanted
from tiering.domain.matrix import TIER_CATEGORY
from tiering.models import ScoringRun, TierChange

log = logging.getLogger(__name__)

SCORING_RUN_FINISHED = event_type_register(name="scoring_run.finished", label=_("Scoring run finished"), app="tiering")
TIER_CHANGED = event_type_register(name="tier.changed", label=_("Tier changed (batched per run)"), app="tiering")


def run_finished_emit(*, run_id: int) -> list[int]:
    """Emit `scoring_run.finished` and, for a successful run, its tier changes as batched
    `tier.changed` deliveries (items of 1,000). Call once the run has finished (after publish()
    committed); the deliveries are sent after the caller's transaction commits.

    Payloads: ``{"run": {id, as_of, status, trigger, started_at, finished_at, accounts_scored,
    tier_changes, error}}``, and per batch ``{"run": {id, as_of}, "items": [{account,
    external_id, from_tier, to_tier, category, reasons}], "batch", "batches", "total"}``.
    Runs still queued or running emit nothing. Never raises: the run is already published, and
    a webhook problem must not make it look failed (or hide the error of a failed run).
    Returns the ids of the deliveries made.
    """
    try:
        run = ScoringRun.objects.get(pk=run_id)
        if run.status not in (ScoringRun.Status.SUCCEEDED, ScoringRun.Status.FAILED):
            return []
        return _emit(run)
    except Exception:
        log.exception("could not emit webhooks for scoring run %s", run_id)
        return []


def _emit(run: ScoringRun) -> list[int]:
    summary = {
        "id": run.pk,
        "as_of": run.as_of.isoformat(),
        "status": run.status,
        "trigger": run.trigger,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "accounts_scored": run.accounts_scored,
        "tier_changes": run.tier_changes,
        "error": run.error,
    }
    ids: list[int] = []
    with transaction.atomic():  # all deliveries of a run, or none
        ids += event_emit(event=SCORING_RUN_FINISHED, payload={"run": summary})
        # Nobody listens: don't read a possibly huge list of changes.
        if run.status == ScoringRun.Status.SUCCEEDED and event_wanted(event=TIER_CHANGED):
            changes = TierChange.objects.filter(run_id=run.pk).order_by("id")
            rows = changes.values_list(
                "account_id", "account__external_id", "from_tier", "to_tier", "reasons"
            ).iterator(chunk_size=BATCH_SIZE)
            items = (
                {
                    "account": account_id,
                    "external_id": external_id,
                    "from_tier": from_tier,
                    "to_tier": to_tier,
                    "category": TIER_CATEGORY.get(to_tier, ""),
                    "reasons": reasons,
                }
                for account_id, external_id, from_tier, to_tier, reasons in rows
            )
            context = {"run": {"id": run.pk, "as_of": summary["as_of"]}}
            ids += event_emit(event=TIER_CHANGED, payload=items, total=changes.count(), context=context)
    return ids
