"""Celery entry points: thin wrappers around funnel.services."""

from celery import shared_task
from django.utils import timezone

from funnel.services import snapshot_take


@shared_task(acks_late=True, reject_on_worker_lost=True, expires=12 * 3600)
def weekly_snapshot() -> int:
    """The week's forecast snapshot (beat: FORECAST_SNAPSHOT_DAY); a second run the same week
    changes nothing. Returns the snapshot's id."""
    snapshot, _created = snapshot_take(as_of=timezone.localdate())
    return snapshot.pk
