"""Celery entry points: thin wrappers that call the tiering services.

Every task here is acknowledged late and rejected when its worker is lost, so the broker hands
it out again; the run's own row decides whether a delivery does anything (services.run_claim).
"""

from celery import shared_task

from tiering.services import RunBusy, run_execute, run_request, run_watchdog


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=False, max_retries=None)
def execute_run(self, run_id: int) -> str:  # noqa: ANN001 - Celery's bound task
    try:
        return run_execute(run_id=run_id).status
    except RunBusy as busy:
        if self.request.is_eager:  # in-process (tests, the demo): nothing could run it later
            return "queued"
        raise self.retry(countdown=busy.retry_in) from None


@shared_task(acks_late=True, reject_on_worker_lost=True, expires=6 * 3600)
def nightly_recompute() -> str:
    run = run_request(trigger="nightly schedule")
    try:
        return run_execute(run_id=run.pk).status
    except RunBusy as busy:
        execute_run.apply_async((run.pk,), countdown=busy.retry_in)
        return "queued"


@shared_task(ignore_result=True)
def runs_watchdog() -> dict[str, list[int]]:
    """Requeue runs whose worker died, fail those out of attempts (beat: every minute)."""
    report = run_watchdog()
    return {"requeued": report.requeued, "failed": report.failed}
