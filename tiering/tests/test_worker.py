"""Real parts: a Celery worker on Redis runs the nightly job against PostgreSQL, and a run
killed midway leaves what users see untouched."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Account
from accounts.tests.factories import build_world, make_account, make_order
from tiering.models import AccountScore, ScoringRun
from tiering.services import WatchdogReport, run_execute, run_request, run_watchdog

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def child_env() -> dict[str, str]:
    """The environment of a child process, pointed at the test database."""
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-only", "DB_CONN_MAX_AGE": "0"}


def make_book(accounts: int = 30) -> None:
    world = build_world()
    today = timezone.localdate()
    for i in range(accounts):
        account = make_account(world.owner, name=f"客户{i:02d}")
        for k in range(i % 7 + 1):
            make_order(account, today - timedelta(days=5 + 40 * k), f"{(i + 1) * 700}.00", f"{(i + 1) * 90}.00")


@pytest.mark.worker
def test_a_real_worker_runs_the_nightly_recompute() -> None:
    from tiering.tasks import nightly_recompute

    make_book()
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: no other worker can take the job
    worker = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kam",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=child_env(),
    )
    try:
        result = nightly_recompute.apply_async(queue=queue)
        assert result.get(timeout=120) == ScoringRun.Status.SUCCEEDED
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    run = ScoringRun.objects.get()
    assert (run.status, run.trigger, run.as_of) == ("succeeded", "nightly schedule", timezone.localdate())
    assert run.accounts_scored == Account.objects.count()
    for account in Account.objects.all():
        assert account.tier == AccountScore.objects.get(run=run, account=account, is_group=False).tier


def test_the_nightly_job_is_on_the_beat_schedule() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["tiering-nightly-recompute"]
    assert entry["task"] == "tiering.tasks.nightly_recompute"
    assert entry["options"]["expires"] > 0


def test_a_run_killed_midway_leaves_the_previous_tiers_visible() -> None:
    make_book()
    good = run_execute(run_id=run_request(trigger="test").pk)
    tiers_before = dict(Account.objects.values_list("id", "tier"))
    # Make every tier move, so the killed run must touch every account row.
    first = Account.objects.order_by("id").first()
    Account.objects.update(tier="", category="")
    tiers_before = dict(Account.objects.values_list("id", "tier"))
    connection.close()

    blocker = psycopg2.connect(child_env()["DATABASE_URL"])
    child = None
    try:
        with blocker.cursor() as cursor:  # hold one account row so the run stalls inside its transaction
            cursor.execute("SELECT id FROM accounts_account WHERE id = %s FOR UPDATE", [first.pk])
        child = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", "recompute_tiers"],
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        watcher = psycopg2.connect(child_env()["DATABASE_URL"])
        watcher.autocommit = True  # a transaction would freeze its view of pg_stat_activity
        with watcher.cursor() as cursor:
            for _ in range(300):
                # The run waits on our row lock once it writes tier changes (their FK) or account tiers.
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database() AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the run never reached its publishing step")
        watcher.close()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        blocker.rollback()
        blocker.close()
        if child and child.poll() is None:
            child.kill()

    killed = ScoringRun.objects.order_by("-id").first()
    assert killed.pk != good.pk
    assert killed.status == ScoringRun.Status.RUNNING
    assert not AccountScore.objects.filter(run=killed).exists()
    assert dict(Account.objects.values_list("id", "tier")) == tiers_before
    # The next run finds the dead one's lock released and publishes.
    after = run_execute(run_id=run_request(trigger="test").pk)
    assert after.status == ScoringRun.Status.SUCCEEDED
    assert after.tier_changes == Account.objects.count()
    # Once the dead one has been silent long enough, the watchdog requeues it and it runs again.
    ScoringRun.objects.filter(pk=killed.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=3))
    assert run_watchdog() == WatchdogReport(requeued=[killed.pk], failed=[])
    killed.refresh_from_db()
    assert (killed.status, killed.attempts, killed.error) == ("succeeded", 2, "")
