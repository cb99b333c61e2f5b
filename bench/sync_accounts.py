"""Benchmark: a full sync of the accounts through the API cursor, as JSON and as CSV pages, against a
bare COPY of the same columns.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/sync_accounts.py \
        [--accounts 100000] [--page-size 1000] [--runs 3] [--reseed] [--no-gc-freeze]

Seeds only accounts (bulk_create, no orders) when the database holds fewer than asked, stamped
with 5 shared `updated_at` values (as bulk imports and a tiering run leave them: many rows per
timestamp, the case that used to loop). Then, in one process: pages
`GET /api/v1/accounts/?page_size=N` through Django's test client as a director's token until
`next` is null (every row once is checked), timing every page (request to parsed body; the
parsing is also reported apart); and times
`COPY (SELECT <the account columns the API returns> ORDER BY updated_at, id) TO STDOUT`.
Then the same sync as CSV pages (`Accept: text/csv`, the next cursor from the `X-Next-Cursor`
header, each body parsed with `csv.reader`). `--runs` rounds, each timing the COPY, the JSON sync
and the CSV sync in turn (interleaved, so that a change of load hits all three). Prints, per run
and as medians, the ratios COPY / sync in wall and in CPU time (this process and its PostgreSQL
backend, which a loaded machine distorts less), and the first, middle and last page times.

Three ratios, because a COPY's time is to its bytes while a page's time ran to its parsed body:
- "delivered": COPY to its bytes / the sync to its pages' bytes (each page's parsing left out),
  like for like, the issue's measure;
- "read": the COPY and then its text read by `csv.reader` (tab-delimited, as COPY's text format
  is) / the sync to its parsed pages: both sides delivered and read, as a client would;
- "strict": COPY to its bytes / the sync to its parsed pages (the figure reported until
  2026-11-30, which charges the client's parsing to one side only).
"""

from __future__ import annotations

import argparse
import csv
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


def sync(client: APIClient, page_size: int) -> tuple[list[float], list[tuple[float, float]], int]:
    """(each page's time, the part of it the client spent parsing the body in wall and CPU
    seconds, rows): a page's time runs from the request to its body parsed, as a client's would."""
    url, params, times, parsing, seen = "/api/v1/accounts/", {"page_size": page_size}, [], [], set()
    count = 0
    while url:
        began = time.perf_counter()
        response = client.get(url, params)
        answered, answered_cpu = time.perf_counter(), time.process_time()
        body = json.loads(response.content)
        times.append(time.perf_counter() - began)
        parsing.append((time.perf_counter() - answered, time.process_time() - answered_cpu))
        assert response.status_code == 200, body
        ids = [row["id"] for row in body["results"]]
        count += len(ids)
        seen.update(ids)
        url, params = body["next"], None
    assert len(seen) == count, "a row came twice"
    return times, parsing, count


def sync_csv(client: APIClient, page_size: int) -> tuple[list[float], list[tuple[float, float]], int]:
    """As `sync`, through CSV pages: the cursor from `X-Next-Cursor`, each body read by `csv.reader`."""
    params, times, parsing, seen = {"page_size": page_size}, [], [], set()
    count = 0
    while params:
        began = time.perf_counter()
        response = client.get("/api/v1/accounts/", params, HTTP_ACCEPT="text/csv")
        answered, answered_cpu = time.perf_counter(), time.process_time()
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        times.append(time.perf_counter() - began)
        parsing.append((time.perf_counter() - answered, time.process_time() - answered_cpu))
        assert response.status_code == 200, response.content
        assert rows[0][0] == "id", rows[0]
        ids = [int(row[0]) for row in rows[1:]]
        count += len(ids)
        seen.update(ids)
        following = response.headers.get("X-Next-Cursor")
        params = {"page_size": page_size, "cursor": following} if following is not None else None
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


