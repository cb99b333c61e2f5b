"""Uploads built to sink a worker (issue 13.1): refused clearly after bounded work, never a 500."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Account
from integrations.spreadsheets import xlsx
from integrations.spreadsheets.importing import parse
from integrations.spreadsheets.limits import Limits
from integrations.spreadsheets.models import ImportBatch
from integrations.spreadsheets.reading import SpreadsheetError, read_table
from integrations.tests.xlsx_builders import MAIN, build, formatted_blank_rows, row

MB = 1024 * 1024


def read(data: bytes, **limits: int):  # noqa: ANN003, ANN201
    return read_table("accounts", io.BytesIO(data), "accounts.xlsx", limits=Limits.from_settings(**limits))


@pytest.fixture
def parser_never_runs(monkeypatch):  # noqa: ANN001, ANN201
    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the XML parser was reached")

    monkeypatch.setattr(xlsx, "_parser", refuse)


@pytest.fixture
def sheet_chunks(monkeypatch):  # noqa: ANN001, ANN201
    """How many chunks of the sheet XML were parsed whole before reading stopped."""
    fed: list[str] = []
    original = xlsx._feed

    def counting(archive, name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        for step in original(archive, name, *args, **kwargs):
            fed.append(name)
            yield step

    monkeypatch.setattr(xlsx, "_feed", counting)
    return lambda: fed.count("xl/worksheets/sheet1.xml")


def test_a_zip_bomb_of_blank_rows_is_refused_before_any_xml_is_parsed(parser_never_runs) -> None:
    # given: whitespace compresses ~1000:1, so 40 MB of sheet packs into ~40 KB
    data = build([row(1, ["external_id", "name"]), *(" " * MB for _ in range(40))])
    assert len(data) < 100_000
    # when / then
    with pytest.raises(SpreadsheetError, match="unpacks to 10[0-9]{2} times its size, which no real spreadsheet"):
        read(data)


def test_a_workbook_declaring_more_than_the_unpacked_cap_is_refused_before_parsing(parser_never_runs) -> None:
    data = build([row(1, ["external_id", "name"]), *formatted_blank_rows(2, 30_000)])
    with pytest.raises(SpreadsheetError, match="The workbook unpacks to more than 1 MB"):
        read(data, unpacked_bytes=MB)


def test_one_enormous_cell_is_refused_within_the_first_chunk_of_the_sheet(sheet_chunks) -> None:
    # given: a 20 MB cell (the ratio check lifted, so that the cell cap is what stops it)
    opening, closing = '<row r="2"><c r="A2" t="inlineStr"><is><t>', "</t></is></c></row>"
    data = build([row(1, ["external_id", "name"]), opening, *("x" * MB for _ in range(20)), closing])
    # when
    with pytest.raises(SpreadsheetError) as refused:
        read(data, zip_ratio=10**6)
    # then: refused in the second 64 KB chunk of the sheet (the first holds the header), not after 20 MB
    assert str(refused.value) == (
        "A cell holds more than 32,767 characters; no spreadsheet cell may (Excel stops at 32,767)."
    )
    assert sheet_chunks() == 1


def test_cells_are_counted_as_read_formatted_empty_ones_included() -> None:
    data = build([row(1, ["external_id", "name"]), *formatted_blank_rows(2, 2_000), row(2_001, ["C-1", "a"])])
    assert len(read(data, cells=6_005).rows) == 1  # 2 + 1,999 x 3 + 2 cells
    with pytest.raises(SpreadsheetError, match="more than 6,000 cells"):
        read(data, cells=6_000)


def test_shared_strings_past_the_text_cap_are_refused() -> None:
    target = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(build([row(1, ["external_id", "name"])]))) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        strings = "".join(f"<si><t>{n:05d}</t></si>" for n in range(1000))
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{strings}</sst>')
    with pytest.raises(SpreadsheetError, match="more text than an import may read"):
        read(target.getvalue(), text_chars=4_000)


@pytest.mark.parametrize(
    "sheet",
    [
        ['<row r="1"><c r="A1" t="inlineStr"><is><t>external_id</t></is></c>', "</sheetData>"],  # broken nesting
        ['<row r="1"><c r="A1" t="s"><v>7</v></c></row>'],  # a shared string that does not exist
        ['<row r="1"><c r="A1"><v>12</v></c></row><row r="x">'],  # a row number that is no number
    ],
)
def test_broken_sheet_xml_is_a_clear_refusal(sheet: list[str]) -> None:
    with pytest.raises(SpreadsheetError, match=r"^The file is not an Excel workbook \(\.xlsx\) that can be read\.$"):
        read(build(sheet))


def test_an_entity_expansion_bomb_is_refused_not_expanded() -> None:
    data = build([row(1, ["external_id", "name"])])
    target = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(target, "w") as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/workbook.xml":
                content = b'<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>' + content.split(
                    b"?>", 1
                )[1].replace(b'name="Sheet1"', b'name="&b;"')
            archive.writestr(info, content)
    with pytest.raises(SpreadsheetError, match="not an Excel workbook"):
        read(target.getvalue())


# The pages: a small broken file is a form error; a big one is read by the worker.


def upload(client, data: bytes, name: str = "accounts.xlsx"):  # noqa: ANN001, ANN201
    return client.post(reverse("integrations:import"), {"kind": "accounts", "file": SimpleUploadedFile(name, data)})


@pytest.mark.django_db
def test_a_small_xlsx_with_broken_xml_answers_400_with_the_reason(client, world) -> None:
    client.force_login(world.owner)
    response = upload(client, build(['<row r="1"><c r="A1"><v>1</v></row>']))
    assert response.status_code == 400
    assert "The file is not an Excel workbook (.xlsx) that can be read." in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_a_file_past_the_inline_size_is_read_by_the_worker_and_the_page_shows_progress(
    client, world, settings, django_capture_on_commit_callbacks
) -> None:
    # given
    settings.SPREADSHEET_INLINE_BYTES = 100
    client.force_login(world.owner)
    data = build([row(1, ["external_id", "name"]), row(2, ["C-1", "华东精密机械"]), row(3, ["C-50", "新客户"])])
    # when: uploaded, the task not yet run
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(client, data)
    batch = ImportBatch.objects.get()
    page = client.get(response["Location"]).content.decode()
    polled = client.get(response["Location"], headers={"HX-Request": "true"})
    # then: nothing read in the request; the page polls
    assert (batch.status, batch.rows, bytes(batch.upload)) == ("queued", [], data)
    assert len(queued) == 1
    assert 'hx-trigger="every 1s"' in page
    assert "Reading the file…" in polled.content.decode()
    # when the worker runs
    queued[0]()
    batch.refresh_from_db()
    done = client.get(response["Location"], headers={"HX-Request": "true"})
    # then
    assert (batch.status, batch.upload, batch.progress, batch.total) == ("previewed", None, 2, 2)
    assert batch.preview["summary"] == {"created": 1, "updated": 0, "unchanged": 1, "error": 0, "skipped": 0}
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")
    assert not Account.objects.filter(external_id="C-50").exists()


@pytest.mark.django_db
def test_a_file_the_worker_cannot_read_fails_with_the_reason_and_is_not_kept(client, world, settings) -> None:
    # given
    settings.SPREADSHEET_INLINE_BYTES = 100
    settings.SPREADSHEET_MAX_ZIP_RATIO = 50
    client.force_login(world.owner)
    data = build([row(1, ["external_id", "name"]), *(" " * MB for _ in range(3))])
    # when
    response = upload(client, data)  # on_commit does not run inside the test transaction
    batch = ImportBatch.objects.get()
    assert parse(batch_id=batch.pk) == "failed"
    assert parse(batch_id=batch.pk) == "taken"  # a redelivered message reads nothing again
    # then
    batch.refresh_from_db()
    page = client.get(response["Location"]).content.decode()
    assert (batch.status, batch.upload) == ("failed", None)
    assert batch.error.startswith("The workbook unpacks to ")
    assert "The file could not be read:" in page
    assert client.post(reverse("integrations:import_confirm", args=[batch.pk])).status_code == 404
