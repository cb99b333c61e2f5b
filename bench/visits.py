"""Benchmark: "not visited for too long" on a rep's and a manager's "my work", and the visit
completion rate, at size, against the rest of "my work" in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_h4 .venv/bin/python bench/visits.py \\
        [--accounts 20000 --activities 5 --repeat 9]

Builds its own world inside one transaction that is rolled back at the end (nothing stays):
a manager leading two reps who own `--accounts` accounts between them, `--activities`
activities per account over the last year (a fifth of them visits), and for each account a
done, skipped or missed visit this month. Then, interleaved in each round so the shared
machine's load falls on all alike, as the rep and as the manager:

  * baseline: `plans.selectors.my_work` (the page's other sections);
  * `plans.selectors.not_visited` (each account's newest visit by the (account, -occurred_at)
    index, plain rows, 3 queries);
  * the first version of it, kept here for the comparison: a join of accounts and activities
    with `Max(occurred_at) FILTER (type = visit)` and model instances for every account;
  * `plans.selectors.visit_rates` for the month (the manager: per rep and per team).

Prints medians (ms), each over the baseline, and every run; appends nothing (copy the table
into docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
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

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account, Team, User  # noqa: E402
from plans import selectors  # noqa: E402
from plans.domain.contacts import local_day  # noqa: E402
from plans.domain.visits import not_visited_for_too_long, visit_interval  # noqa: E402
from plans.models import Activity, Visit  # noqa: E402

CATEGORIES = np.array(["key", "normal", "possible", "unattractive", ""], dtype=object)
TYPES = np.array(["call", "meeting", "visit", "email", "message"], dtype=object)


class Rollback(Exception):  # noqa: N818 - a signal, not an error
    pass


def join_version(user: User) -> int:
    """The first `not_visited`: Max over a join, a model per account. Returns accounts flagged."""
    today = timezone.localdate()
    intervals = selectors.visit_intervals()
    zone = timezone.get_current_timezone()
    owners = Q(owner=user) | (Q(owner__team__manager=user) if user.role == User.Role.MANAGER else Q())
    accounts = (
        Account.objects.visible_to(user)
        .filter(owners)
        .annotate(last=Max("activities__occurred_at", filter=Q(activities__type="visit")))
        .select_related("visit_interval", "owner")
    )
    flagged = 0
    for account in accounts:
        own = getattr(account, "visit_interval", None)
        days = visit_interval(
            category=account.category, override=own.interval_days if own else None, intervals=intervals
        )
        last = local_day(account.last, zone) if account.last else None
        flagged += not_visited_for_too_long(last_visit=last, interval_days=days, today=today)
    return flagged


def build(accounts: int, per_account: int) -> tuple[User, User]:
    rng = np.random.default_rng(9)
    manager = User.objects.create_user(username="bench-manager", password="x", role=User.Role.MANAGER)
    team = Team.objects.create(name="Bench team", manager=manager)
    reps = [User.objects.create_user(username=f"bench-rep{i}", password="x", team=team) for i in range(2)]
    categories = CATEGORIES[rng.integers(0, len(CATEGORIES), accounts)]
    made = Account.objects.bulk_create(
        [Account(name=f"Bench {i}", owner=reps[i % 2], category=categories[i]) for i in range(accounts)],
        batch_size=5000,
    )
    now = timezone.now()
    types = TYPES[rng.integers(0, len(TYPES), accounts * per_account)]
    ages = rng.integers(0, 365 * 24, accounts * per_account)
    Activity.objects.bulk_create(
        [
            Activity(account=made[i // per_account], type=types[i], occurred_at=now - timedelta(hours=int(ages[i])))
            for i in range(accounts * per_account)
        ],
        batch_size=10000,
    )
    first = timezone.localdate().replace(day=1)
    statuses = np.array(["done", "skipped", "planned"], dtype=object)[rng.integers(0, 3, accounts)]
    days = rng.integers(0, 28, accounts)
    Visit.objects.bulk_create(
        [
            Visit(
                account=account,
                owner_id=account.owner_id,
                planned_on=first + timedelta(days=int(days[i])),
                status=statuses[i],
            )
            for i, account in enumerate(made)
        ],
        batch_size=10000,
    )
    with connection.cursor() as cursor:
        for table in ("accounts_account", "plans_activity", "plans_visit", "accounts_user"):
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 - constant names
    return reps[0], manager


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    period = timezone.localdate().strftime("%Y-%m")
    runs: dict[tuple[str, str], list[float]] = {}
    try:
        with transaction.atomic():
            began = time.perf_counter()
            rep, manager = build(args.accounts, args.activities)
            seconds = time.perf_counter() - began
            print(
                f"built {args.accounts:,} accounts, {args.accounts * args.activities:,} activities in {seconds:.1f} s"
            )
            work = {
                "my work (baseline)": lambda u: selectors.my_work(user=u),
                "not visited": lambda u: selectors.not_visited(user=u),
                "not visited, join version": join_version,
                "visit rates (month)": lambda u: selectors.visit_rates(user=u, period=period),
            }
            assert sum(g.total for g in selectors.not_visited(user=manager)) == join_version(manager)
            for user in (rep, manager):  # warm-up
                for job in work.values():
                    job(user)
            for _ in range(args.repeat):
                for user in (rep, manager):
                    for name, job in work.items():
                        start = time.perf_counter()
                        job(user)
                        runs.setdefault((name, user.role), []).append((time.perf_counter() - start) * 1000)
            raise Rollback
    except Rollback:
        pass
    print(
        f"\nPostgreSQL, {os.cpu_count()} cores, Python {platform.python_version()}; {args.accounts:,} accounts "
        f"({args.accounts // 2:,} per rep), {args.activities} activities each; "
        f"median of {args.repeat}, interleaved\n"
    )
    print("| work | rep ms | rep / baseline | manager ms | manager / baseline |\n|---|---|---|---|---|")
    base = {role: statistics.median(runs[("my work (baseline)", role)]) for role in ("rep", "manager")}
    for name in dict.fromkeys(name for name, _ in runs):
        rep_ms, manager_ms = (statistics.median(runs[(name, role)]) for role in ("rep", "manager"))
        ratios = f"{rep_ms / base['rep']:.2f} | {manager_ms:.0f} | {manager_ms / base['manager']:.2f}"
        print(f"| {name} | {rep_ms:.0f} | {ratios} |")
    print(
        "\nAll runs (ms): "
        + "; ".join(f"{name} {role} " + ", ".join(f"{t:.0f}" for t in times) for (name, role), times in runs.items())
    )


if __name__ == "__main__":
    main()
