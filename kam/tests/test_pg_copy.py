"""copy_frame writes exactly what the frame holds: awkward text, NULLs, numbers, times."""

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from kam.pg_copy import copy_frame, copying_in_background, read_frame

pytestmark = [pytest.mark.django_db]

AWKWARD = ["plain", "", 'quote " inside', "tab\there", "line\nbreak", "back\\slash", "逗号,中文", "\\N"]


@pytest.fixture
def scratch_table() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE scratch (s text, n integer, f double precision, m numeric(16, 2), "
            "b boolean, j jsonb, t timestamptz)"
            if connection.vendor == "postgresql"
            else "CREATE TEMP TABLE scratch (s text, n integer, f real, m decimal, b bool, j text, t datetime)"
        )
    return "scratch"


def test_copy_frame_round_trips_text_nulls_and_numbers(scratch_table) -> None:
    n = len(AWKWARD)
    stamp = datetime(2026, 11, 28, 3, 4, 5, 123456, tzinfo=UTC)
    frame = pd.DataFrame(
        {
            "s": [*AWKWARD[:-1], None],
            "n": pd.Series([1, None, 3, 4, 5, 6, 7, -8], dtype=object),  # as recency_days is
            "f": [0.1, np.nan, 1e20, -2.5, 3644654.4299999997, 0.0, 1 / 3, 7.0],
            "m": [12345678901234.56, 0.01, np.nan, 0.0, 2.675, 99.999, -1.5, 3.0],
            "b": [True, False] * (n // 2),
            "j": ['["group", "potential"]', "[]", '{"a": "b\\tc"}', "[]", "[]", "[]", '["引号\\""]', "[]"],
            "t": [stamp] * n,
        }
    )
    frame.loc[7, "s"] = AWKWARD[-1]  # the text "\N" is text, not NULL
    frame.loc[6, "s"] = None
    assert copy_frame(scratch_table, frame) == n
    with connection.cursor() as cursor:
        cursor.execute("SELECT s, n, f, m, b, j, t FROM scratch")
        rows = cursor.fetchall()
    assert [r[0] for r in rows] == [*AWKWARD[:6], None, "\\N"]
    assert [r[1] for r in rows] == [1, None, 3, 4, 5, 6, 7, -8]
    floats = [r[2] for r in rows]
    assert floats[1] is None
    assert [f for i, f in enumerate(floats) if i != 1] == pytest.approx([0.1, 1e20, -2.5, 3644654.43, 0.0, 1 / 3, 7.0])
    assert [bool(r[4]) for r in rows] == [True, False] * (n // 2)
    if connection.vendor == "postgresql":  # SQLite neither rounds decimals nor parses JSON or times
        assert [None if r[3] is None else float(r[3]) for r in rows] == [
            12345678901234.56,
            0.01,
            None,
            0.0,
            pytest.approx(2.67, abs=0.011),
            100.0,
            -1.5,
            3.0,
        ]
        assert rows[2][5] == '{"a": "b\\tc"}'
        assert rows[6][5] == '["引号\\""]'
        assert {r[6] for r in rows} == {stamp}


def test_an_empty_frame_writes_nothing(scratch_table) -> None:
    assert copy_frame(scratch_table, pd.DataFrame({"s": []})) == 0


def test_read_frame_reads_back_what_copy_frame_wrote(scratch_table) -> None:
    frame = pd.DataFrame(
        {
            "s": ["", None, 'a "quoted", text', "line\nbreak"],
            "n": pd.Series([1, None, 3, 4], dtype=object),
            "f": [0.5, np.nan, 2.0, 3.0],
            "m": [12.34, 0.0, np.nan, 5.0],
            "b": [True, False, True, False],
        }
    )
    copy_frame(scratch_table, frame)
    sql = "SELECT s, n, f, m, b FROM scratch WHERE n IS NULL OR n > %s ORDER BY f NULLS FIRST"
    got = read_frame(sql, [0], ["s", "n", "f", "m", "b"])
    assert len(got) == 4
    assert pd.isna(got["s"].iloc[0])  # NULL, not ""
    assert got["s"].tolist()[1:] == ["", 'a "quoted", text', "line\nbreak"]
    assert pd.isna(got["n"].iloc[0])
    assert got["n"].iloc[1:].astype(int).tolist() == [1, 3, 4]
    assert [float(m) for m in got["m"]] == pytest.approx([0.0, 12.34, float("nan"), 5.0], nan_ok=True)
    assert [bool(b) for b in got["b"]] == [False, True, True, False]
    none = read_frame("SELECT s, n FROM scratch WHERE n > %s", [99], ["s", "n"])
    assert none.empty
    assert list(none.columns) == ["s", "n"]


def test_copies_queued_in_the_background_land_in_order_and_in_the_transaction(scratch_table) -> None:
    first = pd.DataFrame({"s": ["a", "b"], "n": [1, 2]})
    second = pd.DataFrame({"s": ["c"], "n": [3]})
    with copying_in_background() as copy:
        copy(scratch_table, first)
        copy(scratch_table, pd.DataFrame({"s": []}))  # nothing to write
        copy(scratch_table, second)
    with connection.cursor() as cursor:  # the same connection, free again
        cursor.execute("SELECT s, n FROM scratch")
        assert sorted(cursor.fetchall()) == [("a", 1), ("b", 2), ("c", 3)]


@pytest.mark.postgres
def test_a_failed_background_copy_raises_when_the_block_ends(scratch_table) -> None:
    from django.db import DataError, transaction

    went_on = []

    def write() -> None:
        with transaction.atomic(), copying_in_background() as copy:
            copy(scratch_table, pd.DataFrame({"s": ["fine"], "n": ["not a number"]}))
            went_on.append(sum(range(1000)))  # the block goes on while the COPY fails

    with pytest.raises(DataError, match="not a number"):
        write()
    assert went_on == [499500]
