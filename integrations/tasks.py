"""Celery entry points of the integrations app: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from integrations.webhooks import services


# soft_time_limit: a receiver trickling bytes could outlast the socket timeout; the sweeper
# re-sends an attempt cut short once its lease runs out.
@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True, soft_time_limit=120
)
def deliver_webhook(self, delivery_id: int, attempt: int = 1) -> str:  # noqa: ANN001 - Celery's bound task
    """Attempt `attempt` of a webhook delivery; on a retryable failure, schedule the next one.

    The service caps the attempts (MAX_ATTEMPTS) and claims each attempt number once, so
    duplicated messages are harmless. The signature scheme is in integrations.webhooks.signing.
    """
    while True:
        result = services.delivery_attempt(delivery_id, attempt=attempt)
        if result.retry_in is None:
            return result.status
        if not self.request.is_eager:
            raise self.retry(args=(delivery_id,), kwargs={"attempt": attempt + 1}, countdown=result.retry_in)
        # Eager (tests, the bare-machine demo without a broker): nothing could run a delayed
        # retry, and Celery would propagate Retry to the caller, so make the next attempt now.
        attempt += 1


@shared_task(ignore_result=True, expires=300)
def requeue_overdue_webhooks() -> int:
    """Safety net for lost messages (broker outage, dead worker): schedule every few minutes."""
    return services.requeue_overdue()


@shared_task(ignore_result=True, expires=3600)
def purge_old_webhook_deliveries(days: int = 30) -> int:
    from datetime import timedelta

    return services.purge_finished(older_than=timedelta(days=days))


@shared_task(ignore_result=True)
def purge_expired_idempotency_keys() -> int:
    from integrations.bulk.idempotency import purge_expired

    return purge_expired()


@shared_task(ignore_result=True)
def purge_old_import_batches() -> int:
    from integrations.spreadsheets.importing import purge_old_batches

    return purge_old_batches()


# The hard limit stops a worker the soft one could not (a C-level loop); the batch then stays
# "being read" until purged, which the page says after SPREADSHEET_PARSE_SECONDS.
@shared_task(
    ignore_result=True,
    acks_late=True,
    soft_time_limit=settings.SPREADSHEET_PARSE_SECONDS,
    time_limit=settings.SPREADSHEET_PARSE_SECONDS + 30,
)
def parse_import_batch(batch_id: int) -> str:
    """Read and check an uploaded spreadsheet too big to read in the request."""
    from integrations.spreadsheets.importing import parse

    return parse(batch_id=batch_id)
