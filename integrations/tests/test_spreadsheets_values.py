"""Values a spreadsheet mangles: ids through floating point, decimal commas, encodings, hidden rows."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.spreadsheets import numbers
from integrations.spreadsheets.exporting import csv_chunks, write_xlsx
from integrations.spreadsheets.reading import SpreadsheetError, read_table
from integrations.tests.xlsx_builders import build, formatted_blank_rows, row

HEADER = "external_id;account_external_id;ordered_at;amount;margin"


def read(collection: str, data: bytes | str, filename: str = "orders.csv", **options):  # noqa: ANN003, ANN201
    return read_table(collection, io.BytesIO(data.encode() if isinstance(data, str) else data), filename, **options)


# Item 6: identifiers never pass through floating point


def test_an_order_id_excel_shortened_to_scientific_notation_is_refused_with_its_row() -> None:
    # given: the CSV Excel re-saved, which holds 2.02611E+17 for 202611200000012345
    text = (
        "external_id,account_external_id,ordered_at,amount,margin\n"
        "2.02611E+17,C-1,2026-11-20,10,1\nSO-2,C-1,2026-11-20,5,1\n"
    )
    # when
    table = read("orders", text)
    # then
    assert table.refused == [
        (
            2,
            None,
            {
                "external_id": [
                    "The ERP ID 2.02611E+17 is in scientific notation: Excel shortened a long number and its digits "
                    "are lost. Format the column as Text and copy the IDs from the source again."
                ]
            },
        )
    ]
    assert [number for number, _record in table.rows] == [3]


def test_a_reference_in_scientific_notation_is_refused_too() -> None:
    table = read("orders", "external_id,account_external_id,ordered_at,amount,margin\nSO-1,1.5e+18,2026-11-20,10,1\n")
    assert list(table.refused[0][2]) == ["account_external_id"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (202611200000012345, "The ERP ID 202611200000012345 was stored as a number"),
        (2**53 + 1, "The ERP ID 9007199254740993 was stored as a number"),
        (12.5, "The ERP ID 12.5 was stored as a number"),
    ],
)
def test_an_id_in_a_number_cell_that_cannot_hold_it_exactly_is_refused(cell: object, expected: str) -> None:
    data = build([row(1, ["external_id", "name"]), row(2, [cell, "华东"])])
    table = read("accounts", data, "accounts.xlsx")
    assert table.rows == []
    assert table.refused[0][2]["external_id"][0].startswith(expected)


@pytest.mark.parametrize("cell", [1001, 2**53, 0])
def test_an_id_in_a_number_cell_that_holds_it_exactly_is_its_digits(cell: int) -> None:
    data = build([row(1, ["external_id", "name"]), row(2, [cell, "华东"])])
    assert read("accounts", data, "accounts.xlsx").rows == [(2, {"external_id": str(cell), "name": "华东"})]


@settings(max_examples=40, deadline=None)
@given(key=st.integers(min_value=0, max_value=10**20 - 1), fmt=st.sampled_from(["csv", "xlsx"]))
def test_any_integer_id_of_up_to_20_digits_round_trips_through_an_export_as_text(key: int, fmt: str) -> None:
    # given an export holding the id as the ERP sent it (text)
    rows = [["external_id", "name"], [str(key), "华东"]]
    if fmt == "csv":
        content = "".join(csv_chunks(iter(rows))).encode()
    else:
        target = io.BytesIO()
        write_xlsx(iter(rows), target, title="accounts")
        content = target.getvalue()
    # when it is imported
    table = read("accounts", content, f"accounts.{fmt}")
    # then the id comes back unchanged, as text
    assert table.rows == [(2, {"external_id": str(key), "name": "华东"})]


# Item 8: decimal commas


def test_a_semicolon_csv_with_decimal_commas_settles_its_convention_from_its_values() -> None:
    # given: 13,75 can only be a decimal comma, so 1,250 in the same file is 1.25
    text = f"{HEADER}\nSO-1;C-1;2026-03-02;1,250;13,75\nSO-2;C-1;2026-03-02;1.250,50;0\n"
    # when
    table = read("orders", text)
    # then
    assert table.number_format == numbers.COMMA
    assert [(record["amount"], record["margin"]) for _n, record in table.rows] == [("1.250", "13.75"), ("1250.50", "0")]


def test_a_value_two_conventions_read_differently_is_refused_when_nothing_settles_it() -> None:
    table = read("orders", f"{HEADER}\nSO-1;C-1;2026-03-02;1,250;3\nSO-2;C-1;2026-03-02;7;1\n")
    assert table.refused == [
        (
            2,
            "SO-1",
            {
                "amount": [
                    "1,250 reads as 1250 or as 1.250: choose the number format (1,234.56 or 1.234,56) on the upload "
                    "form."
                ]
            },
        )
    ]
    assert table.rows == [(3, {"external_id": "SO-2", "account_external_id": "C-1", "ordered_at": "2026-03-02",
                               "amount": "7", "margin": "1"})]  # fmt: skip


@pytest.mark.parametrize(
    ("convention", "expected_amount", "refused"),
    [
        (numbers.POINT, "1250", {"margin": ["13,75 is not a number written as 1,234.56."]}),
        (numbers.COMMA, "1.250", None),
    ],
)
def test_the_convention_chosen_on_the_form_decides_and_refuses_what_it_cannot_read(
    convention: str, expected_amount: str, refused: dict | None
) -> None:
    text = f"{HEADER}\nSO-1;C-1;2026-03-02;1,250;2\nSO-2;C-1;2026-03-02;3;13,75\n"
    table = read("orders", text, number_format=convention)
    assert table.rows[0][1]["amount"] == expected_amount
    assert (table.refused[0][2] if table.refused else None) == refused


def test_a_file_mixing_both_conventions_is_refused_as_a_whole() -> None:
    with pytest.raises(SpreadsheetError, match="Some numbers in this file are written as 1,234.56"):
        read("orders", f"{HEADER}\nSO-1;C-1;2026-03-02;12.5;1\nSO-2;C-1;2026-03-02;13,75;1\n")


@given(
    value=st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
    convention=st.sampled_from([numbers.POINT, numbers.COMMA]),
)
def test_any_number_written_under_a_convention_reads_back_as_the_same_decimal(value: Decimal, convention: str) -> None:
    assert numbers.parse(numbers.write(value, convention), convention) == value


@given(value=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_an_undecided_number_is_either_read_as_both_conventions_agree_or_refused(value: Decimal) -> None:
    text = numbers.write(value, numbers.POINT)
    point, comma = numbers.read_as(text, numbers.POINT), numbers.read_as(text, numbers.COMMA)
    if comma is not None and comma != point:
        with pytest.raises(numbers.Ambiguous):
            numbers.parse(text, None)
    else:
        assert numbers.parse(text, None) == value


# Item 7: encodings


def test_a_big5_csv_is_read_as_big5_not_as_gb18030() -> None:
    text = "external_id,name\nC-1,台灣精密機械股份有限公司\n"
    assert read("accounts", text.encode("big5"), "accounts.csv").rows == [
        (2, {"external_id": "C-1", "name": "台灣精密機械股份有限公司"})
    ]


def test_a_gbk_csv_is_still_read_as_gbk() -> None:
    text = "external_id,name\nC-1,华东精密机械有限公司\n"
    assert read("accounts", text.encode("gbk"), "accounts.csv").rows[0][1]["name"] == "华东精密机械有限公司"


def test_a_file_whose_encoding_cannot_be_told_for_sure_is_refused_naming_the_encodings_tried() -> None:
    with pytest.raises(SpreadsheetError) as refused:
        read("accounts", b"external_id,name\nC-1,\x81\x30\xff\xfe\x80\n", "accounts.csv")
    assert "tried: UTF-8, UTF-16, GB18030/GBK, Big5" in str(refused.value)


# Item 9: rows the dimension tag hides, keys repeated far apart


def test_an_xlsx_whose_dimension_tag_claims_fewer_rows_is_read_whole() -> None:
    # given: <dimension ref="A1:C2"> over three data rows
    data = build([row(1, ["external_id", "name"]), row(2, ["C-1", "a"]), row(3, ["C-2", "b"]), row(4, ["C-3", "c"])],
                 dimension="A1:C2")  # fmt: skip
    # when
    table = read("accounts", data, "accounts.xlsx")
    # then
    assert [record["external_id"] for _n, record in table.rows] == ["C-1", "C-2", "C-3"]


def test_a_key_repeated_5000_rows_apart_refuses_both_copies_naming_their_rows() -> None:
    lines = [f"C-{n},name {n}" for n in range(1, 5003)] + ["C-1,again"]
    table = read("accounts", "external_id,name\n" + "\n".join(lines) + "\n", "accounts.csv")
    message = "C-1 appears more than once in the file (rows 2, 5004); keep one row per ERP ID."
    assert table.refused == [(2, "C-1", {"external_id": [message]}), (5004, "C-1", {"external_id": [message]})]
    assert len(table.rows) == 5001


# Also: formatted empty cells to the last row of a sheet


def test_formatted_empty_rows_to_the_end_of_the_sheet_are_passed_over() -> None:
    data = build([row(1, ["external_id", "name"]), row(2, ["C-1", "a"]), row(3, ["C-2", "b"]),
                  *formatted_blank_rows(4, 200_000), row(200_001, ["C-3", "c"])])  # fmt: skip
    table = read("accounts", data, "accounts.xlsx")
    assert [(number, record["external_id"]) for number, record in table.rows] == [
        (2, "C-1"),
        (3, "C-2"),
        (200_001, "C-3"),
    ]
