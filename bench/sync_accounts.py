"""Benchmark: a full sync of the accounts through the API cursor against a bare COPY of the same columns.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/sync_accounts.py \
        [--accounts 100000] [--page-size 1000] [--reseed] [--no-gc-freeze]

Seeds only accounts (bulk_create, no orders) when the database holds fewer than asked, stamped
with 5 shared `updated_at` values (as bulk imports and a tiering run leave them: many rows per
timestamp, the case that used to loop). Then, in one process: pages
`GET /api/v1/accounts/?page_size=N` through Django's test client as a director's token until
`next` is null (every row once is checked), timing every page (request to parsed body; the
parsing is also reported apart); and times
`COPY (SELECT <the account columns the API returns> ORDER BY updated_at, id) TO STDOUT`.
Prints the ratio COPY / sync and the first, middle and last page times, and the same ratio in CPU
time (this process and its PostgreSQL backend), which a loaded machine distorts less.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("API_THROTTLE_RATE", "100000/min")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import Account, User  # noqa: E402
from kam.testing import token_client  # noqa: E402

COLUMNS = [  # what AccountSerializer returns from the account row itself
    "id",
    "external_id",
    "name",
    "english_name",
    "parent_id",
    "industry",
    "region",
    "employees",
    "annual_revenue",
    "business_strategy",
    "main_products",
    "credit_level",
    "operating_status",
    "development_bottleneck",
    "relationship_type",
    "lifecycle_stage",
    "owner_id",
    "tier",
    "category",
    "created_at",
    "updated_at",
]


def seed(accounts: int) -> None:
    Account.objects.all().delete()
    # Every account has an owner (a required field): ten reps take turns.
    owners = [
        User.objects.get_or_create(username=f"bench-rep{n}", defaults={"role": User.Role.REP})[0] for n in range(10)
    ]
    batch = 5_000
    for start in range(0, accounts, batch):
        Account.objects.bulk_create(
            Account(
                name=f"客户 {i:06d}",
                external_id=f"C-{i:06d}",
                industry=("Machinery", "Chemicals", "Electronics")[i % 3],
                region=("East China", "North China", "South China")[i % 3],
                employees=100 + i % 5000,
                owner=owners[i % len(owners)],
            )
            for i in range(start, min(start + batch, accounts))
        )
    # Five shared timestamps, as 5,000-record bulk batches and a tiering run leave them.
    base = datetime(2026, 11, 1, 2, 30, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Account._meta.db_table} SET updated_at = %s + (id %% 5) * interval '1 minute'",  # noqa: S608
            [base],
        )
        cursor.execute(f"VACUUM ANALYZE {Account._meta.db_table}")


def sync(client: APIClient, page_size: int) -> tuple[list[float], list[float], int]:
    """(each page's time, the part of it the client spent parsing the body, rows): a page's time
    runs from the request to its body parsed, as a client's would."""
    url, params, times, parsing, seen = "/api/v1/accounts/", {"page_size": page_size}, [], [], set()
    count = 0
    while url:
        began = time.perf_counter()
        response = client.get(url, params)
        answered = time.perf_counter()
        body = json.loads(response.content)
        times.append(time.perf_counter() - began)
        parsing.append(time.perf_counter() - answered)
        assert response.status_code == 200, body
        ids = [row["id"] for row in body["results"]]
        count += len(ids)
        seen.update(ids)
        url, params = body["next"], None
    assert len(seen) == count, "a row came twice"
    return times, parsing, count


def server_cpu_seconds() -> float:
    """CPU time used so far by this connection's PostgreSQL backend (Linux, server on this machine;
    else 0): on a shared, loaded machine wall times mostly measure waiting for a core."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except OSError:
        return 0.0


def cpu_seconds() -> float:
    """CPU time of this process (client and Django) plus its PostgreSQL backend's."""
    return time.process_time() + server_cpu_seconds()


def copy_seconds() -> tuple[float, float]:
    """(wall, CPU) seconds of the COPY."""
    table = Account._meta.db_table
    sink = io.StringIO()
    cpu = cpu_seconds()
    began = time.perf_counter()
    with connection.cursor() as cursor:
        select = f"SELECT {', '.join(COLUMNS)} FROM {table} ORDER BY updated_at, id"  # noqa: S608
        cursor.cursor.copy_expert(f"COPY ({select}) TO STDOUT", sink)
    return time.perf_counter() - began, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--no-gc-freeze", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    if args.reseed or Account.objects.count() != args.accounts:
        began = time.perf_counter()
        seed(args.accounts)
        print(f"seeded {args.accounts} accounts in {time.perf_counter() - began:.1f} s")
    director, _ = User.objects.get_or_create(username="bench-director", defaults={"role": User.Role.DIRECTOR})
    client = token_client(director)

    copy_first = copy_seconds()  # warms the cache for both
    # One small request first: a server process imports its views and URLconf once, not per sync.
    assert client.get("/api/v1/accounts/", {"page_size": 1}).status_code == 200
    # Client and server share this process: without this, each full collection walks all of
    # Django's start-up objects (0.1-0.9 s each under load, ~2 s a sync), as a forked server
    # worker after gc.freeze() would not. --no-gc-freeze measures with them.
    if not args.no_gc_freeze:
        gc.freeze()
    load = os.getloadavg()
    cpu = cpu_seconds()
    began = time.perf_counter()
    times, parsing, count = sync(client, args.page_size)
    total = time.perf_counter() - began
    sync_cpu = cpu_seconds() - cpu
    copy_second = copy_seconds()
    copy, copy_cpu = min(copy_first[0], copy_second[0]), min(copy_first[1], copy_second[1])
    assert count == args.accounts, f"reached {count} of {args.accounts}"
    middle = times[len(times) // 2]
    print(f"accounts: {count}, pages: {len(times)} at page_size={args.page_size}")
    print(f"full sync through the API: {total:.2f} s ({count / total:,.0f} rows/s)")
    print(f"  of which the client parsing the pages' JSON: {sum(parsing):.2f} s")
    print(f"COPY of the same columns:  {copy:.2f} s")
    print(f"ratio COPY / sync: {copy / total:.2f}x")
    print(
        f"CPU time (this process + its PostgreSQL backend): sync {sync_cpu:.2f} s, COPY {copy_cpu:.2f} s, "
        f"ratio {copy_cpu / sync_cpu:.2f}x"
    )
    print(
        f"page times: first {times[0] * 1000:.0f} ms, middle {middle * 1000:.0f} ms, "
        f"last {times[-1] * 1000:.0f} ms, "
        f"median {statistics.median(times) * 1000:.0f} ms"
    )
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
