"""PostgreSQL COPY, in one place: frames in and out of the database in bulk (CSV written and
read by Arrow), plain statements elsewhere; a COPY run by a background thread while Python
computes; a file over an iterator of texts, for streaming a COPY built piece by piece; and
writers of model rows in COPY's text format (the demo seed's bulk load)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, models


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


# ---------------------------------------------------------------------------------------------
# Model rows in COPY text format (the demo seed): columns given as numpy/pandas arrays per
# model field, money as integer cents, written by COPY on PostgreSQL and bulk_create elsewhere.
# ---------------------------------------------------------------------------------------------

ORM_BATCH = 2_000
SLICE_ROWS = 50_000  # rows formatted (and, for the small tables, copied) at a time
NULL = "\\N"
Frame = dict[str, Any]  # attname -> column (numpy array, pandas Series, list) or one constant
Chunk = TypeVar("Chunk")
Parts = Sequence[tuple[type[models.Model], Frame]]  # (model, frame) pairs, parents first


def quoted_table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def model_writer(log: Callable[[str], None]) -> ModelWriter:
    """COPY on PostgreSQL, bulk_create in batches elsewhere; `log` hears the slow steps."""
    return CopyWriter(log) if connection.vendor == "postgresql" else OrmWriter(log)


def kind_of(field: models.Field) -> str:
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


class ModelWriter:
    """Writes frames of model rows (`Frame`); `model_writer` picks the one for the database."""

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

    def write_chunks(self, chunks: Iterator[Chunk], frames: Callable[[Chunk], Parts]) -> Iterator[tuple[int, ...]]:
        """Writes each chunk's frames in order (`frames(chunk)`: (model, frame) pairs, parents
        first); yields the rows written per frame."""
        for chunk in chunks:
            parts = frames(chunk)
            for model, frame in parts:
                self.write(model, frame)
            yield tuple(_length(frame) for _, frame in parts)


class OrmWriter(ModelWriter):
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
    kind = kind_of(field)
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


class CopyWriter(ModelWriter):
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
        sql = f"COPY {quoted_table(model)} ({columns}) FROM STDIN"  # noqa: S608
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
        kind = kind_of(field)
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

    def write_chunks(self, chunks: Iterator[Chunk], frames: Callable[[Chunk], Parts]) -> Iterator[tuple[int, ...]]:
        """Generation and formatting (Python) of chunk k+1 run in a thread while PostgreSQL
        ingests chunk k (the driver releases the GIL while it waits on the server)."""

        def prepare() -> list[tuple[type[models.Model], int, str]] | None:
            chunk = next(chunks, None)
            if chunk is None:
                return None
            return [(model, _length(frame), self._text(model, frame)) for model, frame in frames(chunk)]

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-copy") as pool:
            pending = pool.submit(prepare)
            while (ready := pending.result()) is not None:
                pending = pool.submit(prepare)
                for model, _, text in ready:
                    self._copy(model, text)
                sizes = tuple(n for _, n, _ in ready)
                del ready
                yield sizes

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
