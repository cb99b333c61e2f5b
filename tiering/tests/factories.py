"""Builders for tiering tests, on the accounts test world (accounts/tests/factories.py)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from accounts.tests.factories import World, build_world, make_order
from tiering.models import ScoringRun
from tiering.services import run_execute, run_request


def make_run(*, as_of: date | None = None) -> ScoringRun:
    """Run the tiering now, in-process, over what the database holds; the finished run."""
    return run_execute(run_id=run_request(as_of=as_of, trigger="test").pk)


def build_tiered_world(*, amounts: tuple[str, ...] = ("5000.00",), days_ago: int = 3) -> World:
    """The accounts test world with one order (margin 500.00) `days_ago` days ago per amount —
    the first for `world.account`, the second for `world.other_account` — and one finished run."""
    world = build_world()
    ordered_at = timezone.localdate() - timedelta(days=days_ago)
    for account, amount in zip((world.account, world.other_account), amounts, strict=False):
        make_order(account, ordered_at, amount, "500.00")
    make_run()
    world.account.refresh_from_db()
    world.other_account.refresh_from_db()
    return world
