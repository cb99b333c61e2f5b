"""Benchmark: the main pages for a rep, a manager and the director at a real company's size,
on gunicorn, and a load run (issue 12 item 9).

    createdb -h 127.0.0.1 -U postgres kam_pagebench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_pagebench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/pages_at_size.py [--accounts 100000 --orders 10000000] [--repeat 15] \\
        [--workers 4 --threads 2] [--clients 50 --seconds 60] [--no-write]

Seeds the database with `seed_demo` when it holds fewer orders than asked and runs the tiering
twice when fewer than two successful runs exist (the migration report compares two), then
`VACUUM ANALYZE` (the steady state autovacuum keeps) and `collectstatic` into a scratch folder.
Starts gunicorn (`kam.wsgi`, DEBUG off) on a free local port and, as `rep1`, `manager1` and
`director` (signed-in sessions; an API token each):

  * pages: the account list, one account's page (an account of rep1's, which all three see),
    the tier matrix, the migration report and `GET /api/v1/accounts/` (100 rows); each timed
    --repeat times after a warm-up, the three people taking turns within each round so that
    the shared machine's load falls on all of them alike; medians, and each person's median
    over the director's (target ≤ 2.0, every page < 150 ms median);
  * load: --clients concurrent clients for --seconds, each repeating a mix of a rep's account
    list, one of the rep's account pages, the rep's matrix and the rep's API list (the six demo
    reps spread over the clients): requests, errors (anything but 200, time-outs included),
    throughput and latency percentiles.

Times are client wall times per request over a kept-alive local connection (what a user waits
for, less the network). The API's token rate limit is lifted for the run (API_THROTTLE_RATE):
it would otherwise answer the load run's clients with 429s, which measure the limit, not the
server. Prints the figures and appends them to docs/benchmarks.md (unless --no-write).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ["ALLOWED_HOSTS"] = ",".join(filter(None, [os.environ.get("ALLOWED_HOSTS", ""), "testserver", "127.0.0.1"]))

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Account, Order, User  # noqa: E402
from accounts.tokens import token_create  # noqa: E402
from tiering.models import ScoringRun  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request

PEOPLE = ("rep1", "manager1", "director")
REPS = ("rep1", "rep2", "rep3", "rep4", "rep5", "rep6")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, capture_output=True, text=True)


def prepare(accounts: int, orders: int) -> None:
    """Seed (once) and score twice if needed; then the steady state autovacuum keeps."""
    manage("migrate", "--noinput")
    if Order.objects.count() < orders:
        began = time.perf_counter()
        manage("seed_demo", "--accounts", str(accounts), "--orders", str(orders), "--reset")
        print(f"seeded in {time.perf_counter() - began:.0f} s", flush=True)
    while ScoringRun.objects.filter(status=ScoringRun.Status.SUCCEEDED).count() < 2:
        as_of = Order.objects.order_by("-ordered_at").values_list("ordered_at", flat=True).first()
        manage("recompute_tiers", "--as-of", as_of.isoformat())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def session_cookie(user: User) -> str:
    """A signed-in session of `user` (stored where gunicorn's processes read sessions)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, threads: int, static_root: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "STATIC_ROOT": static_root,
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_RATE": "1000000/min",
    }
    manage_env = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if manage_env.returncode:
        sys.exit(manage_env.stderr)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "kam.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--timeout=120",
            "--keep-alive=120",  # a waiting client keeps its connection (the default 2 s closes it under load)
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login/", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer within a minute")


def timed_get(client: httpx.Client, url: str) -> float:
    began = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - began
    if response.status_code != 200:
        sys.exit(f"GET {url} answered {response.status_code}")
    return seconds


def measure_pages(base: str, people: dict[str, dict], repeat: int) -> dict[str, dict[str, list[float]]]:
    """{page: {person: [seconds, ...]}} with the people taking turns within every round."""
    account = Account.objects.filter(owner__username="rep1").order_by("pk").values_list("pk", flat=True).first()
    pages = {
        "account list": ("session", "/accounts/"),
        "account page": ("session", f"/accounts/{account}/"),
        "tier matrix": ("session", "/tiering/matrix/"),
        "migration report": ("session", "/tiering/migration/"),
        "API accounts, 100 rows": ("token", "/api/v1/accounts/"),
    }
    clients = {
        (name, kind): httpx.Client(base_url=base, timeout=120, **people[name][kind])
        for name in PEOPLE
        for kind in ("session", "token")
    }
    times: dict[str, dict[str, list[float]]] = {page: {name: [] for name in PEOPLE} for page in pages}
    for page, (kind, url) in pages.items():
        for name in PEOPLE:  # warm-up: connections, caches, each worker's first request
            for _ in range(3):
                timed_get(clients[name, kind], url)
        for round_no in range(repeat):
            order = PEOPLE[round_no % 3 :] + PEOPLE[: round_no % 3]
            for name in order:
                times[page][name].append(timed_get(clients[name, kind], url))
    for client in clients.values():
        client.close()
    return times


def sample_accounts(per_rep: int = 200) -> dict[str, list[int]]:
    """Some accounts of each demo rep's, for the load run's account pages (read before the
    event loop starts: the ORM is synchronous)."""
    return {
        rep: list(Account.objects.filter(owner__username=rep).order_by("?").values_list("pk", flat=True)[:per_rep])
        for rep in REPS
    }


