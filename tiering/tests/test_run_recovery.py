"""A run's own row decides who runs it (issue 14 item 4): the claim, the fence on a stale
worker's writes, the watchdog, what the runs page and the webhooks say. The real kills are in
test_worker_loss.py; these run without a worker."""

from __future__ import annotations

import threading
import zlib
from datetime import timedelta

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from accounts.tests.factories import make_account, make_order
from integrations.webhooks import services as webhooks
from integrations.webhooks.models import WebhookDelivery
from tiering import services
from tiering.models import AccountScore, ScoringRun
from tiering.selectors import RunAlert, run_alerts
from tiering.services import RUN_LOCK, RunBusy, RunLost, WatchdogReport, run_claim, run_request, run_watchdog
from tiering.tasks import execute_run
from tiering.tests.test_worker import child_env

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _intervals(settings) -> None:  # noqa: ANN001
    settings.TIERING_RUN_STALE_SECONDS = 120
    settings.TIERING_RUN_MAX_ATTEMPTS = 3
    settings.TIERING_RUN_QUEUE_TIMEOUT_SECONDS = 3600


def queued_run(**fields) -> ScoringRun:  # noqa: ANN003
    run = run_request(trigger="test")
    if fields:
        ScoringRun.objects.filter(pk=run.pk).update(**fields)
        run.refresh_from_db()
    return run


def ago(seconds: int) -> timezone.datetime:
    return timezone.now() - timedelta(seconds=seconds)


# ---------------------------------------------------------------- the claim


def test_a_queued_run_is_claimed_once() -> None:
    run = queued_run()
    assert run_claim(run_id=run.pk) == 1
    assert run_claim(run_id=run.pk) is None  # the duplicate delivery
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 1)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    status=st.sampled_from(["queued", "running", "succeeded", "failed"]),
    silent_for=st.one_of(st.none(), st.integers(min_value=0, max_value=600)),
    attempts=st.integers(min_value=0, max_value=4),
)
def test_the_claim_takes_exactly_the_runs_nobody_is_running(status: str, silent_for: int | None, attempts: int) -> None:
    # given a run in any state
    run = queued_run(status=status, attempts=attempts, heartbeat_at=None if silent_for is None else ago(silent_for))
    alive = silent_for is not None and silent_for < 120 - 1  # a second of slack for the test itself
    expected = attempts < 3 and (status == "queued" or (status == "running" and not alive))
    if status == "running" and silent_for is not None and 119 <= silent_for <= 121:
        return  # too close to the boundary to call while the clock runs
    # when a delivery tries to claim it
    claimed = run_claim(run_id=run.pk)
    # then it gets it exactly when nobody else may be running it, as the next attempt
    assert claimed == (attempts + 1 if expected else None)
    run.refresh_from_db()
    assert run.status == ("running" if expected else status)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_claiming_at_once_get_one_run() -> None:
    run = queued_run()
    barrier = threading.Barrier(8)
    results: list[int | None] = []

    def claim() -> None:
        try:
            barrier.wait()
            results.append(run_claim(run_id=run.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=lambda r: r or 0) == [None] * 7 + [1]


# ---------------------------------------------------------------- executing


def test_a_worker_that_lost_its_run_writes_nothing(world) -> None:  # noqa: ANN001
    # given a run claimed by a worker that then looked dead, and was given to another
    make_order(make_account(world.owner), timezone.localdate() - timedelta(days=3), "500.00")
    run = queued_run()
    assert run_claim(run_id=run.pk) == 1
    ScoringRun.objects.filter(pk=run.pk).update(heartbeat_at=ago(300))
    assert run_claim(run_id=run.pk) == 2
    # when the first worker comes back to life and publishes
    with pytest.raises(RunLost):
        services._compute_and_publish(run, 1, lambda _step: None)
    # then none of its rows were kept
    assert not AccountScore.objects.filter(run=run).exists()
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 2)


def test_a_duplicate_delivery_of_a_finished_run_does_nothing(world) -> None:  # noqa: ANN001
    make_order(make_account(world.owner), timezone.localdate() - timedelta(days=3), "500.00")
    run = services.run_execute(run_id=queued_run().pk)
    scores = AccountScore.objects.filter(run=run).count()
    again = services.run_execute(run_id=run.pk)
    assert (again.status, again.attempts) == ("succeeded", 1)
    assert AccountScore.objects.filter(run=run).count() == scores


def test_a_run_whose_worker_died_moments_ago_is_retried_later() -> None:
    run = queued_run(status="running", attempts=1, heartbeat_at=ago(5))
    with pytest.raises(RunBusy) as busy:
        services.run_execute(run_id=run.pk)
    assert (str(busy.value), busy.value.retry_in) == ("its last worker stopped recently", 120)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_waiting_for_another_is_vouched_for_and_retried() -> None:
    # given another process running a run (it holds the lock)
    run = queued_run(heartbeat_at=ago(100))
    holder = psycopg2.connect(child_env()["DATABASE_URL"])
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [zlib.crc32(RUN_LOCK.encode())])
        # when a delivery of this run arrives
        with pytest.raises(RunBusy) as busy:
            services.run_execute(run_id=run.pk)
    finally:
        holder.close()
    # then it waits its turn: retried in half the silence limit, its heartbeat touched so
    # the watchdog does not send it again meanwhile
    assert busy.value.retry_in == 60
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("queued", 0)
    assert timezone.now() - run.heartbeat_at < timedelta(seconds=5)


