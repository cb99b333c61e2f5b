"""Fast bulk inserts of a frame: COPY on PostgreSQL, batched executemany elsewhere."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

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
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False, na_rep=r"\N")
    buffer.seek(0)
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(table)} ({quoted_columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",  # noqa: S608
            buffer,
        )
    return len(frame)
