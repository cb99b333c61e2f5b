"""A run whose worker dies is finished by another one (issue 14 item 4).

Real parts: Celery workers on Redis against PostgreSQL, killed with SIGKILL at each moment a
worker can die: (a) its main process while the run runs, (b) only its pool process (as the
kernel's OOM killer would), (c) while it holds a run's message it has not started. Then a new
worker is started and the watchdog called as beat would call it; the run must succeed within
the bound. Intervals are shortened (heartbeat 1 s, silent after 4 s) so this takes seconds.

A run is held mid-publish by a row lock on one account, as in test_worker.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from accounts.models import Account
from tiering.models import ScoringRun
from tiering.services import run_start, run_watchdog
from tiering.tests.test_worker import child_env, make_book

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

HEARTBEAT, STALE = 1, 4
# Killed → silent (STALE) → the next watchdog tick (1 s here) → a worker runs it (~2 s): the
# production bound (120 + 60 s + the run) scaled down, with room for a loaded machine.
BOUND_SECONDS = 40


@pytest.fixture
def short_intervals(settings):  # noqa: ANN001, ANN201
    """This process (the watchdog) and the workers share the shortened intervals and a queue
    of their own, so no other worker on the same Redis takes the test's runs."""
    from kam.celery import app

    settings.TIERING_RUN_HEARTBEAT_SECONDS = HEARTBEAT
    settings.TIERING_RUN_STALE_SECONDS = STALE
    settings.TIERING_RUN_MAX_ATTEMPTS = 3
    queue = f"test-loss-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_routes
    app.conf.update(task_routes={"tiering.tasks.execute_run": {"queue": queue}})  # update() re-reads the routes
    yield queue
    app.conf.update(task_routes=previous)


