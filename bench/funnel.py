"""Benchmark: the manager dashboard's data and the weekly snapshot, against bare SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/funnel.py \
        [--accounts 100000 --opportunities 1000000] [--repeat 5] [--reseed]

Seeds with `seed_demo` (opportunities, their stage history and 52 weekly snapshots) when the
database holds fewer opportunities than asked (or with --reseed), then in one process:

(a) `funnel.selectors.dashboard` for Team 1 and the current quarter (queries counted) against
    the bare `SELECT stage, sum(amount * probability) … GROUP BY stage` for the same team;
(b) `funnel.services.snapshot_take` for a week without a snapshot against a bare
    `INSERT … SELECT` of the same rows; both rolled back after each repeat.

Prints the medians, their ratios and the peak RSS; writes nothing else.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Team, User  # noqa: E402
from funnel import selectors, services  # noqa: E402
from funnel.models import ForecastSnapshot, Opportunity, SnapshotLine  # noqa: E402


def median_seconds(work, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    if args.reseed or Opportunity.objects.count() < args.opportunities:
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--reset", "--accounts", str(args.accounts), "--orders",
             str(args.orders), "--opportunities", str(args.opportunities)],
            cwd=ROOT, check=True,
        )  # fmt: skip
        print(f"seeded in {time.perf_counter() - began:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    manager = User.objects.get(username="manager1")
    team = Team.objects.get(name="Team 1")
    scope = selectors.Scope(team=team)
    quarter = selectors.current_quarter()
    print(
        f"{Opportunity.objects.count():,} opportunities, {SnapshotLine.objects.count():,} snapshot lines, "
        f"{ForecastSnapshot.objects.count()} snapshots"
    )

    # (a) the dashboard against the bare weighted sum per stage for the same team
    with CaptureQueriesContext(connection) as queries:
        selectors.dashboard(user=manager, scope=scope, quarter=quarter)
    bare_sql = (
        f"SELECT o.stage, sum(o.amount * o.probability) FROM {Opportunity._meta.db_table} o "  # noqa: S608
        "JOIN accounts_user u ON u.id = o.owner_id WHERE u.team_id = %s GROUP BY o.stage"
    )

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(bare_sql, [team.pk])
            cursor.fetchall()

    dashboard = median_seconds(lambda: selectors.dashboard(user=manager, scope=scope, quarter=quarter), args.repeat)
    bare_seconds = median_seconds(bare, args.repeat)
    print(f"(a) dashboard {dashboard:.3f} s in {len(queries)} queries; bare SQL {bare_seconds:.3f} s; "
          f"ratio {dashboard / bare_seconds:.1f}x")  # fmt: skip

    # (b) the snapshot against a bare INSERT ... SELECT of the same rows (rolled back each time)
    day = timezone.localdate() + timedelta(days=7 * 60)

    class Rollback(Exception):  # noqa: N818
        pass

    def rolled_back(work) -> None:  # noqa: ANN001
        try:
            with transaction.atomic():
                work()
                raise Rollback
        except Rollback:
            pass

    def bare_insert() -> None:
        snapshot = ForecastSnapshot.objects.create(week=day, as_of=day)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SnapshotLine._meta.db_table} (snapshot_id, opportunity_id, account_id, owner_id, "  # noqa: S608
                "amount, probability, forecast_category, stage, expected_close_date, updated_at) "
                f"SELECT %s, id, account_id, owner_id, amount, probability, forecast_category, stage, "
                f"expected_close_date, now() FROM {Opportunity._meta.db_table} "
                "WHERE stage IN ('first_contact', 'needs_understood', 'proposal', 'negotiation')",
                [snapshot.pk],
            )

    snapshot = median_seconds(lambda: rolled_back(lambda: services.snapshot_take(as_of=day)), args.repeat)
    bare_snapshot = median_seconds(lambda: rolled_back(bare_insert), args.repeat)
    print(f"(b) snapshot {snapshot:.3f} s; bare INSERT ... SELECT {bare_snapshot:.3f} s; "
          f"ratio {snapshot / bare_snapshot:.2f}x")  # fmt: skip
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
