"""Benchmark: orders through `POST /api/v1/orders/bulk/` against PostgreSQL's own COPY of the same rows.

    createdb -h 127.0.0.1 -U postgres kam_bulkbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bulkbench .venv/bin/python bench/bulk_orders.py \
        [--accounts 3000 --batches 20 --batch-size 5000 --repeat 3]
    dropdb -h 127.0.0.1 -U postgres kam_bulkbench

Migrates the (scratch) database, makes the accounts and an integration user with an
`orders:write` token, then, `--repeat` times, with the orders table emptied before each:
  * API: every batch POSTed through Django's test Client (the whole stack: middleware, token
    auth, throttling, validation, the upsert, the JSON answer; no network), one transaction each;
  * replay: the same batches again (every record "unchanged");
  * COPY: the same rows, preformatted, `COPY accounts_order FROM STDIN`, one transaction a batch.
Client-side encoding (the JSON bodies, the COPY text) is done before the clock starts, for both.
Prints and appends the figures to docs/benchmarks.md. Target: API rate >= 25% of the COPY rate.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ["ALLOWED_HOSTS"] = ",".join(filter(None, [os.environ.get("ALLOWED_HOSTS", ""), "testserver"]))

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Account, Order, User  # noqa: E402
from accounts.tokens import token_create  # noqa: E402

COPY_COLUMNS = ("external_id", "account_id", "ordered_at", "amount", "margin", "status", "updated_at")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, capture_output=True, text=True)


def ensure_accounts(count: int) -> dict[str, int]:
    """ERP id -> account id for `count` bench accounts (made in one bulk insert if missing)."""
    have = dict(Account.objects.filter(external_id__startswith="BENCH-C-").values_list("external_id", "pk"))
    missing = [f"BENCH-C-{i:06}" for i in range(count) if f"BENCH-C-{i:06}" not in have]
    owner = User.objects.filter(is_active=True, role=User.Role.DIRECTOR).first() or User.objects.create_user(
        username="bench-director", role=User.Role.DIRECTOR
    )
    Account.objects.bulk_create([Account(name=key, external_id=key, owner=owner) for key in missing], batch_size=5000)
    return dict(Account.objects.filter(external_id__startswith="BENCH-C-").values_list("external_id", "pk")[:count])


def make_batches(accounts: list[str], batches: int, size: int, seed: int) -> list[list[dict]]:
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    out, n = [], 0
    for _ in range(batches):
        batch = []
        for _ in range(size):
            amount = rng.randrange(1_000, 10_000_000)  # cents
            batch.append(
                {
                    "external_id": f"BENCH-SO-{n:08}",
                    "account_external_id": rng.choice(accounts),
                    "ordered_at": (start + timedelta(days=rng.randrange(1000))).isoformat(),
                    "amount": f"{amount / 100:.2f}",
                    "margin": f"{amount * rng.uniform(0.05, 0.4) / 100:.2f}",
                    "status": rng.choice(("fulfilled", "fulfilled", "fulfilled", "open", "cancelled")),
                }
            )
            n += 1
        out.append(batch)
    return out


def copy_text(batch: list[dict], account_ids: dict[str, int], stamp: str) -> str:
    lines = (
        f"{r['external_id']}\t{account_ids[r['account_external_id']]}\t{r['ordered_at']}\t{r['amount']}\t"
        f"{r['margin']}\t{r['status']}\t{stamp}\n"
        for r in batch
    )
    return "".join(lines)


def empty_orders() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Order._meta.db_table} CASCADE")  # scratch database: invoices/payments too
        cursor.execute(f"VACUUM ANALYZE {Order._meta.db_table}")


def run_api(client: Client, bodies: list[bytes], token: str, expect: str, key_prefix: str = "") -> float:
    answers = []
    began = time.perf_counter()
    for i, body in enumerate(bodies):
        extra = {"HTTP_IDEMPOTENCY_KEY": f"{key_prefix}{i}"} if key_prefix else {}
        response = client.post(
            "/api/v1/orders/bulk/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
            **extra,
        )
        answers.append((response.status_code, response.content))
    seconds = time.perf_counter() - began
    for i, (status, content) in enumerate(answers):  # checked after the clock stops
        if status != 200 or json.loads(content)["summary"][expect] != len(json.loads(bodies[i])["records"]):
            sys.exit(f"batch {i}: {status} {content[:500]!r}")
    return seconds


def run_copy(texts: list[str]) -> float:
    table = Order._meta.db_table
    sql = f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"
    began = time.perf_counter()
    for text in texts:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, io.StringIO(text), size=1 << 20)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=3_000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL (a scratch database: it empties the orders).")

    manage("migrate", "--noinput")
    account_ids = ensure_accounts(args.accounts)
    user, _ = User.objects.get_or_create(username="bench-erp", defaults={"role": User.Role.INTEGRATION})
    _, token = token_create(user=user, name="bench", scopes=["orders:write"])
    batches = make_batches(sorted(account_ids), args.batches, args.batch_size, args.seed)
    bodies = [json.dumps({"records": batch}).encode() for batch in batches]
    stamp = "2026-01-01 00:00:00+00"
    texts = [copy_text(batch, account_ids, stamp) for batch in batches]
    rows = args.batches * args.batch_size
    client = Client()
    # Keep only the encoded bytes/text: 100k record dicts alive in this process would make every
    # full garbage collection during the API calls scan them, a cost no server process has.
    del batches
    gc.collect()
    gc.freeze()

    # Warm up (URL resolver, record validator, statement caches) so that batch 1 is not special.
    warm = [{**json.loads(bodies[0])["records"][0], "external_id": "BENCH-WARMUP"}]
    run_api(client, [json.dumps({"records": warm}).encode()], token, "created")

    timings: dict[str, list[float]] = {"api": [], "replay": [], "keyed": [], "copy": []}
    for _round in range(args.repeat):
        empty_orders()
        timings["api"].append(run_api(client, bodies, token, "created"))
        timings["replay"].append(run_api(client, bodies, token, "unchanged"))
        empty_orders()
        run_id = f"bench-{uuid.uuid4().hex[:12]}-"  # fresh keys: a stored answer would be replayed
        timings["keyed"].append(run_api(client, bodies, token, "created", key_prefix=run_id))
        empty_orders()
        timings["copy"].append(run_copy(texts))
        print({name: f"{rows / values[-1]:,.0f} rows/s" for name, values in timings.items()}, flush=True)
    empty_orders()

    rate = {name: rows / statistics.median(values) for name, values in timings.items()}
    ratio = rate["api"] / rate["copy"]
    lines = [
        f"## Bulk order upsert API vs COPY — {date.today().isoformat()}",
        "",
        f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{args.batches} batches of {args.batch_size:,} orders ({rows:,} rows) over {len(account_ids):,} accounts "
        f"into an empty orders table; Django test Client in-process (no network); median of {args.repeat}.",
        "",
        "| path | rows/s | seconds for all rows |",
        "|---|---|---|",
        f"| `COPY accounts_order FROM STDIN`, one transaction a batch | {rate['copy']:,.0f} "
        f"| {statistics.median(timings['copy']):.2f} |",
        f"| `POST /api/v1/orders/bulk/` (all created) | {rate['api']:,.0f} | {statistics.median(timings['api']):.2f} |",
        f"| same, with an `Idempotency-Key` per batch | {rate['keyed']:,.0f} "
        f"| {statistics.median(timings['keyed']):.2f} |",
        f"| same batches replayed (all unchanged) | {rate['replay']:,.0f} "
        f"| {statistics.median(timings['replay']):.2f} |",
        f"| **ratio API / COPY** (target ≥ 0.25) | **{ratio:.2f}** | |",
        "",
        "All runs (s): " + "; ".join(f"{name} {', '.join(f'{s:.2f}' for s in runs)}" for name, runs in timings.items()),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    header = "# Benchmarks\n\nFigures appended by the scripts in `bench/`; newest last.\n\n"
    with out.open("a", encoding="utf-8") as handle:  # append only: other benchmarks write here too
        if handle.tell() == 0:
            handle.write(header)
        handle.write(text + "\n")


if __name__ == "__main__":
    main()
