"""Benchmark: the whole nightly tiering run against the bare SQL aggregate it starts from.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/tiering_run.py \
        [--accounts 100000 --orders 10000000] [--repeat 3] [--reseed]

Seeds the database with `seed_demo` when it holds fewer orders than asked (or with --reseed),
then, in the same process run: times the bare aggregate
`SELECT account_id, max(ordered_at), count(*), sum(amount) FROM orders WHERE <window> GROUP BY account_id`
and the full run (`manage.py recompute_tiers`, in a child process whose peak RSS is measured;
timed by the run's own recorded start and finish, and by the command's wall clock), each
--repeat times, and appends the figures to docs/benchmarks.md. The database is VACUUM
ANALYZEd first, the steady state autovacuum keeps.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import Order  # noqa: E402
from tiering.models import ScoringRun  # noqa: E402
from tiering.services import config_current  # noqa: E402


def manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, capture_output=True, text=True)


def bare_aggregate_seconds(as_of: date, window_days: int) -> float:
    start = as_of - timedelta(days=window_days)
    table = Order._meta.db_table
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT account_id, max(ordered_at), count(*), sum(amount) FROM {table} "
            "WHERE ordered_at > %s AND ordered_at <= %s AND status <> 'cancelled' GROUP BY account_id",
            [start, as_of],
        )
        cursor.fetchall()
    return time.perf_counter() - began


def full_run(as_of: date) -> tuple[float, float]:
    """The run's own seconds (its recorded start to finish, as a Celery worker spends them)
    and the wall seconds of the whole `recompute_tiers` command (Python, Django and pandas
    start-up included)."""
    began = time.perf_counter()
    manage("recompute_tiers", "--as-of", as_of.isoformat())
    wall = time.perf_counter() - began
    run = ScoringRun.objects.order_by("-id").first()
    if run.status != ScoringRun.Status.SUCCEEDED:
        sys.exit(f"run #{run.pk} {run.status}: {run.error}")
    return (run.finished_at - run.started_at).total_seconds(), wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL.")

    manage("migrate", "--noinput")
    orders = Order.objects.count()
    if args.reseed or orders < args.orders:
        began = time.perf_counter()
        manage("seed_demo", "--accounts", str(args.accounts), "--orders", str(args.orders), "--reset")
        print(f"seeded in {time.perf_counter() - began:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps: visibility map set
    orders = Order.objects.count()
    as_of = Order.objects.order_by("-ordered_at").values_list("ordered_at", flat=True).first()
    window = config_current().data["window_days"]

    bare_aggregate_seconds(as_of, window)  # warm the cache so both sides read from memory
    bare, runs, walls = [], [], []
    for _ in range(args.repeat):
        bare.append(bare_aggregate_seconds(as_of, window))
        seconds, wall = full_run(as_of)
        runs.append(seconds)
        walls.append(wall)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    bare_s, run_s, wall_s = statistics.median(bare), statistics.median(runs), statistics.median(walls)
    ratio = run_s / bare_s
    lines = [
        f"## Tiering run vs bare aggregate — {date.today().isoformat()}",
        "",
        f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{orders:,} orders, as of {as_of}, window {window} days; median of {args.repeat}.",
        "",
        "| measure | seconds |",
        "|---|---|",
        f"| bare `GROUP BY account_id` aggregate over the window | {bare_s:.2f} |",
        f"| full run (load, score, snapshots, tier changes, publish; as recorded by the run) | {run_s:.2f} |",
        f"| **ratio** (target ≤ 2.0) | **{ratio:.2f}** |",
        f"| `recompute_tiers` command wall time, process start-up included | {wall_s:.2f} |",
        f"| ratio with start-up | {wall_s / bare_s:.2f} |",
        f"| peak RSS of the run's process (target < 1024 MiB) | {peak_kib / 1024:.0f} MiB |",
        "",
        f"All runs: bare {', '.join(f'{s:.2f}' for s in bare)} s; run {', '.join(f'{s:.2f}' for s in runs)} s; "
        f"command {', '.join(f'{s:.2f}' for s in walls)} s.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    header = "# Benchmarks\n\nFigures appended by the scripts in `bench/`; newest last.\n\n"
    existing = out.read_text() if out.exists() else header
    out.write_text(existing + text + "\n")


if __name__ == "__main__":
    main()
