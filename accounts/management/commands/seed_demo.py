"""`manage.py seed_demo`: fill the database with a reproducible demo world.

The rows come from `accounts.demo.generator` (pure, seeded); this command only maps row indexes
to database ids and writes. Ids are allocated here (from MAX(id)+1 of each table), never read
back from the database, so the same seed gives the same data on SQLite and PostgreSQL.

Writing: on PostgreSQL every table goes in with COPY, inside one transaction, with the secondary
indexes and foreign keys of the written tables dropped first and recreated at the end (one index
build and one validating join instead of millions of index inserts and trigger checks). Orders
and payments are generated, formatted and copied chunk by chunk, the next chunk being prepared in
a thread while the current one is copied, so memory stays bounded. Elsewhere (SQLite) rows go in
with bulk_create in batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
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
from kam.bulk import TextStream

# The tables this command writes, parents first.
WRITTEN: tuple[type[models.Model], ...] = (
    Account,
    AccountTeamMember,
    Contact,
    ContactRoleHistory,
    Feedback,
    Order,
    Payment,
)
ORM_BATCH = 2_000
SLICE_ROWS = 50_000  # rows formatted (and, for the small tables, copied) at a time
NULL = "\\N"
Frame = dict[str, Any]  # attname -> column (numpy array, pandas Series, list) or one constant


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
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--no-tiering",
            action="store_true",
            help="Skip the demo assessments and the first tiering run that follow the data.",
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
            writer: _Writer = _CopyWriter(log) if postgres else _OrmWriter(log)
            with writer.bulk_mode(WRITTEN):
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
            run = run_execute(run_id=run_request(as_of=as_of, trigger="seed_demo").pk)
            counts["assessments"] = assessed
            if verbose:
                self.stdout.write(f"Tiering run #{run.pk}: {run.status}, {run.accounts_scored} accounts tiered.")

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
    data: DemoData, users: dict[str, User], writer: _Writer, verbose: bool, log: Callable[[str], None]
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
    counts = {
        "accounts": n_accounts,
        "contacts": len(contacts),
        "account-team members": len(team),
        "past contact roles": len(history),
        "feedback": len(feedback),
    }
    del accounts, team, contacts, history, feedback
    data.release()

    def order_frames(chunk: OrderChunk) -> tuple[Frame, Frame]:
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
        return orders, payments

    n_orders = n_payments = 0
    with tqdm(total=data.n_orders, unit="orders", unit_scale=True, desc="orders", disable=not verbose) as bar:
        for size, paid in writer.write_chunks(data.order_chunks(), order_frames):
            n_orders += size
            n_payments += paid
            bar.update(size)
    done("orders and payments")
    return {**counts, "orders": n_orders, "payments": n_payments}


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _kind(field: models.Field) -> str:
    if isinstance(field, models.ForeignKey | models.IntegerField | models.AutoField):
        return "int"
    if isinstance(field, models.DecimalField):
        return "money"  # columns hold integer cents
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.BooleanField):
        return "bool"
    return "str"


def _columns(model: type[models.Model], frame: Frame) -> list[tuple[models.Field, Any]]:
    """Every concrete column with its values: from the frame, else the field's default."""
    out = []
    for field in model._meta.concrete_fields:
        if field.attname in frame:
            out.append((field, frame[field.attname]))
        else:
            out.append((field, field.get_default()))
    return out


def _length(frame: Frame) -> int:
    for value in frame.values():
        if isinstance(value, np.ndarray | pd.Series | list):
            return len(value)
    raise ValueError("a frame needs at least one column")


