"""Opportunities from a spreadsheet (issue 10): the import pages' path (CSV or XLSX → preview per
spreadsheet row with old → new values → confirm once) through the funnel's bulk spec, so the
columns are `POST /api/v1/opportunities/bulk/`'s fields and the stage history follows."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from funnel.models import Opportunity, StageChange
from funnel.tests.factories import make_opportunity
from integrations.spreadsheets import KINDS
from integrations.spreadsheets.importing import import_confirm, import_preview
from integrations.spreadsheets.models import ImportBatch

pytestmark = pytest.mark.django_db

HEADER = ["external_id", "account_external_id", "owner_username", "name", "amount", "stage", "expected_close_date"]
ROWS = [
    ["OPP-1", "C-1", "rep1", "3号线改造", "480000.00", "proposal", "2026-09-30"],  # row 2: new
    ["OPP-2", "C-1", "rep1", "老客户扩产", "120000.00", "negotiation", "2026-10-15"],  # row 3: OPP-2 moves on
]


def csv_file(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    return "\n".join(",".join(row) for row in [header, *rows]).encode() + b"\n"


def xlsx_file(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def preview(user, data: bytes, filename: str) -> ImportBatch:  # noqa: ANN001
    return import_preview(user=user, kind="opportunities", file=io.BytesIO(data), filename=filename)


def by_row(report: dict) -> dict[int, tuple]:
    return {number: (key, status, errors, changes) for number, key, status, errors, changes in report["rows"]}


@pytest.fixture
def existing(world):  # noqa: ANN001, ANN201 - OPP-2 at first contact, 100,000.00, closing 2026-10-15
    return make_opportunity(
        world.account,
        external_id="OPP-2",
        name="老客户扩产",
        amount="100000.00",
        stage="first_contact",
        expected_close_date=date(2026, 10, 15),
    )


def test_opportunities_are_an_importable_collection_with_the_bulk_fields_as_columns() -> None:
    from integrations.spreadsheets.columns import columns, header_map

    assert "opportunities" in KINDS
    assert list(columns("opportunities"))[:6] == [
        "external_id",
        "account_external_id",
        "owner_username",
        "name",
        "product_line",
        "amount",
    ]
    # the people's labels of a column are read as well as the field name
    labels = header_map("opportunities")
    assert (labels["owner"], labels["负责人"], labels["阶段"]) == ("owner_username", "owner_username", "stage")


@pytest.mark.parametrize(("make", "filename"), [(csv_file, "pipeline.csv"), (xlsx_file, "pipeline.xlsx")])
def test_a_file_creates_one_opportunity_and_moves_another_once_confirmed(world, existing, make, filename) -> None:
    # given OPP-2 at first contact, and a file with a new opportunity and OPP-2 in negotiation
    # when the owner previews the file
    batch = preview(world.owner, make(ROWS), filename)

    # then the preview shows the new row and OPP-2's stage and amount change, and writes nothing
    rows = by_row(batch.preview)
    assert rows[2] == ("OPP-1", "created", {}, {})
    assert rows[3] == (
        "OPP-2",
        "updated",
        {},
        {"amount": ["100000.00", "120000.00"], "stage": ["first_contact", "negotiation"]},
    )
    assert batch.preview["summary"] == {"created": 1, "updated": 1, "unchanged": 0, "error": 0, "skipped": 0}
    assert not Opportunity.objects.filter(external_id="OPP-1").exists()
    assert Opportunity.objects.get(external_id="OPP-2").stage == "first_contact"

    # when it is confirmed, twice
    assert (import_confirm(batch=batch), import_confirm(batch=ImportBatch.objects.get(pk=batch.pk))) == (True, False)

    # then both rows are written once, with the stage default probability and the stage history
    got = {
        o.external_id: (o.account_id, o.owner.username, o.name, o.amount, o.stage, o.expected_close_date, o.probability)
        for o in Opportunity.objects.select_related("owner")
    }
    assert got == {
        "OPP-1": (world.account.pk, "rep1", "3号线改造", Decimal("480000.00"), "proposal", date(2026, 9, 30), 50),
        "OPP-2": (world.account.pk, "rep1", "老客户扩产", Decimal("120000.00"), "negotiation", date(2026, 10, 15), 75),
    }
    history = StageChange.objects.filter(opportunity__external_id="OPP-2").order_by("id")
    assert [(c.from_stage, c.to_stage) for c in history] == [("", "first_contact"), ("first_contact", "negotiation")]


def test_a_refused_row_names_its_spreadsheet_row_and_the_others_are_imported(world, existing) -> None:
    # given a file whose row 3 names an account the rep cannot see, and row 4 a stage that does not exist
    rows = [
        ["OPP-1", "C-1", "rep1", "3号线改造", "480000.00", "proposal"],
        ["OPP-3", "C-2", "rep1", "别人的客户", "1000.00", "proposal"],
        ["OPP-4", "C-1", "rep1", "阶段写错", "1000.00", "won"],
    ]
    header = ["ERP ID", "客户 ERP 编号", "负责人", "名称", "金额", "阶段"]

    # when the owner previews and confirms it
    batch = preview(world.owner, csv_file(rows, header), "pipeline.csv")
    import_confirm(batch=batch)

    # then rows 3 and 4 are refused under the file's own headers, and only row 2 is written
    report = by_row(ImportBatch.objects.get(pk=batch.pk).result)
    assert report[2][:2] == ("OPP-1", "created")
    assert report[3][:3] == ("OPP-3", "error", {"客户 ERP 编号": ['Account "C-2" does not exist.']})
    assert report[4][:3] == ("OPP-4", "error", {"阶段": ['"won" is not a valid choice.']})
    assert sorted(Opportunity.objects.values_list("external_id", flat=True)) == ["OPP-1", "OPP-2"]


def test_the_upload_page_offers_opportunities_and_shows_the_stage_change(client, world, existing) -> None:
    # given the owner on the import page
    client.force_login(world.owner)
    page = client.get(reverse("integrations:import"))
    assert b'<option value="opportunities">' in page.content

    # when they upload OPP-2 moved to negotiation
    upload = io.BytesIO(csv_file([ROWS[1]]))
    upload.name = "pipeline.csv"
    response = client.post(reverse("integrations:import"), {"kind": "opportunities", "file": upload}, follow=True)

    # then the preview page lists the old and the new stage
    assert response.status_code == 200
    text = response.content.decode()
    assert "first_contact" in text
    assert "negotiation" in text
    assert ImportBatch.objects.get().kind == "opportunities"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_of_opportunities_imports_again_unchanged(client, world, existing, fmt) -> None:
    # given the owner's opportunities exported
    client.force_login(world.owner)
    response = client.get(reverse("integrations:export", args=["opportunities", fmt]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)

    # when the file is previewed as it is
    batch = preview(world.owner, data, f"opportunities.{fmt}")

    # then its one row is unchanged
    assert by_row(batch.preview) == {2: ("OPP-2", "unchanged", {}, {})}
