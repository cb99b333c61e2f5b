"""Celery entry points: thin wrappers that call the tiering services."""

from celery import shared_task

from tiering.services import run_execute, run_request


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=False)
def execute_run(run_id: int) -> str:
    return run_execute(run_id=run_id).status


@shared_task(acks_late=True, reject_on_worker_lost=True, expires=6 * 3600)
def nightly_recompute() -> str:
    run = run_request(trigger="nightly schedule")
    return run_execute(run_id=run.pk).status
