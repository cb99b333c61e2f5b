"""Exports: only what the user sees, the import's columns, and back again unchanged."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from accounts.models import Account
from accounts.tests.factories import make_account, make_contact, make_order
from integrations.spreadsheets.exporting import csv_chunks, export_rows, write_xlsx
from integrations.spreadsheets.importing import check
from integrations.spreadsheets.reading import read_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):  # noqa: ANN001, ANN201
    """Each kind of value a column can hold, including the awkward ones."""
    subsidiary = make_account(
        world.owner,
        name='=HYPERLINK("http://evil")',  # Excel must show this as text
        external_id="C-1-1",
        parent=world.account,
        english_name="Huadong Sub, Ltd.",
        employees=120,
        annual_revenue="850000000.00",
        credit_level="AA",
        main_products="轴承\n齿轮",
    )
    boss = make_contact(world.account, name="王伟", external_id="P-1", email="wang@example.com")
    make_contact(
        world.account,
        name="李娜",
        external_id="P-2",
        buying_role="user",
        reports_to=boss,
        is_active=False,
        last_contacted_on=date(2026, 3, 2),
        phone="+86 21 5555 0000",
    )
    make_order(world.account, date(2026, 3, 2), "12500.50", "-3100.00", external_id="SO-1", status="open")
    make_order(subsidiary, date(2026, 1, 31), "0.10", "0.00", external_id="SO-2")
    make_order(world.other_account, date(2026, 2, 1), "99.00", "9.00", external_id="SO-HIDDEN")
    return world


def csv_text(kind: str, user) -> str:  # noqa: ANN001
    return "".join(csv_chunks(export_rows(kind, user)))


def test_the_csv_starts_with_a_bom_and_has_the_import_columns(data) -> None:
    text = csv_text("orders", data.owner)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [
        ["external_id", "account_external_id", "ordered_at", "amount", "margin", "status"],
        ["SO-1", "C-1", "2026-03-02", "12500.50", "-3100.00", "open"],
        ["SO-2", "C-1-1", "2026-01-31", "0.10", "0.00", "fulfilled"],
    ]


def test_an_export_holds_only_what_the_user_can_see(data) -> None:
    assert "SO-HIDDEN" not in csv_text("orders", data.owner)
    assert "北方重工" not in csv_text("accounts", data.owner)
    assert "SO-HIDDEN" in csv_text("orders", data.other_manager)
    assert "SO-1," not in csv_text("orders", data.other_manager)
    assert csv_text("contacts", data.same_team_rep).count("\n") == 1  # the header only


def test_text_that_excel_would_run_as_a_formula_is_quoted_in_a_csv(data) -> None:
    assert "'=HYPERLINK" in csv_text("accounts", data.owner)


def xlsx_sheet(kind: str, user):  # noqa: ANN001, ANN201
    target = io.BytesIO()
    write_xlsx(export_rows(kind, user), target, title=kind)
    return load_workbook(io.BytesIO(target.getvalue())).worksheets[0]


def test_an_xlsx_holds_formula_like_text_as_plain_string_cells_without_an_apostrophe(data) -> None:
    # given a name that looks like a formula and a phone starting with "+" (see data)
    # when
    accounts, contacts = xlsx_sheet("accounts", data.owner), xlsx_sheet("contacts", data.owner)
    # then: string cells, which Excel never evaluates, holding the text as it is
    names = {row[1].value: row[1].data_type for row in accounts.iter_rows(min_row=2)}
    assert names['=HYPERLINK("http://evil")'] == "s"
    phone = list(contacts[1]).index(next(cell for cell in contacts[1] if cell.value == "phone"))
    phones = [row[phone].value for row in contacts.iter_rows(min_row=2)]
    assert sorted(phones, key=str) == ["+86 21 5555 0000", None]


@pytest.mark.parametrize("text", ["=1+2", "+86 138 0000 0000", "-", "@SUM(A1)", "-5", "'quoted"])
def test_every_text_cell_of_an_xlsx_export_is_a_string_cell_as_written(world, text: str) -> None:
    # given
    make_account(world.owner, name=text, external_id="C-7", english_name=text)
    # when
    sheet = xlsx_sheet("accounts", world.owner)
    # then
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "C-7")
    assert [(row[1].value, row[1].data_type), (row[2].value, row[2].data_type)] == [(text, "s"), (text, "s")]


def test_xlsx_cells_are_dates_and_numbers(data) -> None:
    target = io.BytesIO()
    write_xlsx(export_rows("orders", data.owner), target, title="orders")
    sheet = load_workbook(io.BytesIO(target.getvalue())).worksheets[0]
    first = [cell.value for cell in sheet[2]]
    assert first[:2] == ["SO-1", "C-1"]
    assert first[2].date() == date(2026, 3, 2)
    assert (first[3], first[4]) == (12500.5, -3100)
    assert sheet.title == "orders"


@pytest.mark.parametrize("kind", ["accounts", "contacts", "orders"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_again_unchanged(data, kind: str, fmt: str) -> None:
    # given
    if fmt == "csv":
        content = csv_text(kind, data.owner).encode()
    else:
        target = io.BytesIO()
        write_xlsx(export_rows(kind, data.owner), target, title=kind)
        content = target.getvalue()
    # when
    table = read_table(kind, io.BytesIO(content), f"{kind}.{fmt}")
    report = check(kind, data.owner, table.rows, table.headers)
    # then
    assert report.summary["unchanged"] == len(table.rows) > 0
    assert [row.errors for row in report.rows if row.errors] == []


def test_the_account_list_filters_narrow_an_export(data) -> None:
    make_account(data.owner, name="南方电子", external_id="C-9", region="华南")
    rows = list(export_rows("accounts", data.owner, filters={"region": "华南"}))
    assert [row[0] for row in rows[1:]] == ["C-9"]
    assert Account.objects.visible_to(data.owner).count() == 3
