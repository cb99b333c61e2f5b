"""Pieces of PostgreSQL that write a value as DRF's JSON renderer would, for list pages built in the
database (a collection's rows as JSON text, sent through without Python touching each field).

Each helper takes a SQL expression and returns SQL of *text* holding the value's JSON (never SQL
NULL: a null is the text `null`), so that a row is one concat(), compact and cheap (about 3x
cheaper per field than json_build_object, which looks up each argument's type on every row). Once
parsed, each value equals what the matching DRF field writes: a datetime as ISO 8601 in the current
time zone ("Z" for UTC, microseconds only when there are any), a decimal as a string with the
column's places, "" stored for "unknown" as null. The serializers stay the reference; tests compare
every page of both (accounts/tests/test_fast_list.py).

Datetimes are formatted in the session's TimeZone, which `json_rows_in_local_time_zone` sets for the
duration of one query (one to_char per value instead of computing the offset per row).
"""

from __future__ import annotations

import io
import re
import weakref
import zoneinfo
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from psycopg2.extensions import BYTES, register_type


def fast_json_available(*, using: str = "default") -> bool:
    """Whether a page may be built in the database: PostgreSQL, and a current time zone PostgreSQL
    can name (DRF writes datetimes in it; a fixed offset activated in Python has no name there)."""
    return connections[using].vendor == "postgresql" and isinstance(timezone.get_current_timezone(), zoneinfo.ZoneInfo)


