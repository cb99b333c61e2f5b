"""Fast bulk inserts: COPY on PostgreSQL, batched executemany elsewhere."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import pandas as pd
from django.db import connection


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert plain rows (None = NULL) into `table`; returns the count written.

    Callers pass table and column names from model `_meta`, never user input.
    """
    rows = list(rows)
    if not rows:
        return 0
    quoted_table = connection.ops.quote_name(table)
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            # \N marks NULL so that an empty string stays an empty string.
            writer.writerows([r"\N" if v is None else v for v in row] for row in rows)
            buffer.seek(0)
            cursor.cursor.copy_expert(
                f"COPY {quoted_table} ({quoted_columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",  # noqa: S608
                buffer,
            )
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quoted_table} ({quoted_columns}) VALUES ({marks})", rows)  # noqa: S608
    return len(rows)


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
        return copy_rows(table, list(frame.columns), rows)
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
