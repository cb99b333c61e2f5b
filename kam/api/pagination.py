"""Keyset (cursor) pagination in a stable order, for ERPs that sync incrementally.

Every collection is ordered by (`sync_ordering` of the view, default `updated_at`) then id, and a
page is "the next `page_size` rows after (updated_at, id) of the last row seen": a true keyset on
the whole ordering, so rows sharing a timestamp (a bulk import, a tiering run) neither loop nor
skip, however many there are, and a row changed while a client pages moves behind it instead of
shifting what comes next. The cursor is opaque: a signed token holding the last position.

A client that pages with `cursor` and restarts from `updated_since=<newest updated_at it saw>`
sees every committed change, because rows are handed out only below the *sync horizon*
(`sync_horizon`): a change whose transaction may still commit is never passed over. The rule for
integrators is in README.md ("Sync out").
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import DateTimeField, F, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.sql.datastructures import BaseTable
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param

from kam.api.sql_json import PageCsv, PageJson, csv_copy_in_local_time_zone, json_rows_in_local_time_zone

CURSOR_SALT = "kam.api.cursor"


# The horizon in SQL (see `sync_horizon`), a timestamptz; the parameter is the margin in seconds.
# min() over no row is NULL and LEAST ignores NULLs: with no write in flight it is the clock.
# pg_stat_activity's own function, without the view's joins of pg_database and pg_authid: the
# same rows, and planned in a fifth of the time (~0.7 -> ~0.2 ms of CPU a statement, which a
# CSV page's COPY pays every time: it cannot be prepared).
HORIZON_SQL = (
    "((SELECT LEAST(clock_timestamp(), min(a.xact_start)) FROM pg_stat_get_activity(NULL) a "
    "WHERE a.datid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND a.pid <> pg_backend_pid() AND a.backend_xid IS NOT NULL)"
    " - make_interval(secs => %s))"
)


def sync_horizon(*, using: str = "default") -> datetime | None:
    """The moment below which every change that will ever commit has committed (UTC), or None
    when there is no such limit (SQLite: one writer at a time, nothing is in flight).

    On PostgreSQL: the start of the oldest *write* transaction still in flight in this database
    (another backend with a transaction id assigned), or the database's clock when none is, less
    `SYNC_SETTLE_SECONDS`. The margin covers a timestamp the application took just before its
    transaction reached the database (auto_now and bulk writes take theirs in Python) and clock
    drift between application and database servers. A row stamped at or after the horizon may
    still be joined by rows that commit late with older stamps, so it is not handed out yet.
    (A page reads it inside its own query, `sync_horizon_expression`, one round trip fewer.)
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {HORIZON_SQL}", [float(settings.SYNC_SETTLE_SECONDS)])
        (horizon,) = cursor.fetchone()
    return horizon.astimezone(UTC)


def sync_horizon_expression(*, using: str = "default") -> RawSQL | None:
    """`sync_horizon` as an expression the page's query evaluates once (an InitPlan) at its start,
    or None where there is no horizon (SQLite)."""
    if connections[using].vendor != "postgresql":
        return None
    return RawSQL(HORIZON_SQL, [float(settings.SYNC_SETTLE_SECONDS)], output_field=DateTimeField())  # noqa: S611 - constant SQL


def sync_fields(view: Any) -> tuple[str, ...]:
    """The keyset of a view's collection: (`sync_ordering`, "id"), or ("id",) for append-only ones."""
    field = getattr(view, "sync_ordering", "updated_at")
    return (field,) if field == "id" else (field, "id")


# What urllib's quote_plus leaves as it is, and ':': the characters of a signed cursor.
_CURSOR_CHARACTERS = re.compile(r"[A-Za-z0-9_.~:-]*")


def _quote_plus_cursor(value: str) -> str:
    """quote_plus(value), without its byte-by-byte pass for a cursor (only ':' is quoted)."""
    if _CURSOR_CHARACTERS.fullmatch(value):
        return value.replace(":", "%3A")
    return quote_plus(value)


def _utc(value: Any) -> Any:
    """A naive datetime read `AT TIME ZONE 'UTC'` made aware again; anything else as it is."""
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value