def _int_column(values: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """(int64 values, null mask or None) from numpy ints or nullable pandas ints."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return values.astype(np.int64, copy=False), None
    series = pd.Series(values)
    mask = series.isna().to_numpy()
    return series.fillna(0).astype(np.int64).to_numpy(), (mask if mask.any() else None)


def _with_nulls(texts: list[str], mask: np.ndarray | None) -> list[str]:
    if mask is None or not mask.any():
        return texts
    return [NULL if m else t for t, m in zip(texts, mask.tolist(), strict=True)]


def _day_column(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """(days since 1970-01-01, null mask) from datetime64 values."""
    days = np.asarray(pd.Series(values).to_numpy()).astype("datetime64[D]")
    mask = np.isnat(days)
    return np.where(mask, 0, days.astype(np.int64)), mask


def _escape(values: list[str], keep: str | None = None) -> list[str]:
    """COPY text escaping, skipped when nothing needs it (the usual case, checked in one pass)."""
    joined = "".join(values)
    if not any(ch in joined for ch in "\\\t\n\r"):
        return values
    return [
        v if v == keep else v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        for v in values
    ]


def _slices(frame: Frame, rows: int = SLICE_ROWS) -> Iterator[Frame]:
    """The frame in pieces of `rows` rows (constants are repeated), to bound transient memory."""
    n = _length(frame)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        yield {
            key: (value.iloc[start:stop] if isinstance(value, pd.Series) else value[start:stop])
            if isinstance(value, np.ndarray | pd.Series | list)
            else value
            for key, value in frame.items()
        }


class _Writer:
    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log

    def write(self, model: type[models.Model], frame: Frame) -> None:
        for piece in _slices(frame):
            self._write(model, piece)

    def _write(self, model: type[models.Model], frame: Frame) -> None:
        raise NotImplementedError

    @contextmanager
    def bulk_mode(self, models_: Iterable[type[models.Model]]) -> Iterator[None]:
        yield

    def write_chunks(
        self, chunks: Iterator[OrderChunk], frames: Callable[[OrderChunk], tuple[Frame, Frame]]
    ) -> Iterator[tuple[int, int]]:
        """Writes each chunk's orders then payments; yields (orders, payments) written."""
        for chunk in chunks:
            orders, payments = frames(chunk)
            self.write(Order, orders)
            self.write(Payment, payments)
            yield len(chunk.orders), len(chunk.payments)


class _OrmWriter(_Writer):
    """bulk_create in batches (SQLite and anything that is not PostgreSQL)."""

    def _write(self, model: type[models.Model], frame: Frame) -> None:
        n = _length(frame)
        names, columns = [], []
        for field, values in _columns(model, frame):
            names.append(field.attname)
            columns.append(_python_values(field, values, n))
        objects = [model(**dict(zip(names, row, strict=True))) for row in zip(*columns, strict=True)]
        model.objects.bulk_create(objects, batch_size=ORM_BATCH)


def _python_values(field: models.Field, values: Any, n: int) -> list[Any]:
    if not isinstance(values, np.ndarray | pd.Series | list):
        return [values] * n
    kind = _kind(field)
    if kind in ("int", "money"):
        ints, mask = _int_column(values)
        out = [Decimal(v).scaleb(-2) for v in ints.tolist()] if kind == "money" else ints.tolist()
        if mask is not None:
            out = [None if m else v for v, m in zip(out, mask.tolist(), strict=True)]
        return out
    if kind == "date":
        days, mask = _day_column(values)
        as_dates = days.astype("datetime64[D]").astype(object)
        return [None if m else d for d, m in zip(as_dates, mask, strict=True)]
    if kind == "bool":
        return [bool(v) for v in values]
    return [None if v is None or v is pd.NA else v for v in list(values)]


class _CopyWriter(_Writer):
    """COPY FROM STDIN over the raw driver cursor (PostgreSQL)."""

    def __init__(self, log: Callable[[str], None]) -> None:
        super().__init__(log)
        self._date_text: dict[int, str] = {}

    def _write(self, model: type[models.Model], frame: Frame) -> None:
        self._copy(model, self._text(model, frame))

    def _copy(self, model: type[models.Model], text: str) -> None:
        if not text:
            return
        columns = ", ".join(connection.ops.quote_name(f.column) for f in model._meta.concrete_fields)
        sql = f"COPY {_table(model)} ({columns}) FROM STDIN"
        with connection.cursor() as wrapper:
            raw = wrapper.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, TextStream([text]), size=1 << 20)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(text)

    def _text(self, model: type[models.Model], frame: Frame) -> str:
        """The rows in COPY text format (tab-separated, \\N for NULL)."""
        pieces = []
        for piece in _slices(frame):
            n = _length(piece)
            columns = [self._strings(field, values, n) for field, values in _columns(model, piece)]
            pieces.append("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n")
            del columns
        return "".join(pieces)

    def _strings(self, field: models.Field, values: Any, n: int) -> list[str]:
        kind = _kind(field)
        if not isinstance(values, np.ndarray | pd.Series | list):  # one value for every row
            if values is None:
                text = NULL
            elif kind == "bool":
                text = "t" if values else "f"
            elif isinstance(values, datetime):
                text = values.isoformat()
            else:
                text = _escape([str(values)])[0]
            return [text] * n
        if kind in ("int", "money"):
            ints, mask = _int_column(values)
            if kind == "int":
                out = list(map(str, ints.tolist()))
            else:
                units, cents = np.divmod(np.abs(ints), 100)
                out = [f"{u}.{c:02d}" for u, c in zip(units.tolist(), cents.tolist(), strict=True)]
                if (ints < 0).any():
                    out = [f"-{v}" if neg else v for v, neg in zip(out, (ints < 0).tolist(), strict=True)]
            return _with_nulls(out, mask)
        if kind == "date":
            days, mask = _day_column(values)
            lo, hi = int(days.min()), int(days.max())
            # Few distinct days: format each once and look the rest up.
            table = np.array([self._day_text(d) for d in range(lo, hi + 1)], dtype=object)
            return _with_nulls(table[days - lo].tolist(), mask)
        if kind == "datetime":
            return [NULL if v is None else v.isoformat() for v in values]
        if kind == "bool":
            return ["t" if v else "f" for v in values]
        series = pd.Series(values, dtype=object)
        mask = series.isna().to_numpy()
        return _escape(_with_nulls(series.astype(str).tolist(), mask), keep=NULL)

    def _day_text(self, day: int) -> str:
        text = self._date_text.get(day)
        if text is None:
            text = self._date_text[day] = str(np.datetime64(day, "D"))
        return text

    def write_chunks(
        self, chunks: Iterator[OrderChunk], frames: Callable[[OrderChunk], tuple[Frame, Frame]]
    ) -> Iterator[tuple[int, int]]:
        """Generation and formatting (Python) of chunk k+1 run in a thread while PostgreSQL
        ingests chunk k (the driver releases the GIL while it waits on the server)."""

        def prepare() -> tuple[int, int, str, str] | None:
            chunk = next(chunks, None)
            if chunk is None:
                return None
            orders, payments = frames(chunk)
            return len(chunk.orders), len(chunk.payments), self._text(Order, orders), self._text(Payment, payments)

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-demo") as pool:
            pending = pool.submit(prepare)
            while (ready := pending.result()) is not None:
                pending = pool.submit(prepare)
                n_orders, n_payments, orders_text, payments_text = ready
                self._copy(Order, orders_text)
                self._copy(Payment, payments_text)
                del ready, orders_text, payments_text
                yield n_orders, n_payments

    @contextmanager
    def bulk_mode(self, models_: Iterable[type[models.Model]]) -> Iterator[None]:
        """Drop the foreign keys and the secondary indexes (not those backing a primary key or
        unique constraint) of the given tables, and recreate them, exactly, after the load.
        Runs inside the command's transaction: on failure the rollback restores everything."""
        restore: list[str] = []
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            # Run the deferred checks already queued in this transaction (the demo users' rows):
            # PostgreSQL refuses to drop a foreign key while its tables have pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for model in models_:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                    [table],
                )
                foreign_keys = cursor.fetchall()
                cursor.execute(
                    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS ("
                    "  SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid"
                    ") ORDER BY c.relname",
                    [table],
                )
                indexes = cursor.fetchall()
                quoted = connection.ops.quote_name(table)
                for name, _ in foreign_keys:
                    cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                restore[:0] = [definition for _, definition in indexes]  # indexes first, then keys
                restore.extend(
                    f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
                    for name, definition in foreign_keys
                )
        yield
        with connection.cursor() as cursor:
            for statement in restore:
                started = time.monotonic()
                cursor.execute(statement)
                self.log(f"{time.monotonic() - started:6.1f}s  {statement}")
