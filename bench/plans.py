"""Benchmark (issue 9): the daily reminder job, "my work" and the page of an account with a full
plan at a large company's size, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_plans REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/plans.py [--accounts 100000 --contacts 400000 --activities 2000000 \\
        --contact-plans 300000] [--repeat 7] [--reseed] [--only reminders|pages]

Seeding (once; --reseed to start over): `seed_demo --no-tiering` for the accounts (few orders),
their contacts, activities, plans, contact plans, visits and themes; then plain SQL
(`INSERT … SELECT generate_series`, deterministic, no random()) tops up the contacts, the
activities (one contact each, the account's owner taking part) and the contact-plan rows to the
sizes asked, sets the contacts' last-contacted day from their activities as
plans.services.contacts_last_contacted_refresh would, and `VACUUM ANALYZE`s.

Then, in one process, interleaved round by round (the shared machine's load falls on all alike),
--repeat rounds, medians:

(a) `plans.reminders.reminders_send` (what the Celery task runs) for tomorrow, committed (so
    the deferred foreign-key checks and the e-mails, to Django's in-memory backend, count), its
    claims deleted between rounds (untimed), against the bare SQL that selects tomorrow's
    overdue contact-plan rows with the columns a reminder names, fetched; and the job's reading
    part alone (`reminders_due`: every kind, aggregated into digests by the database). Wall
    time, and this process's CPU time beside it (the rest is the database server's);
(b) "my work" for rep1 and for manager1 and the page of the account of rep1's with the most
    contact-plan rows (plan, actions, contact plan, visits, themes, timeline), server time
    through Django's test client (signed in, warm), and their query counts.

Prints the figures and the ratios; writes nothing else.
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
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ["ALLOWED_HOSTS"] = ",".join(filter(None, [os.environ.get("ALLOWED_HOSTS", ""), "testserver"]))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account, Contact, User  # noqa: E402
from plans.models import Activity, ContactPlanEntry, Notification  # noqa: E402
from plans.reminders import reminders_due, reminders_send  # noqa: E402


def sql(statement: str, params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def scalar(statement: str, params: list | None = None):  # noqa: ANN201
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchone()[0]


def top_up_contacts(wanted: int) -> int:
    """Contacts spread over the accounts round-robin, every fifth a decision maker."""
    have = Contact.objects.count()
    if have >= wanted:
        return 0
    n = wanted - have
    return sql(
        """
        INSERT INTO accounts_contact (account_id, name, title, department, buying_role, attitude, email, phone,
                                      is_active, created_at, updated_at)
        SELECT a.ids[1 + g %% cardinality(a.ids)], '联系人' || g, '采购工程师', '采购部',
               CASE WHEN g %% 5 = 0 THEN 'decision_maker' ELSE 'user' END, 'neutral', '', '', true, now(), now()
        FROM generate_series(1, %s) g, (SELECT array_agg(id ORDER BY id) ids FROM accounts_account) a
        """,
        [n],
    )


def top_up_activities(wanted: int) -> int:
    """Activities with one contact each (contact i gets every n-th: a prime stride over the
    contacts), spread over the last three years, the account's owner taking part."""
    have = Activity.objects.count()
    if have >= wanted:
        return 0
    n = wanted - have
    base = scalar("SELECT coalesce(max(id), 0) FROM plans_activity")
    minutes = 3 * 365 * 24 * 60
    sql(
        """
        CREATE TEMP TABLE bench_new_activity ON COMMIT DROP AS
        SELECT %s + g AS id, c.ids[1 + ((g::bigint * 7919) %% cardinality(c.ids))::int] AS contact_id,
               now() - make_interval(mins => ((g::bigint * 104729) %% %s)::int) AS occurred_at, g
        FROM generate_series(1, %s) g, (SELECT array_agg(id ORDER BY id) ids FROM accounts_contact) c
        """,
        [base, minutes, n],
    )
    sql(
        """
        INSERT INTO plans_activity (id, account_id, type, occurred_at, duration_minutes, notes, outcome,
                                    created_at, updated_at)
        SELECT t.id, c.account_id, (ARRAY['call','meeting','visit','email','message'])[1 + t.g %% 5], t.occurred_at,
               15 + t.g %% 60, '季度业务回顾', '', t.occurred_at, now()
        FROM bench_new_activity t JOIN accounts_contact c ON c.id = t.contact_id
        """
    )
    sql("INSERT INTO plans_activity_contacts (activity_id, contact_id) SELECT id, contact_id FROM bench_new_activity")
    sql(
        """
        INSERT INTO plans_activity_participants (activity_id, user_id)
        SELECT t.id, a.owner_id FROM bench_new_activity t JOIN accounts_contact c ON c.id = t.contact_id
        JOIN accounts_account a ON a.id = c.account_id WHERE a.owner_id IS NOT NULL
        """
    )
    sql("DROP TABLE bench_new_activity")
    for table in ("plans_activity", "plans_activity_contacts", "plans_activity_participants"):
        sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
    return n