# ---------------------------------------------------------------- the watchdog


def test_the_watchdog_requeues_a_silent_run_and_says_so(django_capture_on_commit_callbacks, monkeypatch) -> None:  # noqa: ANN001
    # given a subscriber, and a run whose worker died two attempts ago... once
    sent: list[int] = []
    monkeypatch.setattr(execute_run, "delay", sent.append)
    webhooks.subscription_create(url="https://erp.example.com/hook", events=["scoring_run.abandoned"])
    silent_since = ago(300)
    run = queued_run(status="running", attempts=1, heartbeat_at=silent_since)
    fresh = queued_run(status="running", attempts=1, heartbeat_at=ago(10))
    # when the watchdog looks
    with django_capture_on_commit_callbacks(execute=True):
        report = run_watchdog()
    # then the silent run is queued again and handed to a worker; the live one is left alone
    assert report == WatchdogReport(requeued=[run.pk], failed=[])
    assert sent == [run.pk]
    run.refresh_from_db()
    since = timezone.localtime(silent_since).strftime("%Y-%m-%d %H:%M:%S %z")
    note = f"Abandoned: its worker stopped (last sign of life {since}); attempt 2 of 3 queued."
    assert (run.status, run.attempts, run.error) == ("queued", 1, note)
    assert ScoringRun.objects.get(pk=fresh.pk).status == "running"
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event == "scoring_run.abandoned"
    assert (delivery.payload["run"]["id"], delivery.payload["run"]["error"]) == (run.pk, note)
    # and a second watchdog right after does nothing more
    with django_capture_on_commit_callbacks(execute=True):
        assert run_watchdog() == WatchdogReport(requeued=[], failed=[])
    assert sent == [run.pk]


def test_the_watchdog_fails_a_run_out_of_attempts(django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    webhooks.subscription_create(url="https://erp.example.com/hook", events=["scoring_run.finished"])
    silent_since = ago(300)
    run = queued_run(status="running", attempts=3, heartbeat_at=silent_since)
    with django_capture_on_commit_callbacks(execute=False):
        assert run_watchdog() == WatchdogReport(requeued=[], failed=[run.pk])
    run.refresh_from_db()
    since = timezone.localtime(silent_since).strftime("%Y-%m-%d %H:%M:%S %z")
    reason = f"Failed: its worker stopped during each of 3 attempts (last sign of life {since})."
    assert (run.status, run.error) == ("failed", reason)
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.event, delivery.payload["run"]["status"], delivery.payload["run"]["error"]) == (
        "scoring_run.finished",
        "failed",
        reason,
    )


def test_the_watchdog_resends_a_lost_queued_run_then_gives_up_after_the_queue_timeout(
    django_capture_on_commit_callbacks, monkeypatch
) -> None:  # noqa: ANN001
    sent: list[int] = []
    monkeypatch.setattr(execute_run, "delay", sent.append)
    lost = queued_run(heartbeat_at=ago(200), created_at=ago(200))
    forgotten = queued_run(heartbeat_at=ago(200), created_at=ago(4000))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_watchdog() == WatchdogReport(requeued=[lost.pk], failed=[forgotten.pk])
    assert sent == [lost.pk]
    assert ScoringRun.objects.get(pk=forgotten.pk).error == "Failed: no worker started it within 60 minutes."
    assert ScoringRun.objects.get(pk=lost.pk).status == "queued"


def test_the_watchdog_is_on_the_beat_schedule_every_minute() -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["tiering-runs-watchdog"]
    assert (entry["task"], entry["schedule"], entry["options"]) == (
        "tiering.tasks.runs_watchdog",
        60.0,
        {"expires": 60},
    )
    assert django_settings.CELERY_BROKER_TRANSPORT_OPTIONS == {"visibility_timeout": 1800}


# ---------------------------------------------------------------- what a director sees


def test_the_runs_page_shows_stuck_requeued_and_failed_runs(client, world) -> None:  # noqa: ANN001
    silent_since = ago(600)
    stuck = queued_run(status="running", attempts=1, heartbeat_at=silent_since)
    requeued = queued_run(error="Abandoned: its worker stopped; attempt 2 of 3 queued.", attempts=1)
    failed = queued_run(status="failed", error="Failed: no worker started it.", finished_at=timezone.now())
    since = timezone.localtime(silent_since).strftime("%Y-%m-%d %H:%M %Z")
    expected = [
        RunAlert(requeued.pk, "warning", f"Run #{requeued.pk}: Abandoned: its worker stopped; attempt 2 of 3 queued."),
        RunAlert(
            stuck.pk,
            "danger",
            f"Run #{stuck.pk} is Running but shows no sign of life since {since}: its worker stopped.",
        ),
        RunAlert(failed.pk, "danger", f"The last run, #{failed.pk}, failed: Failed: no worker started it."),
    ]
    assert run_alerts() == expected
    client.force_login(world.director)
    page = client.get(reverse("tiering:runs"))
    assert page.context["alerts"] == expected
    assert f'data-run="{stuck.pk}"' in page.content.decode()


def test_a_later_success_clears_the_failure_banner(world) -> None:  # noqa: ANN001
    queued_run(status="failed", error="boom", finished_at=ago(60))
    queued_run(status="succeeded", finished_at=timezone.now())
    assert run_alerts() == []
