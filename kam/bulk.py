"""Fast bulk inserts: COPY on PostgreSQL, batched executemany elsewhere."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

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