def copy_seconds(accounts: int) -> tuple[float, float, float]:
    """(wall, CPU) seconds of the COPY to its bytes, and the seconds then spent reading its text
    with `csv.reader` (tab-delimited, as COPY's text format is; every row checked to arrive)."""
    table = Account._meta.db_table
    sink = io.StringIO()
    cpu = cpu_seconds()
    began = time.perf_counter()
    with connection.cursor() as cursor:
        select = f"SELECT {', '.join(COLUMNS)} FROM {table} ORDER BY updated_at, id"  # noqa: S608
        cursor.cursor.copy_expert(f"COPY ({select}) TO STDOUT", sink)
    wall, cpu = time.perf_counter() - began, cpu_seconds() - cpu
    began = time.perf_counter()
    count = 0
    for row in csv.reader(io.StringIO(sink.getvalue()), delimiter="\t", quoting=csv.QUOTE_NONE):
        assert len(row) == len(COLUMNS), row
        count += 1  # rows read one by one and let go, as each page's are
    reading = time.perf_counter() - began
    assert count == accounts, count
    return wall, cpu, reading


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
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

    copy_seconds(args.accounts)  # warms the cache for all
    # One small request of each first: a server process imports its views and URLconf once, not per sync.
    assert client.get("/api/v1/accounts/", {"page_size": 1}).status_code == 200
    assert client.get("/api/v1/accounts/", {"page_size": 1}, HTTP_ACCEPT="text/csv").status_code == 200
    # Client and server share this process: without this, each full collection walks all of
    # Django's start-up objects (0.1-0.9 s each under load, ~2 s a sync), as a forked server
    # worker after gc.freeze() would not. --no-gc-freeze measures with them.
    if not args.no_gc_freeze:
        gc.freeze()
    results: dict[str, list[dict]] = {"json": [], "csv": []}
    copies: list[tuple[float, float, float]] = []
    for run in range(1, args.runs + 1):
        load = os.getloadavg()
        copies.append(copy_seconds(args.accounts))
        for kind, walk in (("json", sync), ("csv", sync_csv)):
            cpu = cpu_seconds()
            began = time.perf_counter()
            times, parsing, count = walk(client, args.page_size)
            total = time.perf_counter() - began
            assert count == args.accounts, f"{kind}: reached {count} of {args.accounts}"
            results[kind].append(
                {
                    "wall": total,
                    "cpu": cpu_seconds() - cpu,
                    "parsing": sum(wall for wall, _ in parsing),
                    "parsing_cpu": sum(cpu for _, cpu in parsing),
                    "times": times,
                    "pages": len(times),
                }
            )
        copy, copy_cpu, copy_reading = copies[-1]
        loads = " ".join(f"{value:.2f}" for value in load)
        print(f"run {run} (load average {loads}): COPY {copy:.2f} s, CPU {copy_cpu:.2f} s, read {copy_reading:.2f} s")
        for kind in ("json", "csv"):
            r = results[kind][-1]
            times = r["times"]
            delivered, read, strict = ratios(copies[-1], r)
            print(
                f"  {kind}: {r['pages']} pages, {r['wall']:.2f} s wall (parsing {r['parsing']:.2f} s), "
                f"CPU {r['cpu']:.2f} s; ratio COPY / sync delivered {delivered[0]:.2f}x wall, "
                f"{delivered[1]:.2f}x CPU; read {read:.2f}x; strict {strict:.2f}x; page first "
                f"{times[0] * 1000:.0f} ms, middle {times[len(times) // 2] * 1000:.0f} ms, last "
                f"{times[-1] * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms"
            )
    copy = statistics.median(c[0] for c in copies)
    copy_cpu = statistics.median(c[1] for c in copies)
    copy_reading = statistics.median(c[2] for c in copies)
    print(f"medians over {args.runs} runs ({args.accounts} accounts, page_size={args.page_size}):")
    print(f"  COPY of the same columns: {copy:.2f} s wall, {copy_cpu:.2f} s CPU; reading its text {copy_reading:.2f} s")
    for kind in ("json", "csv"):
        wall = statistics.median(r["wall"] for r in results[kind])
        cpu = statistics.median(r["cpu"] for r in results[kind])
        parsing = statistics.median(r["parsing"] for r in results[kind])
        each = [ratios(c, r) for c, r in zip(copies, results[kind], strict=True)]
        delivered_wall = statistics.median(e[0][0] for e in each)
        delivered_cpu = statistics.median(e[0][1] for e in each)
        read, strict = statistics.median(e[1] for e in each), statistics.median(e[2] for e in each)
        pages = [statistics.median(r["times"][i] for r in results[kind]) * 1000 for i in (0, len(r["times"]) // 2, -1)]
        print(
            f"  {kind} sync: {wall:.2f} s wall ({args.accounts / wall:,.0f} rows/s), parsing {parsing:.2f} s, "
            f"{cpu:.2f} s CPU; ratio COPY / sync (target >= 0.2x): delivered {delivered_wall:.2f}x wall, "
            f"{delivered_cpu:.2f}x CPU; read {read:.2f}x wall; strict {strict:.2f}x wall; "
            f"page first / middle / last {pages[0]:.0f} / {pages[1]:.0f} / {pages[2]:.0f} ms"
        )


def ratios(copy: tuple[float, float, float], sync: dict) -> tuple[tuple[float, float], float, float]:
    """((delivered in wall, delivered in CPU), read, strict) of one run: see the module's docstring.
    The pages' parsing comes off the sync's wall time as wall time and off its CPU time as CPU time."""
    copy_wall, copy_cpu, copy_reading = copy
    delivered = (copy_wall / (sync["wall"] - sync["parsing"]), copy_cpu / (sync["cpu"] - sync["parsing_cpu"]))
    return delivered, (copy_wall + copy_reading) / sync["wall"], copy_wall / sync["wall"]


if __name__ == "__main__":
    main()
