"""Fast bulk inserts of a frame: COPY on PostgreSQL, batched executemany elsewhere."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
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
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    sql = f"COPY {connection.ops.quote_name(table)} ({quoted_columns}) FROM STDIN"  # noqa: S608
    chunks = (copy_text(frame.iloc[i : i + COPY_CHUNK_ROWS]) for i in range(0, len(frame), COPY_CHUNK_ROWS))
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, TextStream(chunks), size=1 << 20)
    return len(frame)


# Rows are turned into text a chunk at a time while the server parses the chunk before:
# the client's and the server's work overlap, and only one chunk's text is in memory.
COPY_CHUNK_ROWS = 2_000


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


_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(frame: pd.DataFrame) -> str:
    """The frame in COPY's text format, built column by column (pandas' to_csv costs 3x more)."""
    columns = [_copy_column(frame[name]) for name in frame.columns]
    return "".join(line + "\n" for line in map("\t".join, zip(*columns, strict=True)))


def _copy_column(column: pd.Series) -> list[str]:
    values = column.to_numpy()
    if column.dtype == bool:
        return np.where(values, "t", "f").tolist()
    if column.dtype.kind in "iu":
        return list(map(str, values.tolist()))
    if column.dtype.kind == "f":
        # float repr round-trips exactly (a numeric column rounds it to its own scale).
        return [_NULL if x != x else repr(x) for x in values.tolist()]
    # Text and the like: few distinct values per column, so each is escaped once.
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    texts = np.array([str(v).translate(_ESCAPES) for v in uniques] + [_NULL], dtype=object)
    return texts[codes].tolist()  # code -1 (NA) picks the last entry, NULL
