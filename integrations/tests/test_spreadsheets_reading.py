"""Reading CSV and XLSX files into bulk records: encodings, separators, headers, Excel cells."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from integrations.spreadsheets.limits import Limits
from integrations.spreadsheets.reading import SpreadsheetError, read_table

ORDER_HEADER = "external_id,account_external_id,ordered_at,amount,margin,status"


def xlsx_bytes(rows: list[list], title: str = "Sheet") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def read(collection: str, data: bytes | str, filename: str = "orders.csv", **limits):  # noqa: ANN201
    if isinstance(data, str):
        data = data.encode()
    return read_table(collection, io.BytesIO(data), filename, **limits)


def test_a_utf8_csv_with_a_bom_gives_records_keyed_by_field_name() -> None:
    text = f"\ufeff{ORDER_HEADER}\r\nSO-1,C-1,2026-03-02,12500.00,3100.00,open\r\n"
    table = read("orders", text)
    assert table.rows == [
        (
            2,
            {
                "external_id": "SO-1",
                "account_external_id": "C-1",
                "ordered_at": "2026-03-02",
                "amount": "12500.00",
                "margin": "3100.00",
                "status": "open",
            },
        )
    ]
    assert table.headers["external_id"] == "external_id"
    assert table.ignored == []


def test_a_gbk_csv_from_chinese_excel_with_semicolons_and_chinese_labels() -> None:
    text = "ERP 编号;客户 ERP 编号;订单日期;金额;毛利;状态\r\nSO-1;C-1;2026/3/2;12,500.00;3100;已完成\r\n"
    table = read("orders", text.encode("gbk"))
    assert table.rows == [
        (
            2,
            {
                "external_id": "SO-1",
                "account_external_id": "C-1",
                "ordered_at": "2026-03-02",
                "amount": "12500.00",
                "margin": "3100",
                "status": "fulfilled",
            },
        )
    ]
    assert table.headers["ordered_at"] == "订单日期"


def test_a_tab_separated_utf16_file_as_excel_saves_unicode_text() -> None:
    text = "External ID\tAccount ERP ID\tOrder date\tAmount\tMargin\nSO-1\tC-1\t2026-03-02\t10\t1\n"
    table = read("orders", text.encode("utf-16"))
    assert table.rows[0][1]["account_external_id"] == "C-1"


def test_blank_cells_are_left_out_and_blank_rows_skipped_but_counted() -> None:
    text = "external_id,name,english_name,employees\nC-1,华东,,\n,,,\nC-2,北方, Northern ,1200\n"
    table = read("accounts", text, "accounts.csv")
    assert table.rows == [
        (2, {"external_id": "C-1", "name": "华东"}),
        (4, {"external_id": "C-2", "name": "北方", "english_name": "Northern", "employees": 1200}),
    ]


def test_choice_labels_booleans_and_dates_in_either_language() -> None:
    text = (
        "external_id,account_external_id,姓名,采购角色,态度,在职,最近联系日期\n"
        "P-1,C-1,王伟,决策者,Champion,是,2026年3月2日\n"
        "P-2,C-1,李娜,user,neutral,FALSE,\n"
    )
    table = read("contacts", text, "contacts.csv")
    first, second = (record for _number, record in table.rows)
    assert (first["buying_role"], first["attitude"], first["is_active"], first["last_contacted_on"]) == (
        "decision_maker",
        "champion",
        True,
        "2026-03-02",
    )
    assert (second["buying_role"], second["is_active"]) == ("user", False)


def test_an_xlsx_with_real_excel_dates_and_numbers() -> None:
    data = xlsx_bytes(
        [
            ["ERP ID", "Account ERP ID", "Order date", "Amount", "Margin", "Status"],
            [1001, "C-1", datetime(2026, 3, 2), 12500.5, 3100, "open"],
            [None, None, None, None, None, None],
            ["SO-2", "C-1", date(2026, 1, 31), 0.1, -5, "Cancelled"],
        ]
    )
    table = read("orders", data, "orders.xlsx")
    assert table.rows == [
        (
            2,
            {
                "external_id": "1001",
                "account_external_id": "C-1",
                "ordered_at": "2026-03-02",
                "amount": "12500.5",
                "margin": "3100",
                "status": "open",
            },
        ),
        (
            4,
            {
                "external_id": "SO-2",
                "account_external_id": "C-1",
                "ordered_at": "2026-01-31",
                "amount": "0.1",
                "margin": "-5",
                "status": "cancelled",
            },
        ),
    ]


def test_columns_that_are_no_field_are_reported_and_not_imported() -> None:
    table = read("accounts", "external_id,name,备注\nC-1,华东,call back\n", "accounts.csv")
    assert table.rows == [(2, {"external_id": "C-1", "name": "华东"})]
    assert table.ignored == ["备注"]


def test_text_the_export_guarded_against_formulas_comes_back_as_it_was() -> None:
    table = read("accounts", "external_id,name\nC-1,'=1+2\nC-2,'plain\n", "accounts.csv")
    assert [record["name"] for _number, record in table.rows] == ["=1+2", "'plain"]


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("orders.txt", ORDER_HEADER, "Upload a .csv or .xlsx file."),
        ("orders.xls", ORDER_HEADER, "Save the sheet as .xlsx"),
        ("orders.csv", "", "The file is empty."),
        ("orders.csv", "\n\n", "The file is empty."),
        ("orders.csv", ORDER_HEADER + "\n", "no data rows"),
        ("orders.csv", "external_id,amount\nSO-1,5\n", "Required columns are missing: account_external_id, ordered_at"),
        ("orders.csv", "external_id,ERP ID,account_external_id\n", 'The columns "external_id" and "ERP ID"'),
        ("orders.xlsx", ORDER_HEADER, "not an Excel workbook"),
        ("orders.csv", b"PK\x03\x04rest", "name it .xlsx"),
        ("orders.csv", b"\xff\x00\xfe\x81\x30", "neither UTF-8 nor GBK"),
    ],
)
def test_files_that_cannot_be_imported_are_refused_with_the_reason(filename: str, data: str, message: str) -> None:
    with pytest.raises(SpreadsheetError, match=message.replace("(", r"\(").replace(".", r"\.")):
        read("orders", data, filename)


def test_files_over_the_limits_are_refused() -> None:
    text = ORDER_HEADER + "\n" + "".join(f"SO-{n},C-1,2026-03-02,1,1,open\n" for n in range(3))
    assert len(read("orders", text, max_rows=3).rows) == 3
    with pytest.raises(SpreadsheetError, match="more than 2 rows"):
        read("orders", text, max_rows=2)
    with pytest.raises(SpreadsheetError, match="larger than"):
        read("orders", text, max_bytes=len(text.encode()) - 1)


def test_a_workbook_that_unpacks_to_too_much_is_refused() -> None:
    data = xlsx_bytes([["external_id", "name"], ["C-1", "华东" * 1000]])
    with pytest.raises(SpreadsheetError, match="unpacks to more than 0 MB"):
        read("accounts", data, "accounts.xlsx", limits=Limits.from_settings(unpacked_bytes=5_000))


def test_the_separator_is_read_from_the_header_even_after_blank_lines() -> None:
    table = read("accounts", "\n\nexternal_id;name\nC-1;华东, 上海\n", "accounts.csv")
    assert table.rows == [(4, {"external_id": "C-1", "name": "华东, 上海"})]