@contextmanager
def local_time_zone(*, using: str = "default") -> Iterator[None]:
    """Run the block's queries with the session TimeZone set to Django's current time zone, and put
    Django's connection zone (UTC) back after it, whatever happens: Django reads timestamps as if
    in that zone (its psycopg2 cursors ignore the offset), so no datetime may be *read* inside the
    block except as text or `AT TIME ZONE 'UTC'` (see SyncCursorPagination.paginate_json). Inside a
    transaction that fails, its rollback puts the zone back too."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', %s, false)", [timezone.get_current_timezone_name()])
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('TimeZone', %s, false)", [connection.timezone_name])


@dataclass(frozen=True)
class PageJson:
    """How a collection's row is written as JSON over a page of its rows (`paginate_json`).

    sql: SQL of text, the row's JSON, reading the page's rows as `p` (every column of the model's
    table, by column name) and whatever `joins` adds; joins: what follows `FROM p` (LEFT JOINs of
    nested parts, built once for the page's ids rather than by a subquery per row); params: the
    values of `sql`'s then `joins`'s placeholders, in that order. stored_sql: `sql` for a session
    in UTC on PostgreSQL that reads datetimes' text stored beside the row (the same JSON; see
    `PageCsv.stored_columns`), optional; stored: the table's columns it reads (outside the model's
    fields), which the page's rows must then select.
    """

    sql: str
    joins: str = ""
    params: tuple = ()
    stored_sql: str = ""
    stored: tuple[str, ...] = ()

    def reads_stored(self, zone: str, *, using: str = "default") -> bool:
        """Whether a page in the session TimeZone `zone` is written by `stored_sql`: in UTC on
        PostgreSQL, where there is one."""
        return zone == "UTC" and bool(self.stored_sql) and connections[using].vendor == "postgresql"


# Page statements prepared on each database connection: a page's statement is planned once per
# connection, not per page (~3 ms of a 1,000-row page's ~13 ms in PostgreSQL). The values differ
# from page to page (the cursor's position), the text does not, so a sync reuses one or two; the
# least recently used of more than PREPARED_PER_CONNECTION texts (filters, page sizes) is dropped.
# Every API request's token lookup is prepared the same way (accounts/tokens.py), under its own name.
PREPARED_PER_CONNECTION = 64
_PLACEHOLDER = re.compile(r"%([s%])")


@dataclass
class _Prepared:
    """The statements prepared on one connection: {SQL: name, or None if PostgreSQL refused it},
    least recently used first; `made` numbers the names, per kind ({kind: the last number})."""

    names: OrderedDict = field(default_factory=OrderedDict)
    made: dict = field(default_factory=dict)


_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # {driver connection: _Prepared}


def prepared_statement(cursor: Any, sql: str, params: list, *, using: str, kind: str = "page") -> tuple[str, list]:
    """(statement, params) to run on `cursor` (a cursor of the connection `using`) for `sql` with
    `params` (%s placeholders): `EXECUTE kam_<kind>_<n>(…)` of the statement prepared for `sql` on
    this connection (prepared on first use), or `sql` itself where it may not be (not PostgreSQL,
    API_PREPARED_STATEMENTS off, PostgreSQL could not type a parameter). kind: a word naming
    what is prepared, in the statement's name (`page`, `token`). The rows are the same either way."""
    if not settings.API_PREPARED_STATEMENTS or connections[using].vendor != "postgresql":
        return sql, params
    prepared = _prepared.setdefault(connections[using].connection, _Prepared())
    if sql in prepared.names:
        prepared.names.move_to_end(sql)
    else:
        if len(prepared.names) >= PREPARED_PER_CONNECTION:
            _, dropped = prepared.names.popitem(last=False)
            if dropped is not None:
                cursor.execute(f"DEALLOCATE {dropped}")
        numbers = iter(range(1, len(params) + 1))
        text = _PLACEHOLDER.sub(lambda m: f"${next(numbers)}" if m.group(1) == "s" else "%", sql)
        prepared.made[kind] = number = prepared.made.get(kind, 0) + 1
        name = f"kam_{kind}_{number}"
        try:
            # A savepoint in a transaction: a refused PREPARE leaves the transaction usable. (A
            # prepared statement outlives a rollback: it belongs to the session.)
            with transaction.atomic(using=using):
                cursor.execute(f"PREPARE {name} AS {text}")  # no params: sent as it is
        except DatabaseError:
            name = None
        prepared.names[sql] = name
    name = prepared.names[sql]
    if name is None:
        return sql, params
    return (f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"), params


def json_rows_in_local_time_zone(sql: str, params: list, *, using: str = "default") -> list[tuple]:
    """The rows of `sql`, read with the session TimeZone set to Django's current time zone for
    that query only; as the driver gives them (no field converters, so no datetime read except as
    text or `AT TIME ZONE 'UTC'`: see `local_time_zone`), except that text comes as UTF-8 bytes:
    a page's rows go out as bytes, and decoding 1,000 rows only to encode them again cost ~3 ms.
    The statement is prepared once per connection (`prepared_statement`).

    In autocommit, one round trip: the zone is set LOCAL in front of the query in the same
    statement string, which PostgreSQL runs as one implicit transaction, so the zone ends with it
    (a page of the sync paid two more round trips, 3-5 ms each on a loaded server, to set and put
    back the zone). In a transaction (tests, ATOMIC_REQUESTS) a LOCAL zone would outlive the
    query: there `local_time_zone` puts it back explicitly."""
    connection = connections[using]
    zone = timezone.get_current_timezone_name()
    if connection.in_atomic_block or not connection.get_autocommit():
        with local_time_zone(using=using), connection.cursor() as cursor:
            register_type(BYTES, cursor.cursor)  # this cursor only
            cursor.execute(*prepared_statement(cursor, sql, params, using=using))
            return cursor.fetchall()
    with connection.cursor() as cursor:
        register_type(BYTES, cursor.cursor)
        statement, params = prepared_statement(cursor, sql, params, using=using)
        cursor.execute(f"SELECT set_config('TimeZone', %s, true); {statement}", [zone, *params])
        return cursor.fetchall()


def _iso_datetime_text(column: str) -> str:
    text = f"replace(to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM'), '.000000', '')"
    return f"replace({text}, '+00:00', 'Z')"


def iso_datetime(column: str) -> str:
    """`column` (timestamptz) as DRF's DateTimeField writes it, given the session zone of
    `local_time_zone`: local time, `.ffffff` only when the microseconds are not 0, then the offset
    `+HH:MM`, or `Z` when it is +00:00. (An offset with seconds, local mean time before about 1900,
    would lose its seconds; these are creation and change stamps of this system.)"""
    return f"COALESCE('\"' || {_iso_datetime_text(column)} || '\"', 'null')"


def iso_date(column: str) -> str:
    """A date column as DRF's DateField writes it (ISO 8601, `YYYY-MM-DD`)."""
    return f"COALESCE('\"' || to_char({column}, 'YYYY-MM-DD') || '\"', 'null')"


def decimal_text(column: str) -> str:
    """A numeric column as DRF's DecimalField writes it with COERCE_DECIMAL_TO_STRING: the digits
    with the column's decimal places, never an exponent (PostgreSQL's numeric text is just that)."""
    return f"COALESCE('\"' || {column}::text || '\"', 'null')"


def string(column: str) -> str:
    """Text, escaped as JSON."""
    return f"COALESCE(to_json({column})::text, 'null')"


def blank_as_null(column: str) -> str:
    """A code stored as "" when unknown, written as null (`BlankAsNullChoiceField`)."""
    return string(f"NULLIF({column}, '')")


def number(column: str) -> str:
    """An integer column."""
    return f"COALESCE({column}::text, 'null')"


def boolean(column: str) -> str:
    return f"(CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' ELSE 'null' END)"


def json_value(column: str) -> str:
    """A json/jsonb column as stored."""
    return f"COALESCE({column}::text, 'null')"


def json_object(pairs: list[tuple[str, str]]) -> str:
    """SQL text of a JSON object with the pairs' keys in their order (keys are code, never input).
    One concat() call: a chain of `||` costs an operator call and a copy per piece, 2x slower."""
    parts = []
    for n, (key, sql) in enumerate(pairs):
        if not key.isidentifier():
            raise ValueError(key)
        parts += [f"'{'{' if n == 0 else ','}\"{key}\":'", sql]
    return f"concat({', '.join(parts)}, '}}')"


def json_arrays(*, key: str, row: str, source: str, order_by: str) -> str:
    """SQL of a derived table (`key`, `json`): for each value of `key` over `source` (FROM … WHERE
    …), the JSON array of `row` in `order_by` order. LEFT JOIN it on the key and write
    `COALESCE(x.json, '[]')`: one grouped pass over a page's ids, not a subquery per row."""
    return (
        f"(SELECT {key} AS key, '[' || string_agg({row}, ',' ORDER BY {order_by}) || ']' AS json "  # noqa: S608 - names from code
        f"FROM {source} GROUP BY {key})"
    )


# A CSV page (`?format=csv`): the same values as text, NULL left NULL (COPY writes it as an empty
# cell and quotes an empty string, `""`), so that a cell holds what the JSON value holds.
# Numbers go as they are: COPY writes an integer or a numeric as its ::text already.
_CSV_TEXT: dict[Callable[[str], str], Callable[[str], str]] = {
    number: lambda column: column,
    decimal_text: lambda column: column,
    string: lambda column: column,
    blank_as_null: lambda column: f"NULLIF({column}, '')",
    boolean: lambda column: f"(CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' END)",
    iso_date: lambda column: f"to_char({column}, 'YYYY-MM-DD')",
    iso_datetime: _iso_datetime_text,
}


def _iso_datetime_text_in_utc(column: str) -> str:
    # With the session in UTC the offset is always +00:00, which DRF writes "Z": written as a
    # literal, to_char computes no offset and one replace() is left (~0.5 ms of CPU fewer a
    # 1,000-row page with two datetimes; the text is the same: tests/test_csv_sync.py).
    return f"replace(to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"


_CSV_TEXT_IN_UTC = {**_CSV_TEXT, iso_datetime: _iso_datetime_text_in_utc}


def csv_text(kind: Callable[[str], str], column: str, *, utc: bool = False) -> str:
    """SQL of the value that COPY writes as the text `kind(column)` writes as JSON (`number`,
    `string`, `iso_datetime`, ...) without JSON's quotes and escapes, NULL for null: a CSV cell.
    utc: SQL for a session whose TimeZone is UTC only (the same text, cheaper). KeyError for a
    kind that has no flat text (`json_value`)."""
    return (_CSV_TEXT_IN_UTC if utc else _CSV_TEXT)[kind](column)


@dataclass(frozen=True)
class PageCsv:
    """How a collection's row is written as a CSV record over a page of its rows (`paginate_csv`).

    columns: (header name, SQL of the cell's value: `csv_text`) in order, reading the page's rows
    as `p` and whatever `joins` adds; the keyset's fields (`updated_at`, `id`) must be among them,
    under their own names. joins: what follows `FROM (<the page's rows>) p`, joined per row (a CSV
    page has no CTE to select from again). params: the values of `joins`'s placeholders.
    utc_columns: `columns` for a session in UTC (`csv_text(..., utc=True)`), optional.
    stored_columns: `columns` for a session in UTC on PostgreSQL that read text stored for them
    (accounts/0017's `created_at_iso`...: the same text, not formatted per row), optional;
    stored: the table's columns, outside the model's fields, that the page's rows must then
    select (by their own names).
    """

    columns: tuple[tuple[str, str], ...]
    joins: str = ""
    params: tuple = ()
    # The same cells written for a session in UTC (`csv_text(..., utc=True)`), or () for none.
    utc_columns: tuple[tuple[str, str], ...] = ()
    # The same cells in UTC from text stored beside the row (`stored`: its columns), or () for none.
    stored_columns: tuple[tuple[str, str], ...] = ()
    stored: tuple[str, ...] = ()

    def columns_in(self, zone: str, *, stored: bool = False) -> tuple[tuple[str, str], ...]:
        """The columns to write with the session TimeZone `zone` (Django's current zone name);
        stored: the page's rows select `self.stored` (then `stored_columns` serve a UTC session)."""
        names = [name for name, _ in self.columns]
        for other, label in ((self.utc_columns, "utc_columns"), (self.stored_columns, "stored_columns")):
            if other and [name for name, _ in other] != names:
                raise ValueError(f"{label} must name the columns' cells, in their order")
        if zone == "UTC" and stored and self.stored_columns:
            return self.stored_columns
        if zone == "UTC" and self.utc_columns:
            return self.utc_columns
        return self.columns

    def reads_stored(self, zone: str, *, using: str = "default") -> bool:
        """Whether a page in the session TimeZone `zone` reads the stored texts (`stored_columns`):
        in UTC on PostgreSQL, where they exist."""
        return zone == "UTC" and bool(self.stored_columns) and connections[using].vendor == "postgresql"


def csv_copy_in_local_time_zone(sql: str, params: list, *, using: str = "default") -> tuple[bytes, int]:
    """(the CSV text, UTF-8, with a header row, the number of rows) of `COPY (sql) TO STDOUT WITH
    CSV HEADER`, datetimes written in Django's current time zone (as `json_rows_in_local_time_zone`:
    in autocommit the zone is set LOCAL in the same statement string, else set and put back).

    COPY takes no parameters: psycopg2 quotes `params` into the text (`mogrify`), and the
    statement cannot be prepared. Django's query log and execute wrappers do not see it."""
    connection = connections[using]
    sink = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        copy = b"COPY (" + raw.mogrify(sql, params) + b") TO STDOUT WITH (FORMAT csv, HEADER)"
        if connection.in_atomic_block or not connection.get_autocommit():
            with local_time_zone(using=using):
                raw.copy_expert(copy, sink)
        else:
            zone = raw.mogrify("SELECT set_config('TimeZone', %s, true); ", [timezone.get_current_timezone_name()])
            raw.copy_expert(zone + copy, sink)
        return sink.getvalue(), raw.rowcount
