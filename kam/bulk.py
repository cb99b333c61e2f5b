"""Frames in and out of the database in bulk: COPY on PostgreSQL (CSV written and read by
Arrow), plain statements elsewhere; a COPY run by a background thread while Python computes;
and a file over an iterator of texts, for streaming a COPY built piece by piece."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection


def _insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Batched executemany, where COPY is not available (the SQLite demo)."""
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(table)} ({quoted_columns}) VALUES ({marks})",  # noqa: S608
            list(rows),
        )


def copy_frame(table: str, frame: pd.DataFrame) -> int:
    """Insert a frame whose columns are named after the table's columns (NA/None = NULL)."""
    if frame.empty:
        return 0
    if connection.vendor != "postgresql":
        plain = frame.astype(object).where(frame.notna(), None)
        rows = (
            tuple(v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row)
            for row in plain.itertuples(index=False, name=None)
        )
        _insert_rows(table, list(frame.columns), rows)
        return len(frame)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(_copy_sql(table, frame), copy_csv(frame), size=1 << 20)
    return len(frame)


def _copy_sql(table: str, frame: pd.DataFrame) -> str:
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    return f"COPY {connection.ops.quote_name(table)} ({quoted_columns}) FROM STDIN WITH (FORMAT csv)"  # noqa: S608


@contextmanager
def copying_in_background() -> Iterator[Callable[[str, pd.DataFrame], None]]:
    """Yields `copy(table, frame)`: each call queues a `copy_frame` that one background thread
    runs, in order, on this connection and in its transaction, while the with-block goes on
    computing. The server parses and indexes the rows while Python works. Leaving the block
    waits for every COPY and raises the first error. The block must not use the database
    itself: the connection is busy (a COPY's stream must not be interleaved with anything)."""
    if connection.vendor != "postgresql":
        yield copy_frame
        return
    connection.ensure_connection()
    raw, django_errors = connection.connection, connection.wrap_database_errors
    futures: list[Future] = []

    def copy(table: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        sql = _copy_sql(table, frame)

        def run() -> None:
            with django_errors, raw.cursor() as cursor:  # Django's exception classes, as elsewhere
                cursor.copy_expert(sql, copy_csv(frame), size=1 << 20)

        futures.append(pool.submit(run))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy") as pool:
        try:
            yield copy
        finally:
            wait(futures)  # the connection must be idle before anything else uses it
        for future in futures:
            future.result()


def copy_csv(frame: pd.DataFrame) -> io.BytesIO:
    """The frame as CSV for COPY, written by Arrow's C++ writer (4-5x faster than building the
    text in Python). Every string is quoted, so an empty string stays one, while a missing
    value (None, NaN, NaT) is an unquoted empty field: COPY's NULL."""
    buffer = io.BytesIO()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    buffer.seek(0)
    return buffer


class TextStream(io.TextIOBase):
    """A read-only file over an iterator of strings, for copy_expert. A read returns at most
    `size` characters (slices, so a large text is never copied whole), and never more than
    what is left of the current string."""

    def __init__(self, chunks: Iterable[str]) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self._text, self._position = "", 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        while self._position >= len(self._text):
            text = next(self._chunks, None)
            if text is None:
                return ""
            self._text, self._position = text, 0
        start = self._position
        self._position = len(self._text) if size is None or size < 0 else min(len(self._text), start + size)
        return self._text[start : self._position]


# PostgreSQL type OIDs -> Arrow types for read_frame (anything else is read as text).
_ARROW_TYPES = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int64(),
    23: pa.int64(),
    700: pa.float64(),
    701: pa.float64(),
    1700: pa.float64(),  # numeric: as a float, which is what the frames compute with
    1082: pa.date32(),
}


def read_frame(sql: str, params: Sequence, columns: list[str]) -> pd.DataFrame:
    """A query's rows as a frame. On PostgreSQL through `COPY (query) TO STDOUT` and Arrow's
    CSV reader, several times faster than fetching rows into Python objects; the column
    types come from the query's own description. Numeric becomes float64, a nullable integer
    float64, a date datetime64; elsewhere (SQLite) values are as the driver gives them."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
        raw = cursor.cursor
        query = raw.mogrify(sql, params).decode()
        raw.execute(f"SELECT * FROM ({query}) AS q LIMIT 0")  # noqa: S608 - mogrify quoted the values
        types = {
            name: _ARROW_TYPES.get(col.type_code, pa.string())
            for name, col in zip(columns, raw.description, strict=True)
        }
        buffer = io.BytesIO()
        raw.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer, size=1 << 20)
    if buffer.tell() == 0:  # no rows: Arrow refuses an empty file
        return pa.schema(list(types.items())).empty_table().to_pandas(date_as_object=False)
    buffer.seek(0)
    table = pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=columns),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            true_values=["t"],
            false_values=["f"],
            null_values=[""],
            quoted_strings_can_be_null=False,  # "" is an empty text, an unquoted empty field NULL
            strings_can_be_null=True,
        ),
    )
    return table.to_pandas(date_as_object=False)
