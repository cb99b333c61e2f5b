"""Benchmark: the time-allocation report (plans.selectors.time_allocation) against the bare
grouped sum it is built on, for a manager and the director, at size.

    createdb -h 127.0.0.1 -U postgres kam_h3_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_h3_bench \\
        .venv/bin/python bench/time_allocation.py [--accounts 5000 --orders 300000] [--repeat 7] [--no-write]

Seeds with `seed_demo` (tiering included) when the database holds fewer accounts than asked,
then `VACUUM ANALYZE`. For this year, times the report (people + the one grouped
query + the guideline comparison) and the bare `SUM(duration_minutes) GROUP BY participant,
category` over every activity of that year (no visibility, no people) interleaved, --repeat
times each after a warm-up; medians and the ratio report / bare. Appends to docs/benchmarks.md
unless --no-write.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import Account, User  # noqa: E402
from plans.models import Activity  # noqa: E402
from plans.selectors import time_allocation  # noqa: E402

BARE = (
    "SELECT p.user_id, a.category, SUM(act.duration_minutes) FROM plans_activity_participants p "
    "JOIN plans_activity act ON act.id = p.activity_id JOIN accounts_account a ON a.id = act.account_id "
    "WHERE act.occurred_at >= %s AND act.occurred_at < %s GROUP BY p.user_id, a.category"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--orders", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if Account.objects.count() < args.accounts:
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--reset", "--accounts", str(args.accounts),
             "--orders", str(args.orders)],
            cwd=ROOT, check=True,
        )  # fmt: skip
        print(f"seeded in {time.perf_counter() - began:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    year = date.today().year
    period = str(year)
    since, until = f"{year}-01-01T00:00:00+00:00", f"{year + 1}-01-01T00:00:00+00:00"
    people = {name: User.objects.get(username=name) for name in ("manager1", "director")}
    activities = Activity.objects.filter(occurred_at__gte=since, occurred_at__lt=until).count()

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(BARE, [since, until])
            cursor.fetchall()

    timed: dict[str, list[float]] = {"bare": [], **{name: [] for name in people}}
    jobs = {
        "bare": bare,
        **{name: (lambda u=user: time_allocation(user=u, period=period)) for name, user in people.items()},
    }
    for job in jobs.values():  # warm-up
        job()
    for _ in range(args.repeat):
        for name, job in jobs.items():  # interleaved: the shared machine's load falls on all alike
            began = time.perf_counter()
            job()
            timed[name].append(time.perf_counter() - began)
    medians = {name: statistics.median(runs) for name, runs in timed.items()}
    lines = [
        f"## Time allocation report vs bare grouped sum — {date.today().isoformat()}",
        "",
        f"PostgreSQL, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{Account.objects.count():,} accounts, {activities:,} activities in {period}; "
        f"median of {args.repeat}, interleaved.",
        "",
        "| measure | ms | ratio to bare |",
        "|---|---|---|",
        f"| bare `SUM(duration_minutes) GROUP BY participant, category` (all activities, no visibility) | "
        f"{medians['bare'] * 1000:.1f} | 1.00 |",
    ]
    for name in people:
        lines.append(
            f"| `time_allocation` as {name} | {medians[name] * 1000:.1f} | {medians[name] / medians['bare']:.2f} |"
        )
    lines += ["", "All runs (ms): " + "; ".join(
        f"{name} " + ", ".join(f"{t * 1000:.1f}" for t in runs) for name, runs in timed.items()
    ), ""]  # fmt: skip
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
