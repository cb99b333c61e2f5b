"""The import and export pages: upload -> preview -> confirm, bad files, downloads, who may."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Order
from accounts.tests.factories import make_order
from integrations.spreadsheets.columns import columns
from integrations.spreadsheets.models import ImportBatch

pytestmark = pytest.mark.django_db

CSV = (
    "\ufeffexternal_id,account_external_id,ordered_at,amount,margin\n"
    "SO-1,C-1,2026-03-02,100.00,10.00\n"
    "SO-2,C-2,2026-03-02,5.00,1.00\n"  # another team's account
)


def upload(client, content: str | bytes = CSV, name: str = "orders.csv", kind: str = "orders", **extra):  # noqa: ANN001, ANN003, ANN201
    data = content.encode() if isinstance(content, str) else content
    return client.post(reverse("integrations:import"), {"kind": kind, "file": SimpleUploadedFile(name, data)}, **extra)


def test_upload_preview_confirm(client, world) -> None:
    client.force_login(world.owner)
    # upload: a preview page of its own
    response = upload(client)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:import_batch", args=[batch.pk])
    # preview: counts, the problem row with its number and reason, nothing written yet
    page = client.get(response["Location"]).content.decode()
    assert "would create: 1" in page
    assert "with problems: 1" in page
    assert "<td>3</td>" in page
    assert "Account &quot;C-2&quot; does not exist." in page
    assert 'id="confirm"' in page
    assert not Order.objects.exists()
    # confirm: written once, a second confirm changes nothing
    response = client.post(reverse("integrations:import_confirm", args=[batch.pk]), follow=True)
    page = response.content.decode()
    assert "Imported orders.csv." in page
    assert "created: 1" in page
    assert 'id="confirm"' not in page
    response = client.post(reverse("integrations:import_confirm", args=[batch.pk]), follow=True)
    assert "already imported" in response.content.decode()
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SO-1"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("orders.pdf", CSV, "Upload a .csv or .xlsx file."),
        ("orders.csv", "", "The submitted file is empty."),
        ("orders.csv", "external_id,amount\nSO-1,5\n", "Required columns are missing"),
        ("orders.xlsx", b"not a zip", "not an Excel workbook"),
    ],
)
def test_a_bad_file_keeps_the_form_with_the_error(client, world, name: str, content: str, message: str) -> None:
    client.force_login(world.owner)
    response = upload(client, content, name, kind="contacts")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-file"' in page
    assert message in page
    assert '<option value="contacts" selected>' in page  # what was chosen is kept
    assert not ImportBatch.objects.exists()


def test_another_persons_import_is_not_found(client, world) -> None:
    client.force_login(world.owner)
    upload(client)
    batch = ImportBatch.objects.get()
    client.force_login(world.teammate)
    assert client.get(reverse("integrations:import_batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("integrations:import_confirm", args=[batch.pk])).status_code == 404
    assert ImportBatch.objects.get().status == "previewed"


def test_the_pages_need_a_person_not_an_integration_user(client, world) -> None:
    assert client.get(reverse("integrations:import")).status_code == 302  # to the login page
    client.force_login(world.integration)
    assert client.get(reverse("integrations:import")).status_code == 403
    assert client.get(reverse("integrations:export", args=["orders", "csv"])).status_code == 403


def test_the_csv_export_streams_what_the_user_sees(client, world) -> None:
    make_order(world.account, date(2026, 3, 2), "1.00", "0.10", external_id="SO-1")
    make_order(world.other_account, date(2026, 3, 2), "1.00", "0.10", external_id="SO-2")
    client.force_login(world.owner)
    response = client.get(reverse("integrations:export", args=["orders", "csv"]))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert [row[0] for row in csv.reader(io.StringIO(body.removeprefix("\ufeff")))] == ["external_id", "SO-1"]


def test_the_xlsx_export_and_unknown_kinds(client, world) -> None:
    client.force_login(world.owner)
    response = client.get(reverse("integrations:export", args=["accounts", "xlsx"]))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert client.get("/integrations/export/payments.csv").status_code == 404
    assert client.get("/integrations/export/orders.pdf").status_code == 404


def test_the_orders_xlsx_streams_exactly_the_orders_the_user_sees(client, world) -> None:
    # given one order on each team's account
    make_order(world.account, date(2026, 3, 2), "1250.50", "0.10", external_id="SO-1")
    make_order(world.other_account, date(2026, 3, 3), "2.00", None, external_id="SO-2")
    # when rep1 and the director export the orders as XLSX
    sheets = {}
    for user in (world.owner, world.director):
        client.force_login(user)
        response = client.get(reverse("integrations:export", args=["orders", "xlsx"]))
        # then it streams, and holds the header and what each may see
        assert response.streaming
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        sheets[user.username] = [list(row) for row in book.active.iter_rows(values_only=True)]
    header = list(columns("orders"))
    picked = ("external_id", "account_external_id", "amount", "margin")
    rows = {name: [[r[header.index(c)] for c in picked] for r in sheet] for name, sheet in sheets.items()}
    assert rows == {
        "rep1": [list(picked), ["SO-1", "C-1", 1250.5, 0.1]],
        "director": [list(picked), ["SO-1", "C-1", 1250.5, 0.1], ["SO-2", "C-2", 2, None]],
    }


def test_the_import_page_lists_the_exports_and_is_in_the_menu(client, world) -> None:
    client.force_login(world.owner)
    page = client.get(reverse("integrations:import")).content.decode()
    assert reverse("integrations:export", args=["contacts", "xlsx"]) in page
    assert f'href="{reverse("integrations:import")}"' in client.get(reverse("accounts:list")).content.decode()


def test_the_preview_speaks_chinese(client, world) -> None:
    client.force_login(world.owner)
    client.cookies["django_language"] = "zh-hans"
    response = upload(client, follow=True)
    page = response.content.decode()
    assert "将新建：1" in page or "将新建: 1" in page
    assert "确认导入" in page
    assert "共 2 行 订单。" in page
