"""Benchmark: the account list's count for a rep and a manager against the director's, in the
shapes the visibility rule can take (issue 12 item 9; accounts/visibility.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_pagebench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/visibility_counts.py [--repeat 15]

Run on a database `bench/pages_at_size.py` seeded (the demo people rep1 and manager1). Times,
in the Django process, `count()` of: every account (the director's list); a person's visible
accounts as the list counts them now (their AccountAccess range alone); the same set as
`id IN (their range)` (the shape `visible_to` filters with); and the rule computed from owners,
teams and account teams (the shape before the access table, still SQLite's). The variants take
turns within each round (the shared machine's load falls on all alike); medians, and each over
the director's. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import Account, AccountAccess, User  # noqa: E402
from accounts.visibility import computed_rule  # noqa: E402


def variants() -> dict[str, Callable[[], int]]:
    found: dict[str, Callable[[], int]] = {"director: every account": lambda: Account.objects.count()}
    for name in ("rep1", "manager1"):
        user = User.objects.get(username=name)
        found[f"{name}: access range (the list now)"] = lambda u=user: Account.objects.visible_to(u).count()
        found[f"{name}: id IN (access range)"] = lambda u=user: Account.objects.filter(
            pk__in=AccountAccess.objects.filter(user_id=u.pk).values("account_id")
        ).count()
        found[f"{name}: rule computed (before; SQLite)"] = lambda u=user: Account.objects.filter(
            computed_rule(u)
        ).count()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL.")
    counts = variants()
    for count in counts.values():  # warm-up
        count()
    times: dict[str, list[float]] = {name: [] for name in counts}
    names = list(counts)
    for round_no in range(args.repeat):
        for name in names[round_no % len(names) :] + names[: round_no % len(names)]:
            began = time.perf_counter()
            counts[name]()
            times[name].append((time.perf_counter() - began) * 1000)
    director = statistics.median(times[names[0]])
    print("| count | ms (median) | / director |")
    print("|---|---|---|")
    for name, runs in times.items():
        print(f"| {name} | {statistics.median(runs):.1f} | {statistics.median(runs) / director:.2f} |")
    print()
    print("All runs (ms): " + "; ".join(f"{n} " + ", ".join(f"{t:.0f}" for t in v) for n, v in times.items()))


if __name__ == "__main__":
    main()
