"""One INSERT ... ON CONFLICT statement per batch: the database decides created/updated/unchanged.

    INSERT INTO <table> AS t (<columns>)
    SELECT <each column of one JSON row>, <constants> FROM <the rows as one JSON parameter> AS r WHERE true
    ON CONFLICT (external_id) WHERE external_id IS NOT NULL
    DO UPDATE SET <sent columns> = EXCLUDED.<...>, updated_at = EXCLUDED.updated_at
    WHERE <some sent column differs> [AND <the existing row is the caller's to change>]
    RETURNING id, external_id[, xmax = 0]

The same statement runs on PostgreSQL and SQLite (>= 3.35); only three fragments differ: how
the JSON array is read, the null-safe "differs" operator, and how a created row is told from an
updated one. The rows travel as a single JSON parameter (no 65,535-parameter limit, and
PostgreSQL parses one literal instead of 35,000 placeholders, twice as fast as VALUES lists).
Rows whose values are identical match no DO UPDATE row: they are not written (updated_at
keeps its value) and are not returned; one SELECT then finds their ids.

Values are never formatted into the SQL: identifiers come from the model's `_meta`, values are
bound parameters. Rows are sorted by key so that concurrent batches lock rows in one order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

KEY = "external_id"
CREATED, UPDATED, UNCHANGED, HIDDEN = "created", "updated", "unchanged", "hidden"

# A guard: SQL on the alias `t` (the existing row) with its parameters; when false, the row is
# left alone and reported HIDDEN (e.g. it belongs to an account the caller may not see).
Guard = tuple[str, Sequence[Any]]

# Field types whose validated values go into the JSON rows as they are (json.dumps writes
# Decimal and date with str()); any other type is first adapted like the ORM would.
_JSON_READY = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DecimalField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


@dataclass(frozen=True)
class Outcome:
    id: int
    status: str  # CREATED, UPDATED, UNCHANGED or HIDDEN


def upsert(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    insert_defaults: dict[str, Any] | None = None,
    guard: Guard | None = None,
) -> dict[str, Outcome]:
    """Insert or update `rows` (dicts keyed by model attribute, all with the same keys, one of
    them `external_id`) and say, per key, what happened. Columns a row leaves out keep their
    value on update and take `insert_defaults` or the model default on insert."""
    if not rows:
        return {}
    rows = sorted(rows, key=lambda row: row[KEY])
    statement = _Statement(model, list(rows[0]), insert_defaults or {}, guard)
    outcomes: dict[str, Outcome] = {}
    with connection.cursor() as cursor:
        existing = _existing_keys(cursor, model, rows) if connection.vendor != "postgresql" else None
        cursor.execute(statement.sql, statement.params(rows))
        for pk, key, *flag in cursor.fetchall():
            inserted = flag[0] if existing is None else key not in existing
            outcomes[key] = Outcome(pk, CREATED if inserted else UPDATED)
        missing = [row[KEY] for row in rows if row[KEY] not in outcomes]
        if missing:
            outcomes.update(_untouched(cursor, model, missing, guard))
    return outcomes


class _Statement:
    def __init__(self, model: type[models.Model], sent: list[str], defaults: dict[str, Any], guard: Guard | None):
        meta, ops, postgres = model._meta, connection.ops, connection.vendor == "postgresql"
        qn = ops.quote_name
        now = timezone.now()
        self.fields = [meta.get_field(name) for name in sent]
        # Columns whose Python values cannot go into the JSON rows as they are: adapted like the ORM does.
        self.adapted = [(f.attname, _db_adapter(f)) for f in self.fields if f.get_internal_type() not in _JSON_READY]
        columns = [qn(field.column) for field in self.fields]
        if postgres:
            exprs = [f"CAST(r.value ->> {i} AS {f.db_type(connection)})" for i, f in enumerate(self.fields)]
        else:
            exprs = [f"json_extract(r.value, '$[{i}]')" for i in range(len(self.fields))]
        self.constants: list[Any] = []
        touched = []  # auto_now columns: set on insert and on every real update
        for field in meta.concrete_fields:
            if field.primary_key or field.attname in sent:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
                if field.auto_now:
                    touched.append(qn(field.column))
            else:
                value = defaults[field.attname] if field.attname in defaults else field.get_default()
            columns.append(qn(field.column))
            exprs.append("%s")
            self.constants.append(field.get_db_prep_save(value, connection))
        key = qn(meta.get_field(KEY).column)
        compared = [qn(field.column) for field in self.fields if field.attname != KEY]
        differs = " OR ".join(f"t.{c} {'IS DISTINCT FROM' if postgres else 'IS NOT'} EXCLUDED.{c}" for c in compared)
        source = "json_array_elements(%s::json)" if postgres else "json_each(%s)"
        sql = [
            f"INSERT INTO {qn(meta.db_table)} AS t ({', '.join(columns)})",
            # WHERE true: SQLite's rule for INSERT ... SELECT with an upsert clause.
            f"SELECT {', '.join(exprs)} FROM {source} AS r WHERE true",  # noqa: S608 - identifiers only
            f"ON CONFLICT ({key}) WHERE {key} IS NOT NULL",
        ]
        self.guard_params: Sequence[Any] = ()
        if compared:
            assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in compared + touched)
            condition = f"({differs})"
            if guard is not None:
                condition += f" AND ({guard[0]})"
                self.guard_params = guard[1]
            sql.append(f"DO UPDATE SET {assignments} WHERE {condition}")
        else:
            sql.append("DO NOTHING")
        # Unqualified: SQLite's RETURNING does not know the alias.
        sql.append(f"RETURNING {qn(meta.pk.column)}, {key}" + (", (xmax = 0)" if postgres else ""))
        self.sql = "\n".join(sql)

    def params(self, rows: list[dict[str, Any]]) -> list[Any]:
        for name, adapt in self.adapted:
            rows = [{**row, name: adapt(row[name])} for row in rows]
        names = [field.attname for field in self.fields]
        row_values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
        # default=str (C, no Python frame) writes Decimal and date as text ("12500.00",
        # "2026-03-02"; even "1E+2" would do): the SQL casts the text to the column's type.
        payload = json.dumps([row_values(row) for row in rows], default=str, ensure_ascii=False)
        return [*self.constants, payload, *self.guard_params]


def _db_adapter(field: models.Field) -> Callable[[Any], Any]:
    return lambda value: field.get_db_prep_save(value, connection)


def key_list(keys: Iterable[str]) -> RawSQL:
    """`external_id__in=key_list(keys)`: thousands of keys as one bound JSON value (a short
    statement for PostgreSQL to plan, and no SQLite variable limit)."""
    return RawSQL(_keys_sql(), [json.dumps(list(keys))])  # noqa: S611 - constant SQL, keys bound


def _keys_sql() -> str:
    """A subquery yielding the keys of one JSON array parameter."""
    if connection.vendor == "postgresql":
        return "SELECT json_array_elements_text(%s::json)"
    return "SELECT value FROM json_each(%s)"


def _existing_keys(cursor: Any, model: type[models.Model], rows: list[dict[str, Any]]) -> set[str]:
    """SQLite only: keys already present, read in the writing transaction. SQLite serialises
    writers, so nothing can slip in between this read and the INSERT (a concurrent writer gets
    "database is locked" instead); PostgreSQL uses xmax, which is exact under concurrency."""
    meta, qn = model._meta, connection.ops.quote_name
    key = qn(meta.get_field(KEY).column)
    cursor.execute(
        f"SELECT {key} FROM {qn(meta.db_table)} WHERE {key} IN ({_keys_sql()})",  # noqa: S608 - identifiers only
        [json.dumps([row[KEY] for row in rows])],
    )
    return {found for (found,) in cursor.fetchall()}


def _untouched(cursor: Any, model: type[models.Model], keys: list[str], guard: Guard | None) -> dict[str, Outcome]:
    """Rows the statement matched but did not write: identical (UNCHANGED) or guarded (HIDDEN)."""
    meta, qn = model._meta, connection.ops.quote_name
    key = qn(meta.get_field(KEY).column)
    allowed, params = (guard[0], list(guard[1])) if guard else ("1 = 1", [])
    cursor.execute(
        f"SELECT t.{qn(meta.pk.column)}, t.{key}, CASE WHEN {allowed} THEN 1 ELSE 0 END "  # noqa: S608 - bound values
        f"FROM {qn(meta.db_table)} AS t WHERE t.{key} IN ({_keys_sql()})",
        [*params, json.dumps(keys)],
    )
    return {found: Outcome(pk, UNCHANGED if ok else HIDDEN) for pk, found, ok in cursor.fetchall()}
