"""A CSV or XLSX file -> the rows of bulk records it holds, each with its spreadsheet row number.

CSV: UTF-8 with or without a BOM, UTF-16 (Excel's "Unicode text"), else GB18030 (a superset of
GBK, what Chinese Excel writes by default); comma, semicolon or tab, whichever the header row
uses most. XLSX: the first sheet, read in openpyxl's streaming mode (a file of 50,000 rows does
not become 50,000 row objects at once). The first non-blank row is the header; blank rows are
skipped but still counted, so row numbers match what Excel shows.

Everything wrong with the file as a whole (type, encoding, size, a missing required column, no
rows) raises SpreadsheetError with a message for the person who uploaded it; what is wrong with
a single row is left to the bulk validation, which reports it per row.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from integrations.spreadsheets import MAX_FILE_BYTES, MAX_ROWS
from integrations.spreadsheets.columns import OMIT, columns, header_map, normalise

EXTENSIONS = (".csv", ".xlsx")
DELIMITERS = (",", ";", "\t")
MAX_XLSX_UNPACKED_BYTES = 400 * 1024 * 1024  # ~20x the upload limit: XML of a full 50,000-row sheet fits


class SpreadsheetError(ValueError):
    """The file cannot be imported at all; the message says why and what to do."""


@dataclass
class Table:
    rows: list[tuple[int, dict[str, Any]]]  # (row number in the spreadsheet, bulk record)
    headers: dict[str, str]  # record field -> the header as the file wrote it
    ignored: list[str] = field(default_factory=list)  # headers that are no field: not imported


def read_table(
    collection: str, file: IO[bytes], filename: str, *, max_bytes: int = MAX_FILE_BYTES, max_rows: int = MAX_ROWS
) -> Table:
    """Read `file` (named `filename`, which decides CSV or XLSX) as records of `collection`."""
    extension = PurePath(filename).suffix.lower()
    if extension not in EXTENSIONS:
        if extension in (".xls", ".xlsm", ".xlsb", ".ods", ".numbers"):
            raise SpreadsheetError(_("Save the sheet as .xlsx (Excel workbook) or .csv and upload that."))
        raise SpreadsheetError(_("Upload a .csv or .xlsx file."))
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetError(
            _("The file is larger than %(mb)s MB; split it into smaller files.") % {"mb": max_bytes // (1024 * 1024)}
        )
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    cells = _xlsx_rows(data) if extension == ".xlsx" else _csv_rows(data)
    return _table(collection, cells, max_rows)


def _table(collection: str, cells: Iterator[tuple[int, Sequence[Any]]], max_rows: int) -> Table:
    found = next(((number, row) for number, row in cells if not _blank_row(row)), None)
    if found is None:
        raise SpreadsheetError(_("The file is empty."))
    header = found[1]
    known = header_map(collection)
    fields: list[tuple[int, str]] = []  # (column position, record field)
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for position, cell in enumerate(header):
        label = "" if cell is None else str(cell).strip()
        name = known.get(normalise(label)) if label else None
        if name is None:
            if label:
                ignored.append(label)
            continue
        if name in headers:
            raise SpreadsheetError(
                _('The columns "%(first)s" and "%(second)s" are both %(field)s; keep one.')
                % {"first": headers[name], "second": label, "field": name}
            )
        headers[name] = label
        fields.append((position, name))
    specs = columns(collection)
    missing = [name for name, column in specs.items() if column.required and name not in headers]
    if missing:
        raise SpreadsheetError(
            _("Required columns are missing: %(missing)s. The first row must name them (an export shows how).")
            % {"missing": ", ".join(missing)}
        )
    rows = []
    for number, row in cells:
        if _blank_row(row):
            continue
        if len(rows) == max_rows:
            raise SpreadsheetError(
                _("The file has more than %(max)s rows; split it into smaller files.") % {"max": f"{max_rows:,}"}
            )
        record = {}
        for position, name in fields:
            value = specs[name].convert(row[position] if position < len(row) else None)
            if value is not OMIT:
                record[name] = value
        rows.append((number, record))
    if not rows:
        raise SpreadsheetError(_("The file has a header row but no data rows."))
    return Table(rows=rows, headers=headers, ignored=ignored)


def _blank_row(row: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _csv_rows(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    if data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(_("This is an Excel workbook, not a CSV file: name it .xlsx."))
    text = _decode(data)
    if "\x00" in text:
        raise SpreadsheetError(_("The file holds NUL characters: it is not a text CSV file."))
    header = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = max(DELIMITERS, key=header.count)  # a tie (a one-column file) keeps the comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _checked_csv(reader)


def _checked_csv(reader: Iterable[list[str]]) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise SpreadsheetError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("The file is neither UTF-8 nor GBK text. Save it as “CSV UTF-8” and upload it again."))


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise SpreadsheetError(_("The file is not an Excel workbook (.xlsx) that can be read.")) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        # openpyxl holds the shared strings in memory: a small file must not unpack to gigabytes.
        raise SpreadsheetError(
            _("The file is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)}
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise SpreadsheetError(_("The file is not an Excel workbook (.xlsx) that can be read.")) from None
    return _sheet_rows(workbook)


def _sheet_rows(workbook: Any) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        if not workbook.worksheets:
            return
        # values_only rows carry no row numbers; read-only sheets skip nothing, so count them.
        yield from enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise SpreadsheetError(_("The file is not an Excel workbook (.xlsx) that can be read.")) from None
    finally:
        workbook.close()  # read-only mode keeps the archive open until closed