async def load_run(
    base: str, people: dict[str, dict], owned: dict[str, list[int]], clients: int, seconds: float
) -> dict:
    """`clients` concurrent clients for `seconds`, each repeating the mix (see the module doc)."""
    latencies: list[float] = []
    errors: list[str] = []
    unanswered = 0
    deadline = time.monotonic() + seconds

    async def one_client(index: int) -> None:
        rep = REPS[index % len(REPS)]
        rng = random.Random(index)
        mix = ["/accounts/", "account", "/tiering/matrix/", "/api/v1/accounts/"]
        async with (
            httpx.AsyncClient(base_url=base, timeout=60, **people[rep]["session"]) as pages,
            httpx.AsyncClient(base_url=base, timeout=60, **people[rep]["token"]) as api,
        ):
            step = index % len(mix)
            while time.monotonic() < deadline:
                what = mix[step % len(mix)]
                step += 1
                url = f"/accounts/{rng.choice(owned[rep])}/" if what == "account" else what
                client = api if url.startswith("/api/") else pages
                began = time.perf_counter()
                try:
                    response = await client.get(url)
                except httpx.HTTPError as error:
                    nonlocal unanswered
                    unanswered += 1
                    errors.append(f"{url}: {type(error).__name__}")
                    continue
                latencies.append(time.perf_counter() - began)
                if response.status_code != 200:
                    errors.append(f"{url}: {response.status_code}")

    began = time.monotonic()
    await asyncio.gather(*(one_client(i) for i in range(clients)))
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies) + unanswered,
        "answered": len(latencies),
        "errors": errors,
        "elapsed": elapsed,
        "throughput": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] if latencies else 0.0,
        "p95": latencies[int(len(latencies) * 0.95)] if latencies else 0.0,
        "max": latencies[-1] if latencies else 0.0,
    }


def report(args: argparse.Namespace, times: dict, load: dict | None) -> str:
    ms = {page: {name: statistics.median(v) * 1000 for name, v in row.items()} for page, row in times.items()}
    lines = [
        f"## Pages for a rep, a manager and the director at size — {date.today().isoformat()}",
        "",
        f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{Account.objects.count():,} accounts, {Order.objects.count():,} orders; gunicorn {args.workers} workers "
        f"× {args.threads} threads, DEBUG off; client wall time per request on a kept-alive local connection; "
        f"median of {args.repeat}, the three people taking turns in each round.",
        "",
        "| page | rep1 ms | manager1 ms | director ms | rep1 / director | manager1 / director |",
        "|---|---|---|---|---|---|",
    ]
    for page, row in ms.items():
        d = row["director"]
        lines.append(
            f"| {page} | {row['rep1']:.0f} | {row['manager1']:.0f} | {d:.0f} | "
            f"{row['rep1'] / d:.2f} | {row['manager1'] / d:.2f} |"
        )
    lines += ["", "Targets: each ratio ≤ 2.0; every page under 150 ms median; the API page of 100 under 150 ms.", ""]
    if load is not None:
        lines += [
            f"Load run: {args.clients} concurrent clients for {args.seconds:.0f} s, each repeating a rep's account "
            "list, one of the rep's account pages, the rep's matrix and the rep's API list (100 rows), the six "
            "reps spread over the clients.",
            "",
            "| requests | errors | throughput (answered/s) | p50 ms | p95 ms | max ms |",
            "|---|---|---|---|---|---|",
            f"| {load['requests']:,} | {len(load['errors'])} | {load['throughput']:.1f} | {load['p50'] * 1000:.0f} "
            f"| {load['p95'] * 1000:.0f} | {load['max'] * 1000:.0f} |",
            "",
        ]
        if load["errors"]:
            lines += ["Errors (first 10): " + "; ".join(load["errors"][:10]), ""]
    lines.append(
        "All runs (ms): "
        + "; ".join(
            f"{page} {name} " + ", ".join(f"{s * 1000:.0f}" for s in v)
            for page, row in times.items()
            for name, v in row.items()
        )
    )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--no-load", action="store_true", help="Pages only, no load run.")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL.")

    prepare(args.accounts, args.orders)
    people = {}
    for user in User.objects.filter(username__in={*PEOPLE, *REPS}):
        _, key = token_create(user=user, name="bench pages_at_size")
        people[user.username] = {
            "session": {"cookies": {settings.SESSION_COOKIE_NAME: session_cookie(user)}},
            "token": {"headers": {"Authorization": f"Token {key}"}},
        }
    port = free_port()
    with tempfile.TemporaryDirectory() as static_root:
        server = start_gunicorn(port, args.workers, args.threads, static_root)
        try:
            base = f"http://127.0.0.1:{port}"
            times = measure_pages(base, people, args.repeat)
            print(report(args, times, None), flush=True)  # the pages' figures, before the load run
            owned = sample_accounts()
            load = None if args.no_load else asyncio.run(load_run(base, people, owned, args.clients, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = report(args, times, load)
    print(text)
    if not args.no_write:
        out = Path(args.out)
        out.write_text(out.read_text() + text + "\n")


if __name__ == "__main__":
    main()