def refresh_last_contacted() -> int:
    """contacts.last_contacted_on = the local day (TIME_ZONE) of the latest activity, in one
    UPDATE (what plans.services.contacts_last_contacted_refresh does per contact)."""
    return sql(
        """
        UPDATE accounts_contact c SET last_contacted_on = m.day, updated_at = now()
        FROM (SELECT ac.contact_id, (max(a.occurred_at) AT TIME ZONE %s)::date AS day
              FROM plans_activity_contacts ac JOIN plans_activity a ON a.id = ac.activity_id GROUP BY ac.contact_id) m
        WHERE c.id = m.contact_id AND c.last_contacted_on IS DISTINCT FROM m.day
        """,
        [settings.TIME_ZONE],
    )


def top_up_contact_plans(wanted: int) -> int:
    """More active contacts of owned accounts in their owner's contact plan, every 14, 30, 30 or
    60 days since half a year ago (as plans.demo.seed_contact_plans)."""
    have = ContactPlanEntry.objects.count()
    if have >= wanted:
        return 0
    return sql(
        """
        INSERT INTO plans_contactplanentry (account_id, contact_id, owner_id, interval_days, starts_on, updated_at)
        SELECT c.account_id, c.id, a.owner_id, (ARRAY[14, 30, 30, 60])[1 + c.id %% 4], %s, now()
        FROM accounts_contact c JOIN accounts_account a ON a.id = c.account_id
        WHERE c.is_active AND a.owner_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM plans_contactplanentry e WHERE e.contact_id = c.id AND e.owner_id = a.owner_id)
        ORDER BY c.id LIMIT %s
        """,
        [timezone.localdate() - timedelta(days=180), wanted - have],
    )