def start_worker(queue: str, *, concurrency: int = 1) -> subprocess.Popen:
    env = {
        **child_env(),
        "TIERING_RUN_HEARTBEAT_SECONDS": str(HEARTBEAT),
        "TIERING_RUN_STALE_SECONDS": str(STALE),
        "TIERING_RUN_MAX_ATTEMPTS": "3",
    }
    command = [sys.executable, "-m", "celery", "-A", "kam", "worker", "--pool=prefork", f"--concurrency={concurrency}"]
    command += ["-Q", queue, "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed arguments


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def pool_child(worker: subprocess.Popen) -> int:
    """The pid of the worker's one pool process."""
    for _ in range(100):
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    pytest.fail("the worker started no pool process")


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    runs = list(ScoringRun.objects.values_list("pk", "status", "attempts", "error"))
    pytest.fail(f"timed out waiting until {what}; runs: {runs}")


def stalled_in_publish() -> bool:
    """Some backend of the test database waits on a row lock: the run is publishing."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return bool(cursor.fetchone()[0])


@contextmanager
def account_row_held() -> Iterator[Callable[[], None]]:
    """Hold one account row, so a run stalls inside its publishing transaction; the yielded
    function lets go (also done on leaving)."""
    blocker = psycopg2.connect(child_env()["DATABASE_URL"])
    first = Account.objects.order_by("id").first()
    with blocker.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_account WHERE id = %s FOR UPDATE", [first.pk])
    # Every tier must move, so the run writes a tier change for the held account.
    Account.objects.exclude(pk=first.pk).update(tier="", category="")

    def release() -> None:
        if not blocker.closed:
            blocker.rollback()
            blocker.close()

    try:
        yield release
    finally:
        release()


def status(run: ScoringRun) -> str:
    return ScoringRun.objects.values_list("status", flat=True).get(pk=run.pk)


def recover_with_watchdog(runs: list[ScoringRun], killed_at: float) -> set[int]:
    """Call the watchdog every second, as beat would, until every run succeeded within the
    bound; returns the ids it requeued."""
    requeued: set[int] = set()
    deadline = killed_at + BOUND_SECONDS
    while time.monotonic() < deadline:
        requeued.update(run_watchdog().requeued)
        if all(status(run) == ScoringRun.Status.SUCCEEDED for run in runs):
            return requeued
        time.sleep(1)
    states = {run.pk: (status(run), ScoringRun.objects.get(pk=run.pk).error) for run in runs}
    pytest.fail(f"not finished {BOUND_SECONDS} s after the kill: {states}")


def test_a_run_whose_worker_is_killed_is_finished_by_the_next_worker(short_intervals) -> None:  # noqa: ANN001
    # given a run started from the page, stalled mid-publish in a worker
    make_book()
    with account_row_held() as release:
        worker = start_worker(short_intervals)
        try:
            run = run_start(trigger="user director")
            wait_for(stalled_in_publish, "the run is publishing")
            assert status(run) == ScoringRun.Status.RUNNING
            # when the worker's main process is killed (its pool process dies with it)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=20)
            killed_at = time.monotonic()
        finally:
            stop(worker)
        release()
    time.sleep(STALE / 2)
    assert status(run) == ScoringRun.Status.RUNNING  # nobody finished it: it is stuck
    # then a new worker finishes it once the watchdog has requeued it
    worker = start_worker(short_intervals)
    try:
        requeued = recover_with_watchdog([run], killed_at)
    finally:
        stop(worker)
    run.refresh_from_db()
    assert requeued == {run.pk}
    assert (run.status, run.attempts, run.error) == ("succeeded", 2, "")
    assert run.accounts_scored == Account.objects.count()
    assert run.tier_changes == Account.objects.count()


def test_a_run_whose_pool_process_is_killed_is_finished(short_intervals) -> None:  # noqa: ANN001
    # given a run stalled mid-publish in a worker's pool process
    make_book()
    with account_row_held() as release:
        worker = start_worker(short_intervals)
        try:
            run = run_start(trigger="api token of erp")
            wait_for(stalled_in_publish, "the run is publishing")
            # when only the pool process is killed, as the OOM killer would
            os.kill(pool_child(worker), signal.SIGKILL)
            killed_at = time.monotonic()
            release()
            # then the same worker gets the message again (rejected on worker loss) and,
            # once the dead attempt is silent, takes the run over
            recover_with_watchdog([run], killed_at)
        finally:
            stop(worker)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == ("succeeded", 2, "")
    assert run.tier_changes == Account.objects.count()


def test_a_run_taken_but_not_started_by_a_killed_worker_is_finished(short_intervals) -> None:  # noqa: ANN001
    # given a worker busy with one run and holding the message of a second, which waits its turn
    # (its second pool process found the first run in progress and holds it for a retry)
    make_book()
    with account_row_held() as release:
        worker = start_worker(short_intervals, concurrency=2)
        try:
            first = run_start(trigger="user director")
            wait_for(stalled_in_publish, "the first run is publishing")
            second = run_start(trigger="user director")
            created = ScoringRun.objects.values_list("heartbeat_at", flat=True).get(pk=second.pk)
            wait_for(
                lambda: ScoringRun.objects.values_list("heartbeat_at", flat=True).get(pk=second.pk) != created,
                "the worker took the second run's message",
            )
            # when the worker is killed
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=20)
            killed_at = time.monotonic()
        finally:
            stop(worker)
        release()
    assert status(second) == ScoringRun.Status.QUEUED
    # then a new worker finishes both: the broker would hold the second message for its
    # visibility timeout (30 min), the watchdog sends it again within seconds
    worker = start_worker(short_intervals)
    try:
        requeued = recover_with_watchdog([first, second], killed_at)
    finally:
        stop(worker)
    first.refresh_from_db()
    second.refresh_from_db()
    assert requeued == {first.pk, second.pk}
    assert (first.status, first.attempts) == ("succeeded", 2)
    assert (second.status, second.attempts) == ("succeeded", 1)
