"""`manage.py seed_demo`: fill the database with a reproducible demo world.

The rows come from `accounts.demo.generator` (pure, seeded); this command only maps row indexes
to database ids and writes. Ids are allocated here (from MAX(id)+1 of each table), never read
back from the database, so the same seed gives the same data on SQLite and PostgreSQL.

Writing (the writers live in `kam.pg_copy`): on PostgreSQL every table goes in with COPY,
inside one transaction, with the secondary indexes and foreign keys of the written tables
dropped first and recreated at the end (one index build and one validating join instead of
millions of index inserts and trigger checks). Orders and payments are generated, formatted and
copied chunk by chunk, the next chunk being prepared in a thread while the current one is
copied, so memory stays bounded. Elsewhere (SQLite) rows go in with bulk_create in batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

from accounts.demo.generator import DEMO_PASSWORD, DEMO_TEAMS, DEMO_USERS, DemoData, OrderChunk
from accounts.models import (
    Account,
    AccountTeamMember,
    Contact,
    ContactRoleHistory,
    Feedback,
    Invoice,
    Order,
    OrderMonth,
    Payment,
    Team,
    User,
)
from accounts.permissions import default_account_owner
from funnel import facts_sql
from kam.pg_copy import Frame, ModelWriter, model_writer
from plans import last_visit_sql
from plans.models import Activity

# The tables this command writes, parents first.
WRITTEN: tuple[type[models.Model], ...] = (
    Account,
    AccountTeamMember,
    Contact,
    ContactRoleHistory,
    Feedback,
    Activity,
    Activity.contacts.through,
    Activity.participants.through,
    Order,
    Payment,
)


class Command(BaseCommand):
    help = (
        "Fill the database with a reproducible demo: teams 'Team 1'/'Team 2', logins director, "
        "manager1, manager2, rep1..rep6 (password demo1234), N accounts with group trees, contacts, "
        "account teams, feedback, and M orders over three years with their payments. "
        "Same --seed and --as-of give the same data on any database. "
        "The demo users and teams are created or updated in place. If the database already holds "
        "accounts the command refuses, unless --reset (which DELETES ALL accounts and everything "
        "attached to them: contacts, orders, payments, invoices, tiering results, plans…) or "
        "--if-empty (which then does nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=300, help="Number of accounts (default 300).")
        parser.add_argument("--orders", type=int, default=30_000, help="Number of orders (default 30000).")
        parser.add_argument(
            "--opportunities",
            type=int,
            default=None,
            help="Number of opportunities with their stage history and weekly snapshots (default 3 per account).",
        )
        parser.add_argument(
            "--snapshot-weeks",
            type=int,
            default=None,
            help="Weekly forecast snapshots to seed, back from --as-of (default 52: four quarters).",
        )
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--no-tiering",
            action="store_true",
            help="Skip the demo assessments and the tiering runs that follow the data.",
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="Last day of the order history, YYYY-MM-DD (default: today).",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--reset",
            action="store_true",
            help="Delete ALL existing accounts and their data first (demo databases only!).",
        )
        mode.add_argument(
            "--if-empty", action="store_true", help="Do nothing (successfully) if there are accounts already."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        accounts, orders = options["accounts"], options["orders"]
        if accounts < 1 or orders < 0:
            raise CommandError("--accounts must be at least 1 and --orders at least 0.")
        verbose = options["verbosity"] >= 1
        if Account.objects.exists():
            if options["if_empty"]:
                if verbose:
                    self.stdout.write("The database already holds accounts: nothing seeded (--if-empty).")
                return
            if not options["reset"]:
                raise CommandError(
                    f"The database already holds {Account.objects.count()} accounts. Re-run with --reset to "
                    "delete ALL accounts and their data and seed afresh, or with --if-empty to skip."
                )
        as_of = options["as_of"] or timezone.localdate()
        data = DemoData(accounts=accounts, orders=orders, seed=options["seed"], as_of=as_of)
        started = time.monotonic()
        postgres = connection.vendor == "postgresql"

        def log(message: str) -> None:  # timings, with --verbosity 2
            if options["verbosity"] >= 2:
                self.stdout.write(message)

        with transaction.atomic():
            if options["reset"]:
                _wipe(postgres)
            users = _upsert_people()
            writer = model_writer(log)
            with (
                _triggers_off_then_fill(TRIGGERS_OFF) if postgres else nullcontext(),
                writer.bulk_mode(WRITTEN),
            ):
                counts = _write_all(data, users, writer, verbose, log)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(WRITTEN)):
                    cursor.execute(sql)
            log(f"{time.monotonic() - started:6.1f}s  indexes and keys restored; committing")
        log(f"{time.monotonic() - started:6.1f}s  committed")
        if postgres:
            with connection.cursor() as cursor:
                # Fresh planner statistics: the tables just went from empty to millions of rows.
                cursor.execute("ANALYZE " + ", ".join(_table(m) for m in WRITTEN))
            log(f"{time.monotonic() - started:6.1f}s  analyzed")

        if not options["no_tiering"]:
            # Assess most accounts (some stay unassessed) and tier them, so the matrix is populated.
            from tiering.demo import seed_assessments
            from tiering.services import run_execute, run_request

            assessed = seed_assessments(seed=options["seed"])
            # A run a quarter earlier first: the funnel dashboard's tier migrations and account
            # conversion compare the quarter's end with how it began (the newest run stays current).
            run_execute(run_id=run_request(as_of=as_of - timedelta(days=92), trigger="seed_demo").pk)
            run = run_execute(run_id=run_request(as_of=as_of, trigger="seed_demo").pk)
            counts["assessments"] = assessed
            if verbose:
                self.stdout.write(f"Tiering run #{run.pk}: {run.status}, {run.accounts_scored} accounts tiered.")

        from plans.demo import (  # after tiering: approved plans freeze the tier
            seed_contact_plans,
            seed_plans,
            seed_proposals,
            seed_relationships,
            seed_themes,
            seed_visits,
        )

        counts["account plans"], counts["actions"] = seed_plans(seed=options["seed"], as_of=as_of)
        counts["contact-plan entries"] = seed_contact_plans(seed=options["seed"], as_of=as_of)
        counts["relationships"] = seed_relationships(seed=options["seed"])
        counts["sales themes"] = seed_themes(seed=options["seed"])
        counts["development proposals"] = seed_proposals(seed=options["seed"])
        counts["visit history"] = seed_visits(seed=options["seed"], as_of=as_of)
        from plans.services import visits_generate

        counts["planned visits"] = visits_generate(today=as_of)
        from plans.reminders import reminders_send

        counts["reminders"] = reminders_send(today=as_of, email=False).sent

        # The funnel (its own module): opportunities, stage history, weekly snapshots, commitments.
        from funnel.demo import seed_funnel

        wanted = 3 * accounts if options["opportunities"] is None else options["opportunities"]
        with transaction.atomic():
            weeks = {} if options["snapshot_weeks"] is None else {"weeks": options["snapshot_weeks"]}
            counts.update(seed_funnel(seed=options["seed"], as_of=as_of, count=wanted, log=log, **weeks))

        if verbose:
            elapsed = time.monotonic() - started
            summary = ", ".join(f"{n} {name}" for name, n in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Seeded {summary} in {elapsed:.1f}s (as of {as_of})."))
            self.stdout.write("Demo logins (password demo1234):")
            for user in DEMO_USERS:
                team = f", {user.team}" if user.team else ""
                self.stdout.write(f"  {user.username:<9} {user.role}{team}")
            self.stdout.write(
                "  erp       integration (API only): python manage.py create_api_token erp "
                "--scopes accounts:read,accounts:write,orders:write,scores:read"
            )
            # New accounts from the ERP without an owner go to DEFAULT_ACCOUNT_OWNER (`director` with DEBUG=1).
            if default_account_owner() is None:
                self.stdout.write(
                    self.style.WARNING(
                        "DEFAULT_ACCOUNT_OWNER names nobody who can own accounts: new ERP accounts must name "
                        "their owner. Set DEFAULT_ACCOUNT_OWNER=director to give them to the demo director."
                    )
                )


# Triggers on the written tables that read them through the indexes bulk_mode drops: off during
# the load, then their derived rows filled once (table -> trigger names, fill statements). The
# other triggers on these tables (TRIGGERS_KEPT) read no written table's index; the seed's
# test fails when a trigger appears on a written table that is in neither list.
TRIGGERS_OFF: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Activity._meta.db_table: (last_visit_sql.TRIGGERS, last_visit_sql.FILL),
    # The account facts (funnel/facts_sql.py) read each touched account's orders and receivables:
    # filled once from both, after the second is on again (invoices are not seeded).
    Order._meta.db_table: (facts_sql.TRIGGERS[Order._meta.db_table], ()),
    Payment._meta.db_table: (facts_sql.TRIGGERS[Payment._meta.db_table], facts_sql.FILL),
}
TRIGGERS_KEPT = frozenset(
    {
        *(f"accounts_access_account_{e}" for e in ("inserted", "owner_changed", "deleted", "truncated")),
        *(f"accounts_access_served_{e}" for e in ("inserted", "deleted", "changed", "truncated")),
        # The monthly order roll-up folds the statement's own rows into accounts_ordermonth (not loaded).
        *(f"order_month_{e}" for e in ("insert", "delete", "update", "truncate")),
        # Deleting accounts deletes their facts rows (funnel/facts_sql.py, not loaded) by key.
        "funnel_facts_accounts_deleted",
        # A contact's change reaches its contact-plan rows (not loaded) through their own index.
        "plans_contacts_next_contact",
    }
)


@contextmanager
def _triggers_off_then_fill(off: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> Iterator[None]:
    """PostgreSQL, inside the seed's transaction: switch the given triggers off, and after the
    block (indexes restored) switch them on and run their fill statements."""
    with connection.cursor() as cursor:
        for table, (triggers, _) in off.items():
            for trigger in triggers:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER {trigger}")
    yield
    with connection.cursor() as cursor:
        for table, (triggers, fill) in off.items():
            for trigger in triggers:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE TRIGGER {trigger}")
            for statement in fill:
                cursor.execute(statement)


# ---------------------------------------------------------------------------------------------
# People and clean-up
# ---------------------------------------------------------------------------------------------


def _upsert_people() -> dict[str, User]:
    """Create or update the demo logins and the two teams; returns users by username."""
    password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is deliberately slow
    users: dict[str, User] = {}
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first() or User(username=demo.username)
        user.role = demo.role
        user.first_name, user.last_name = demo.first_name, demo.last_name
        user.email = f"{demo.username}@demo.example.com"
        user.is_active = True
        user.is_staff = user.is_superuser = demo.role == User.Role.DIRECTOR  # so the admin works
        user.password = password
        user.team = None
        user.save()
        users[demo.username] = user
    # The ERP's own login: API only, so no password; tokens come from create_api_token.
    erp = User.objects.filter(username="erp").first() or User(username="erp")
    erp.role, erp.first_name, erp.is_active = User.Role.INTEGRATION, "ERP", True
    erp.set_unusable_password()
    erp.save()
    teams = {}
    for demo_team in DEMO_TEAMS:
        teams[demo_team.name], _ = Team.objects.update_or_create(
            name=demo_team.name, defaults={"manager": users[demo_team.manager]}
        )
    for demo in DEMO_USERS:
        if demo.team:
            users[demo.username].team = teams[demo.team]
            users[demo.username].save(update_fields=["team"])
    return users


def _wipe(postgres: bool) -> None:
    """Delete every account and all that hangs off it (other apps' rows included)."""
    if postgres:
        with connection.cursor() as cursor:
            # CASCADE empties every table that references these, whatever app it belongs to.
            tables = ", ".join(_table(m) for m in (*WRITTEN, Invoice, OrderMonth))  # the roll-up has no FK
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return
    for model in (Payment, Invoice, Feedback, ContactRoleHistory, Order, AccountTeamMember):
        model.objects.all().delete()
    Contact.objects.update(reports_to=None)
    Contact.objects.all().delete()
    Account.objects.update(parent=None)  # parent is PROTECT
    Account.objects.all().delete()


# ---------------------------------------------------------------------------------------------
# What goes where
# ---------------------------------------------------------------------------------------------


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _ids(base: int, index: Any) -> Any:
    """Row indexes (numpy or nullable pandas ints) to ids."""
    return index + base


def _write_all(
    data: DemoData, users: dict[str, User], writer: ModelWriter, verbose: bool, log: Callable[[str], None]
) -> dict[str, int]:
    now = timezone.now()
    started = time.monotonic()

    def done(what: str) -> None:
        log(f"{time.monotonic() - started:6.1f}s  {what}")

    base = {model: _next_id(model) for model in WRITTEN}
    user_ids = {name: user.pk for name, user in users.items()}
    acc_base, contact_base = base[Account], base[Contact]

    accounts = data.accounts
    n_accounts = len(accounts)
    writer.write(
        Account,
        {
            "id": np.arange(n_accounts) + acc_base,
            "name": accounts["name"],
            "english_name": accounts["english_name"],
            "external_id": accounts["external_id"],
            "parent_id": _ids(acc_base, accounts["parent"]),
            "industry": accounts["industry"],
            "region": accounts["region"],
            "employees": accounts["employees"],
            "annual_revenue": accounts["annual_revenue_cents"],
            "business_strategy": accounts["business_strategy"],
            "main_products": accounts["main_products"],
            "credit_level": accounts["credit_level"],
            "operating_status": accounts["operating_status"],
            "development_bottleneck": accounts["development_bottleneck"],
            "relationship_type": accounts["relationship_type"],
            "lifecycle_stage": accounts["lifecycle_stage"],
            "owner_id": accounts["owner"].map(user_ids),
            "created_at": now,
            "updated_at": now,
        },
    )

    done("accounts")
    team = data.account_team
    writer.write(
        AccountTeamMember,
        {
            "id": np.arange(len(team)) + base[AccountTeamMember],
            "account_id": _ids(acc_base, team["account"].to_numpy()),
            "user_id": team["user"].map(user_ids),
            "role": team["role"],
        },
    )

    done("account team")
    contacts = data.contacts
    writer.write(
        Contact,
        {
            "id": np.arange(len(contacts)) + contact_base,
            "account_id": _ids(acc_base, contacts["account"].to_numpy()),
            "external_id": contacts["external_id"],
            "name": contacts["name"],
            "title": contacts["title"],
            "department": contacts["department"],
            "buying_role": contacts["buying_role"],
            "attitude": contacts["attitude"],
            "reports_to_id": _ids(contact_base, contacts["reports_to"]),
            "email": contacts["email"],
            "phone": contacts["phone"],
            "last_contacted_on": contacts["last_contacted_on"],
            "is_active": contacts["is_active"],
            "created_at": now,
            "updated_at": now,
        },
    )

    done("contacts")
    history = data.contact_role_history
    tz = timezone.get_current_timezone()
    writer.write(
        ContactRoleHistory,
        {
            "id": np.arange(len(history)) + base[ContactRoleHistory],
            "contact_id": _ids(contact_base, history["contact"].to_numpy()),
            "account_id": _ids(acc_base, history["account"].to_numpy()),
            "title": history["title"],
            "department": history["department"],
            "buying_role": history["buying_role"],
            # The end of that working day, local time.
            "ended_at": [d.to_pydatetime().replace(hour=18, tzinfo=tz) for d in history["ended_on"]],
        },
    )

    done("past contact roles")
    feedback = data.feedback
    writer.write(
        Feedback,
        {
            "id": np.arange(len(feedback)) + base[Feedback],
            "account_id": _ids(acc_base, feedback["account"].to_numpy()),
            "contact_id": _ids(contact_base, feedback["contact"]),
            "kind": feedback["kind"],
            "subject": feedback["subject"],
            "body": feedback["body"],
            "received_on": feedback["received_on"],
            "status": feedback["status"],
            "resolved_on": feedback["resolved_on"],
        },
    )

    done("feedback")
    n_activities = _write_activities(data, contacts, users, writer, base)
    done("activities")
    counts = {
        "accounts": n_accounts,
        "contacts": len(contacts),
        "account-team members": len(team),
        "past contact roles": len(history),
        "feedback": len(feedback),
        "activities": n_activities,
    }
    del accounts, team, contacts, history, feedback
    data.release()

    def order_frames(chunk: OrderChunk) -> tuple[tuple[type[models.Model], Frame], ...]:
        o, p = chunk.orders, chunk.payments
        orders = {
            "id": o["seq"].to_numpy() + base[Order],
            "account_id": o["account"].to_numpy() + acc_base,
            "external_id": o["external_id"],
            "ordered_at": o["ordered_at"],
            "amount": o["amount_cents"],
            "margin": o["margin_cents"],
            "status": o["status"],
            "updated_at": now,
        }
        payments = {
            "id": p["seq"].to_numpy() + base[Payment],
            "account_id": p["account"].to_numpy() + acc_base,
            "invoice_id": None,
            "order_id": p["order_seq"].to_numpy() + base[Order],
            "external_id": p["external_id"],
            "amount": p["amount_cents"],
            "due_on": p["due_on"],
            "paid_on": p["paid_on"],
            "updated_at": now,
        }
        return (Order, orders), (Payment, payments)

    n_orders = n_payments = 0
    with tqdm(total=data.n_orders, unit="orders", unit_scale=True, desc="orders", disable=not verbose) as bar:
        for size, paid in writer.write_chunks(data.order_chunks(), order_frames):
            n_orders += size
            n_payments += paid
            bar.update(size)
    done("orders and payments")
    return {**counts, "orders": n_orders, "payments": n_payments}


def _write_activities(data: DemoData, contacts: Any, users: dict[str, User], writer: ModelWriter, base: dict) -> int:
    """Activities with one contact each and the account's owner as participant (plans.demo);
    the contacts' last-contacted days written above are the days of their latest activity."""
    from plans.demo import demo_activities

    made = demo_activities(
        contacts=contacts,
        owners=data.accounts["owner"],
        seed=data.seed,
        as_of=data.as_of,
        zone=timezone.get_current_timezone_name(),
        start=data.start,
    ).activities
    n = len(made)
    ids = np.arange(n) + base[Activity]
    user_ids = {name: user.pk for name, user in users.items()}
    now = timezone.now()
    owner_ids = made["owner"].map(user_ids)
    writer.write(
        Activity,
        {
            "id": ids,
            "account_id": made["account"].to_numpy() + base[Account],
            "external_id": None,
            "type": made["type"],
            "occurred_at": made["occurred_at"].tolist(),
            "duration_minutes": made["duration_minutes"].to_numpy(),
            "notes": made["notes"],
            "outcome": made["outcome"],
            "created_by_id": owner_ids,
            "created_at": now,
            "updated_at": now,
        },
    )
    writer.write(
        Activity.contacts.through,
        {
            "id": np.arange(n) + base[Activity.contacts.through],
            "activity_id": ids,
            "contact_id": made["contact"].to_numpy() + base[Contact],
        },
    )
    has_owner = owner_ids.notna().to_numpy()
    writer.write(
        Activity.participants.through,
        {
            "id": np.arange(int(has_owner.sum())) + base[Activity.participants.through],
            "activity_id": ids[has_owner],
            "user_id": owner_ids[has_owner].astype("int64").to_numpy(),
        },
    )
    return n


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)