def seed(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    if args.reseed or Account.objects.count() < args.accounts:
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--reset", "--no-tiering", "--accounts", str(args.accounts),
             "--orders", str(args.orders), "--opportunities", "1000"],
            cwd=ROOT, check=True,
        )  # fmt: skip
        print(f"seed_demo in {time.perf_counter() - began:.1f} s")
    added = 0
    with transaction.atomic():
        steps: list[tuple[str, Callable[[], int]]] = [
            ("contacts", lambda: top_up_contacts(args.contacts)),
            ("activities", lambda: top_up_activities(args.activities)),
            ("last contacted days", lambda: refresh_last_contacted() if added else 0),  # seed_demo keeps them
            ("contact-plan rows", lambda: top_up_contact_plans(args.contact_plans)),
        ]
        for name, step in steps:
            started = time.perf_counter()
            rows = step()
            added += rows
            print(f"  {name}: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    if not added:
        print("seeded already")
        return
    # The steady state autovacuum keeps (visibility map, statistics) for the tables read here.
    for table in ("accounts_contact", "plans_activity", "plans_activity_contacts", "plans_activity_participants",
                  "plans_contactplanentry", "plans_notification", "plans_visit", "plans_actionitem",
                  "plans_accountplan", "accounts_account", "accounts_accountaccess"):  # fmt: skip
        sql(f"VACUUM ANALYZE {table}")
    print(f"seeded in {time.perf_counter() - began:.1f} s")


# --- measuring --------------------------------------------------------------------------------


CPU: dict[str, list[float]] = {}  # name -> this process's CPU seconds per run


def timed(work: Callable[[], object], name: str = "") -> float:
    began, cpu = time.perf_counter(), time.process_time()
    work()
    if name:
        CPU.setdefault(name, []).append(time.process_time() - cpu)
    return time.perf_counter() - began


def bare_overdue(day) -> Callable[[], int]:  # noqa: ANN001
    """The overdue contact-plan rows of `day` with what a reminder names, in plain SQL."""
    statement = """
        SELECT e.id, e.owner_id, e.account_id, a.external_id, a.name, c.name,
               greatest(coalesce(c.last_contacted_on + e.interval_days, e.starts_on), e.starts_on) AS due
        FROM plans_contactplanentry e JOIN accounts_contact c ON c.id = e.contact_id
        JOIN accounts_account a ON a.id = e.account_id
        WHERE c.is_active AND greatest(coalesce(c.last_contacted_on + e.interval_days, e.starts_on), e.starts_on) < %s
    """

    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(statement, [day])
            return len(cursor.fetchall())

    return run


def full_plan_account(rep: User) -> int:
    """The account of `rep`'s with the most contact-plan rows among those with a plan, given
    (once) what else a full plan has: reviews, a visit done, sales themes. Returns its id."""
    from plans import services
    from plans.models import AccountPlan, SalesTheme, Visit

    account_id = (
        ContactPlanEntry.objects.filter(account__owner=rep, account__plans__isnull=False)
        .values("account_id")
        .annotate(n=Count("id"))
        .order_by("-n", "account_id")
        .values_list("account_id", flat=True)
        .first()
    )
    account = Account.objects.get(pk=account_id)
    plan = AccountPlan.objects.filter(account=account).order_by("-period").first()
    if not SalesTheme.objects.filter(account=account).exists():
        for problem in ("交期不稳定", "采购成本压力大", "质量波动"):
            data = {"problem": problem, "feature": "区域仓备货", "benefit": "减少停线"}
            services.theme_add(account=account, data=data, save_to_library=False, user=rep)
        for month in range(1, 7):
            services.review_save(plan=plan, month=date(2026, month, 1), notes="PDCA", author=rep)
        Visit.objects.create(account=account, owner=rep, planned_on=timezone.localdate() - timedelta(days=20),
                             status=Visit.Status.DONE)  # fmt: skip
    return account_id


def server_ms(client: Client, url: str) -> float:
    began = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--contacts", type=int, default=400_000)
    parser.add_argument("--activities", type=int, default=2_000_000)
    parser.add_argument("--contact-plans", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--only", choices=["reminders", "pages"], help="measure part (a) or (b) alone")
    args = parser.parse_args()
    seed(args)
    if args.seed_only:
        return
    day = timezone.localdate() + timedelta(days=1)
    print(
        f"{Account.objects.count():,} accounts, {Contact.objects.count():,} contacts, "
        f"{Activity.objects.count():,} activities, {ContactPlanEntry.objects.count():,} contact-plan rows; "
        f"{platform.node()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    )
    reminders, pages_wanted = args.only in (None, "reminders"), args.only in (None, "pages")
    bare = bare_overdue(day)
    overdue = bare()
    job_runs: list[object] = []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the e-mails, kept in memory

    def job() -> None:  # committed: the deferred foreign-key checks and the e-mails count
        job_runs.append(reminders_send(today=day))

    def clear_claims() -> None:  # between rounds, untimed: tomorrow's claims go, so each run claims all
        Notification.objects.filter(day=day).delete()
        mail.outbox = []

    clear_claims()

    pages: dict[str, tuple[Client, str]] = {}
    queries = {}
    account_id = None
    if pages_wanted:
        rep, manager = User.objects.get(username="rep1"), User.objects.get(username="manager1")
        account_id = full_plan_account(rep)
        # Plain static URLs: the manifest (collectstatic) is a deployment step, not the server's time.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        clients = {}
        for who, user in (("rep1", rep), ("manager1", manager)):
            clients[who] = Client()
            clients[who].force_login(user)
        pages = {
            "my work, rep1": (clients["rep1"], "/plans/my-work/"),
            "my work, manager1": (clients["manager1"], "/plans/my-work/"),
            "account page, rep1": (clients["rep1"], f"/accounts/{account_id}/"),
        }
        for name, (client, url) in pages.items():
            client.get(url)  # warm: templates, session, translations
            with CaptureQueriesContext(connection) as captured:
                server_ms(client, url)
            queries[name] = len(captured.captured_queries)

    names = ("job", "due", "bare") if reminders else ()
    times: dict[str, list[float]] = {**{name: [] for name in names}, **{name: [] for name in pages}}
    page_cpu: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(args.repeat):
        if reminders:
            times["job"].append(timed(job, "job"))
            clear_claims()
            times["bare"].append(timed(bare, "bare"))
            times["due"].append(timed(lambda: reminders_due(today=day), "due"))  # the job's reading part alone
        for name, (client, url) in pages.items():
            began = time.process_time()
            times[name].append(server_ms(client, url) / 1000)
            page_cpu[name].append(time.process_time() - began)  # this process's CPU: Python's part alone
    median = {name: statistics.median(values) for name, values in times.items()}
    if reminders:
        run = job_runs[-1]
        print(f"(a) reminders_send for {day}: {run.things:,} things due in {run.due:,} digests, {run.sent:,} sent, "  # type: ignore[attr-defined]
              f"{run.emails} e-mails; bare SQL {overdue:,} overdue contact-plan rows")  # fmt: skip
        ratio = median["job"] / median["bare"]
        print(f"    job median {median['job']:.3f} s, bare {median['bare']:.3f} s, ratio {ratio:.2f}x")
        reading = median["due"] / median["bare"]
        print(f"    of it reading (reminders_due, every kind) {median['due']:.3f} s, {reading:.2f}x bare")
        rounds = [round(j / b, 2) for j, b in zip(times["job"], times["bare"], strict=True)]
        print(f"    per-round ratios job/bare {rounds}")
        for name in names:
            cpu = CPU[name]
            print(f"    {name} runs {[round(t, 3) for t in times[name]]}; "
                  f"CPU here {[round(t, 3) for t in cpu]} (median {statistics.median(cpu):.3f} s)")  # fmt: skip
    for name in pages:
        runs = [round(t * 1000, 1) for t in times[name]]
        print(f"(b) {name}: median {median[name] * 1000:.1f} ms in {queries[name]} queries; runs {runs}; "
              f"Python CPU median {statistics.median(page_cpu[name]) * 1000:.1f} ms")  # fmt: skip
    print(f"account {account_id}; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; "
          f"load {os.getloadavg()}")  # fmt: skip


if __name__ == "__main__":
    main()
