"""Benchmark: the dashboard's account charts (account funnel, tiering charts, accuracy per rep)
against the rest of the dashboard, in the same process, interleaved.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/dashboard_charts.py [--repeat 7]

Needs a database seeded by `seed_demo` (two tiering runs, opportunities and snapshots). For
manager1 (Team 1's figures) and the director (everyone's), each round times the baseline (the
dashboard without the new charts: `selectors.dashboard` minus the three new calls) and each new
chart once, in turn; prints the medians, the queries of each and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Account, Order, User  # noqa: E402
from funnel import selectors, selectors_accounts, selectors_reps  # noqa: E402


def baseline(user: User, scope: selectors.Scope, quarter: selectors.Quarter) -> None:
    """The dashboard as it was before the new charts."""
    selectors.forecast_figures(user=user, quarter=quarter, scope=scope)
    statistics_ = selectors.stage_statistics(user=user, scope=scope)
    selectors.sales_funnel(user=user, scope=scope, quarter=quarter)
    selectors.weighted_by_quarter(user=user, scope=scope, quarters=[quarter.previous(), quarter, quarter.next()])
    selectors.forecast_accuracy(user=user, quarter=quarter, scope=scope)
    selectors.stalled_deals(user=user, scope=scope)
    selectors.whitespace(user=user, scope=scope)
    selectors.receivables_ageing(user=user, scope=scope)
    selectors.commitments(user=user, quarter=quarter, scope=scope)
    selectors.data_driven_forecast(user=user, quarter=quarter, scope=scope, won=0, statistics=statistics_)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    quarter = selectors.current_quarter()
    print(f"{Account.objects.count():,} accounts, {Order.objects.count():,} orders; quarter {quarter.label}")
    work = {
        "baseline (dashboard before)": baseline,
        "account funnel": lambda u, s, q: selectors_accounts.account_funnel(user=u, scope=s, quarter=q),
        "tiering charts": lambda u, s, q: selectors_accounts.tiering_charts(user=u, scope=s, quarter=q),
        "accuracy per rep": lambda u, s, q: selectors_reps.rep_accuracy(user=u, scope=s, quarter=q),
    }
    for username in ("manager1", "director"):
        user = User.objects.get(username=username)
        scope = selectors.Scope()
        queries = {}
        for name, run in work.items():
            with CaptureQueriesContext(connection) as captured:
                run(user, scope, quarter)  # warm-up, and the query count
            queries[name] = len(captured)
        times: dict[str, list[float]] = {name: [] for name in work}
        for _round in range(args.repeat):
            for name, run in work.items():
                began = time.perf_counter()
                run(user, scope, quarter)
                times[name].append(time.perf_counter() - began)
        base = statistics.median(times["baseline (dashboard before)"])
        for name in work:
            median = statistics.median(times[name])
            runs = ", ".join(f"{t * 1000:.0f}" for t in times[name])
            print(f"{username:9} {name:28} {median * 1000:8.0f} ms  {queries[name]:3} queries  "
                  f"{median / base:5.2f}x  runs: {runs}")  # fmt: skip


if __name__ == "__main__":
    main()
