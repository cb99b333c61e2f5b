"""Benchmark: the manager dashboard's data and the weekly snapshot, against bare SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/funnel.py \
        [--accounts 100000 --opportunities 1000000 --snapshot-weeks 26] [--repeat 5] [--reseed]

Seeds with `seed_demo` (opportunities, their stage history and 26 weekly snapshots) when the
database holds fewer opportunities than asked (or with --reseed), then in one process, each
measured thing and its baseline taking turns in every round (the machine is shared):

(a) `funnel.selectors.dashboard` for Team 1 and the current quarter (queries counted) against
    the bare `SELECT stage, sum(amount * probability) … GROUP BY stage` for the same team;
(b) `funnel.services.snapshot_take` for a week without a snapshot against a bare
    `INSERT … SELECT` of the same rows; both rolled back after each repeat.

Prints every run, the medians, their ratios, the peak RSS and the load average before and
after; writes nothing else.
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

from accounts.models import Account, Team, User  # noqa: E402
from funnel import selectors, services  # noqa: E402
from funnel.models import ForecastSnapshot, Opportunity, SnapshotLine, StageChange  # noqa: E402


def interleaved(measured, baseline, repeat: int) -> tuple[list[float], list[float]]:  # noqa: ANN001
    """Seconds of each run of `measured` and `baseline`, taking turns (one warm-up each first)."""
    measured()
    baseline()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for work, spent in ((measured, times[0]), (baseline, times[1])):
            began = time.perf_counter()
            work()
            spent.append(time.perf_counter() - began)
    return times


def _runs(times: list[float]) -> str:
    return ", ".join(f"{t:.3f}" for t in times)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--snapshot-weeks", type=int, default=26)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    if args.reseed or Opportunity.objects.count() < args.opportunities:
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--reset", "--accounts", str(args.accounts), "--orders",
             str(args.orders), "--opportunities", str(args.opportunities), "--snapshot-weeks",
             str(args.snapshot_weeks)],
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
        f"{Account.objects.count():,} accounts, {Opportunity.objects.count():,} opportunities "
        f"({Opportunity.objects.filter(owner__team=team).count():,} of Team 1), "
        f"{StageChange.objects.count():,} stage changes, {SnapshotLine.objects.count():,} snapshot lines, "
        f"{ForecastSnapshot.objects.count()} snapshots; load average {load()}"
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

    runs, bare_runs = interleaved(
        lambda: selectors.dashboard(user=manager, scope=scope, quarter=quarter), bare, args.repeat
    )
    dashboard, bare_seconds = statistics.median(runs), statistics.median(bare_runs)
    print(f"(a) dashboard {dashboard:.3f} s in {len(queries)} queries; bare SQL {bare_seconds:.3f} s; "
          f"ratio {dashboard / bare_seconds:.2f}x")  # fmt: skip
    print(f"    dashboard runs {_runs(runs)}; bare runs {_runs(bare_runs)}")

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

    runs, bare_runs = interleaved(
        lambda: rolled_back(lambda: services.snapshot_take(as_of=day)), lambda: rolled_back(bare_insert), args.repeat
    )
    snapshot, bare_snapshot = statistics.median(runs), statistics.median(bare_runs)
    print(f"(b) snapshot {snapshot:.3f} s; bare INSERT ... SELECT {bare_snapshot:.3f} s; "
          f"ratio {snapshot / bare_snapshot:.2f}x")  # fmt: skip
    print(f"    snapshot runs {_runs(runs)}; bare runs {_runs(bare_runs)}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; load average {load()}")


if __name__ == "__main__":
    main()