class SyncCursorPagination(CursorPagination):
    """`?cursor=<opaque>&page_size=<1..1000>` over the view's keyset (see the module docstring).

    The cursor holds the position (the keyset values of the row it follows or precedes) and the
    direction, signed with SECRET_KEY: a malformed, forged or other-collection cursor is a 400
    naming `cursor`. Rows at or past the sync horizon are left for a later sync.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> tuple[str, ...]:
        """The keyset; a subclass may return it descending ("-id",) for a newest-first log."""
        return sync_fields(view)

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list[Model] | None:
        page = self._keyset_page(queryset, request, view)
        return self._take(list(page[: self.page_size + 1]), key=self._key)

    def paginate_json(self, queryset: QuerySet, request: Request, view: Any, *, row: PageJson) -> list[bytes]:
        """The page's rows as JSON texts (UTF-8) written by the database (`row`: how a row of the
        page, `p`, is written, datetimes in the session zone: kam/api/sql_json.py), for a list built
        without model instances; same rows, order and links as `paginate_queryset`. Render them
        with `get_paginated_json`.

        One statement: the page's rows (the keyset query, every filter and visibility rule as for
        `paginate_queryset`) as a CTE `p`, then each row's JSON over them, so that nested parts are
        gathered once for the page's ids (`row.joins`) instead of by a subquery per row."""
        meta = queryset.model._meta
        stored = row.reads_stored(timezone.get_current_timezone_name(), using=queryset.db)
        try:
            inner, inner_params = self._page_rows_sql(queryset, request, view, stored=row.stored if stored else ())
        except EmptyResultSet:
            return self._take([], key=tuple)  # a filter that matches nothing (`pk__in=[]`)
        # The keys in UTC without a zone: the row is written under another session TimeZone, and
        # the driver reads a timestamptz as if in UTC whatever its offset.
        columns = [f"p.{meta.get_field(f).column}" for f in self.fields]
        keys = [c if f == "id" else f"({c} AT TIME ZONE 'UTC')" for f, c in zip(self.fields, columns, strict=True)]
        direction = " DESC" if self._backwards != self._descending else ""
        order = ", ".join(f"{c}{direction}" for c in columns)
        written = row.stored_sql if stored else row.sql
        sql = f"WITH p AS ({inner}) SELECT {', '.join(keys)}, {written} FROM p {row.joins} ORDER BY {order}"  # noqa: S608 - names from code, values as params
        rows = json_rows_in_local_time_zone(sql, [*inner_params, *row.params], using=queryset.db)
        return [r[-1] for r in self._take(rows, key=lambda r: tuple(_utc(v) for v in r[:-1]))]

    def paginate_csv(self, queryset: QuerySet, request: Request, view: Any, *, row: PageCsv) -> bytes:
        """The page as CSV written by PostgreSQL (`COPY (SELECT …) TO STDOUT WITH CSV HEADER`):
        UTF-8, a header row of `row`'s names, one record per row in keyset order, NULL as an empty
        cell and "" quoted; same rows and links as `paginate_queryset`, given by `get_next_link` /
        `get_previous_link` (a CSV page has no body to hold them).

        COPY sends page_size + 1 rows as JSON's page does (to know whether more follow) and says how
        many; the extra record is cut off the text, and the page's first and last keys are read
        from its first and last records (the keyset's fields are columns of `row`)."""
        zone = timezone.get_current_timezone_name()  # the zone COPY runs in
        stored = row.reads_stored(zone, using=queryset.db)  # UTC text stored beside the rows
        columns = row.columns_in(zone, stored=stored)
        if not all(name.isascii() and name.isidentifier() for name, _ in columns):
            raise ValueError(columns)  # header names are code, never input
        header = (",".join(name for name, _ in columns) + "\n").encode()
        meta = queryset.model._meta
        try:
            inner, inner_params = self._page_rows_sql(queryset, request, view, stored=row.stored if stored else ())
        except EmptyResultSet:
            self._take([], key=tuple)
            return header
        names = [name for name, _ in columns]
        positions = [names.index(f) for f in self.fields]  # ValueError: the keyset is not in the CSV
        select = ", ".join(f'{sql} AS "{name}"' for name, sql in columns)
        # The keyset order whichever way the page was read: a page read backwards is still sent in order.
        direction = " DESC" if self._descending else ""
        order = ", ".join(f"p.{meta.get_field(f).column}{direction}" for f in self.fields)
        # The page's rows as a subquery, not a CTE: joined row by row (`row.joins`), they stay in
        # the index's order and need no sort (~2.5 ms of PostgreSQL's CPU a 1,000-row page).
        sql = f"SELECT {select} FROM ({inner}) p {row.joins} ORDER BY {order}"  # noqa: S608 - names from code, values as params
        body, count = csv_copy_in_local_time_zone(sql, [*inner_params, *row.params], using=queryset.db)
        start = len(header)
        if body[:start] != header:
            raise ValueError("COPY wrote another header")
        end = len(body)
        more = count > self.page_size
        if more and self._backwards:  # the extra row precedes the page
            start = _csv_record_end(body, start)
        elif more:
            end = _csv_record_start(body, end, floor=start)
        first = last = None
        if start < end:
            first = self._csv_key(body[start : _csv_record_end(body, start)], positions)
            last = self._csv_key(body[_csv_record_start(body, end, floor=start) : end], positions)
        self._remember(count=min(count, self.page_size), more=more, first=first, last=last)
        return header + body[start:end]

    def _csv_key(self, record: bytes, positions: list[int]) -> tuple:
        values = next(csv.reader(io.StringIO(record.decode())))
        return tuple(
            self._parse(field, int(values[p]) if field == "id" else values[p])
            for field, p in zip(self.fields, positions, strict=True)
        )

    def get_paginated_json(self, rows: list[bytes]) -> bytes:
        """The body `get_paginated_response` would render, from rows already written as JSON."""
        links = json.dumps({"next": self.get_next_link(), "previous": self.get_previous_link()}, ensure_ascii=False)
        return b"".join([links[:-1].encode(), b',"results":[', b",".join(rows), b"]}"])

    def _start(self, queryset: QuerySet, request: Request, view: Any) -> None:
        """Read the request: page size, keyset, the cursor's position and direction."""
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        ordering = self.get_ordering(request, queryset, view)
        descending = ordering[0].startswith("-")
        if any(f.startswith("-") != descending for f in ordering):
            raise ValueError(f"a keyset runs one way: {ordering}")
        self.fields = tuple(f.lstrip("-") for f in ordering)
        self.collection = queryset.model._meta.label_lower
        position, backwards = self.decode_cursor(request)
        self._position, self._backwards, self._descending = position, backwards, descending

    def _keyset_page(self, queryset: QuerySet, request: Request, view: Any) -> QuerySet:
        """The ordered rows from the cursor's position on, below the sync horizon (unsliced)."""
        self._start(queryset, request, view)
        position, backwards, descending = self._position, self._backwards, self._descending
        if self.fields[0] != "id" and not descending:
            horizon = sync_horizon_expression(using=queryset.db)
            if horizon is not None:
                queryset = queryset.filter(**{f"{self.fields[0]}__lt": horizon})
        if position is not None:
            keys = Tuple(*(F(f) for f in self.fields))
            bound = tuple(position)  # a row-value comparison, (a, b) > (x, y): one index range scan
            after = TupleLessThan if backwards != descending else TupleGreaterThan
            queryset = queryset.filter(after(keys, bound))
        order = [f"-{f}" if backwards != descending else f for f in self.fields]
        return queryset.order_by(*order)

    def _page_rows_sql(
        self, queryset: QuerySet, request: Request, view: Any, *, stored: tuple[str, ...] = ()
    ) -> tuple[str, list]:
        """(SQL, params) of the page's rows as `_keyset_page` selects them: every concrete column
        (named by its attname), then the table's columns `stored` (outside the model: text kept
        beside the row, `PageCsv.stored`) by their names, in the order the page is read,
        page_size + 1 rows (to know whether more follow). Raises EmptyResultSet for a queryset
        that matches nothing.

        For a queryset over its table alone (visibility and filters on its own columns: every page
        of a sync) the statement is written here around the queryset's compiled WHERE clause, the
        same statement the ORM would write: building the sliced `values_list` queryset and
        compiling it took ~1.2 ms of CPU a page (docs/benchmarks.md). Anything else (a join, an
        annotation, DISTINCT...) is compiled by the ORM, as before."""
        query = queryset.query
        connection = connections[queryset.db]
        quote = connection.ops.quote_name
        table = quote(query.get_meta().db_table)
        if not all(name.isidentifier() for name in stored):
            raise ValueError(stored)  # column names are code, never input
        if not _plain_table_query(query):
            page = self._keyset_page(queryset, request, view)
            extra = {name: RawSQL(f"{table}.{quote(name)}", ()) for name in stored}  # noqa: S611 - names from code
            fields = [f.attname for f in query.get_meta().concrete_fields]
            page = page.annotate(**extra).values_list(*fields, *extra)[: self.page_size + 1]
            return page.query.get_compiler(using=queryset.db).as_sql()
        self._start(queryset, request, view)
        position, backwards, descending = self._position, self._backwards, self._descending
        meta = query.get_meta()
        template = _plain_page_template(queryset.model, connection.alias)
        conditions, params = [], []
        try:
            where, params = query.get_compiler(using=queryset.db).compile(query.where)
            conditions.append(f"({where})")
            params = list(params)
        except FullResultSet:  # no condition: every row (one who sees everything, no filter)
            pass
        keyset = [template.columns[f] for f in self.fields]
        if self.fields[0] != "id" and not descending and connection.vendor == "postgresql":
            conditions.append(f"{keyset[0]} < {HORIZON_SQL}")
            params.append(float(settings.SYNC_SETTLE_SECONDS))
        if position is not None:
            # A row-value comparison, (a, b) > (x, y): one index range scan.
            after = "<" if backwards != descending else ">"
            conditions.append(f"({', '.join(keyset)}) {after} ({', '.join(['%s'] * len(keyset))})")
            params += [
                meta.get_field(f).get_db_prep_value(v, connection) for f, v in zip(self.fields, position, strict=True)
            ]
        direction = " DESC" if backwards != descending else " ASC"
        order = ", ".join(f"{c}{direction}" for c in keyset)
        where_sql = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        select = template.select_list + "".join(f", {table}.{quote(name)}" for name in stored)
        limit = int(self.page_size) + 1
        sql = f"SELECT {select} FROM {table}{where_sql} ORDER BY {order} LIMIT {limit}"  # noqa: S608 - names from code, values as params
        return sql, params

    def _take(self, rows: list, *, key: Callable[[Any], tuple]) -> list:
        """The page of `rows` (page_size + 1 fetched, to know whether more follow), in keyset order;
        remembers its first and last positions for the links."""
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if self._backwards:
            rows.reverse()
        self._remember(
            count=len(rows), more=more, first=key(rows[0]) if rows else None, last=key(rows[-1]) if rows else None
        )
        self.page = rows
        return rows

    def _remember(self, *, count: int, more: bool, first: tuple | None, last: tuple | None) -> None:
        """The links' state for a page of `count` rows whose first and last keys (in keyset order)
        are `first` and `last`; `more`: rows follow it in the direction it was read."""
        position = self._position
        if self._backwards:
            self._has_next, self._has_previous = position is not None, more
        else:
            self._has_next, self._has_previous = more, position is not None
        self.page = [first, last][:count]  # only its emptiness is read (get_next_link)
        self._first = first if count else position
        self._last = last if count else position

    def _key(self, row: Model) -> tuple:
        return tuple(getattr(row, "pk" if f == "id" else f) for f in self.fields)

    def get_next_cursor(self) -> str | None:
        """The `cursor` of the next page's link (`get_next_link`): "" when that link has none (the
        first page), None when no page follows."""
        if not self._has_next:
            return None
        # Paged back past the start: resume from its cursor.
        position = self._first if not self.page and self._backwards else self._last
        return "" if position is None else self.encode_position(position, backwards=False)

    def get_next_link(self) -> str | None:
        return self.link_with_cursor(self.get_next_cursor())

    def get_previous_link(self) -> str | None:
        if not self._has_previous:
            return None
        return self._link(self._first, backwards=True)

    def _link(self, position: tuple | None, *, backwards: bool) -> str:
        return self.link_with_cursor("" if position is None else self.encode_position(position, backwards))

    def link_with_cursor(self, cursor: str | None) -> str | None:
        """The request's URL with `cursor` as its `cursor` parameter ("": without one; None: no
        link), what DRF's replace_query_param / remove_query_param write, the URL's other
        parameters parsed and encoded once a page (quoting them for two links a page cost ~0.4 ms
        of CPU: a cursor's ~100 characters went through urllib's quote byte by byte)."""
        if cursor is None:
            return None
        if cursor == "":
            return remove_query_param(self.base_url, self.cursor_query_param)
        if getattr(self, "_url_parts", (None,))[0] != self.base_url:
            scheme, netloc, path, query, fragment = urlsplit(self.base_url)
            items = sorted(parse_qs(query, keep_blank_values=True).items())
            key = self.cursor_query_param
            before = urlencode([(k, v) for k, v in items if k < key], doseq=True)
            after = urlencode([(k, v) for k, v in items if k > key], doseq=True)
            self._url_parts = (self.base_url, scheme, netloc, path, fragment, before, after)
        _, scheme, netloc, path, fragment, before, after = self._url_parts
        parameter = f"{quote_plus(self.cursor_query_param)}={_quote_plus_cursor(cursor)}"
        query = "&".join(part for part in (before, parameter, after) if part)
        return urlunsplit((scheme, netloc, path, query, fragment))

    def encode_position(self, position: tuple, backwards: bool) -> str:
        values = [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in position]
        data = {"c": self.collection, "k": list(self.fields), "v": values, "b": backwards}
        return signing.dumps(data, salt=CURSOR_SALT)

    def decode_cursor(self, request: Request) -> tuple[tuple | None, bool]:  # type: ignore[override]
        """(position, backwards) of `?cursor=`, or (None, False) without one. 400 naming `cursor`
        for anything this API did not give out for this collection."""
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None, False
        try:
            data = signing.loads(raw, salt=CURSOR_SALT)
            if (data["c"], data["k"]) != (self.collection, list(self.fields)) or len(data["v"]) != len(self.fields):
                raise ValueError("another collection's cursor")
            position = tuple(self._parse(field, value) for field, value in zip(self.fields, data["v"], strict=True))
            return position, bool(data["b"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise ValidationError({self.cursor_query_param: [_("Not a cursor this API gave out.")]}) from None

    @staticmethod
    def _parse(field: str, value: Any) -> Any:
        if field == "id":
            if not isinstance(value, int):
                raise TypeError("id")
            return value
        moment = parse_datetime(value)
        if moment is None:
            raise ValueError(field)
        return moment

    def get_html_context(self) -> dict:
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link()}


class UpdatedSinceFilter(BaseFilterBackend):
    """`?updated_since=2026-11-01T00:00:00Z`: rows changed at or after that moment."""

    def filter_queryset(self, request, queryset, view):  # noqa: ANN001, ANN201
        value = request.query_params.get("updated_since")
        field = getattr(view, "updated_since_field", getattr(view, "sync_ordering", "updated_at"))
        if value is None or field == "id":
            return queryset
        try:
            moment = parse_datetime(value) if value else None
            # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
            moment = moment.astimezone(UTC) if moment is not None and moment.tzinfo is not None else None
        except (ValueError, OverflowError):
            moment = None
        if moment is None:
            raise ValidationError({"updated_since": [_("Give an ISO 8601 date-time with a time zone.")]})
        return queryset.filter(**{f"{field}__gte": moment})

    def get_schema_operation_parameters(self, view) -> list[dict]:  # noqa: ANN001
        if getattr(view, "updated_since_field", getattr(view, "sync_ordering", "updated_at")) == "id":
            return []
        return [
            {
                "name": "updated_since",
                "required": False,
                "in": "query",
                "description": "Only rows changed at or after this ISO 8601 date-time (with time zone).",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


def _plain_table_query(query: Any) -> bool:
    """Whether `query` reads its model's table alone, unsliced, with nothing but a WHERE clause
    on it (no join, annotation, DISTINCT, extra, combination or lock): what `_page_rows_sql`
    may write itself around the compiled WHERE. (select_related is no join until compiled, and
    a `values_list` page drops it.)"""
    table = query.get_meta().db_table
    return (
        all(
            alias == table and type(join) is BaseTable and join.table_name == table
            for alias, join in query.alias_map.items()
        )
        and not query.annotations
        and query.group_by is None
        and not query.distinct
        and not query.extra
        and not query.extra_tables
        and not query.combinator
        and not query.select_for_update
        and query.low_mark == 0
        and query.high_mark is None
    )


@dataclass(frozen=True)
class _PageTemplate:
    """`<every concrete column AS its attname>` (of `SELECT … FROM <table>`), and each field's
    quoted column."""

    select_list: str
    columns: dict


@functools.cache
def _plain_page_template(model: type[Model], using: str) -> _PageTemplate:
    quote = connections[using].ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    columns = {f.attname: f"{table}.{quote(f.column)}" for f in meta.concrete_fields}
    columns["id"] = columns[meta.pk.attname]
    select = ", ".join(f"{columns[f.attname]} AS {quote(f.attname)}" for f in meta.concrete_fields)
    return _PageTemplate(select_list=select, columns=columns)


def _csv_record_end(body: bytes, start: int) -> int:
    """Where the CSV record beginning at `start` ends (just past its newline): a newline ends a
    record when the quotes before it in the record are even (else it is inside a quoted value)."""
    end = body.index(b"\n", start)
    while body.count(b'"', start, end) % 2:
        end = body.index(b"\n", end + 1)
    return end + 1


def _csv_record_start(body: bytes, end: int, *, floor: int) -> int:
    """Where the CSV record ending at `end` (just past its newline) begins, not before `floor`
    (the first record's start): after the nearest newline with an even number of quotes after it."""
    limit = end - 1
    while True:
        newline = body.rfind(b"\n", floor, limit)
        start = newline + 1 if newline >= 0 else floor
        if start == floor or body.count(b'"', start, end) % 2 == 0:
            return start
        limit = newline
