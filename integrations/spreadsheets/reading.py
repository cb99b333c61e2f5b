"""A CSV or XLSX file -> the rows of bulk records it holds, each with its spreadsheet row number.

CSV: UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode text"), else GB18030 (a
superset of GBK, what Chinese Excel writes) or Big5 (Taiwan, Hong Kong) when a detector
(charset-normalizer) is sure which; otherwise the file is refused rather than guessed. Comma,
semicolon or tab, whichever the header row uses most. XLSX: the first sheet, streamed (see
`xlsx`), whatever its `<dimension>` tag claims. Every file is read within `Limits`. The first
non-blank row is the header; blank rows are skipped but still counted, so row numbers match what
Excel shows (header = row 1).

Numbers written as text follow one convention per file, 1,234.56 or 1.234,56: chosen on the
upload form or settled by the file's own values (see `numbers`). ERP ids stay text.

Everything wrong with the file as a whole (type, encoding, size, a missing required column, no
rows) raises SpreadsheetError with a message for the person who uploaded it. A cell that cannot
be imported (an id Excel turned into 2.02611E+17, an amount two conventions read differently,
a key the file repeats) refuses its row, with the message, in `Table.refused`; everything else
wrong with a row is left to the bulk validation, which reports it per row.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

from integrations.spreadsheets import numbers
from integrations.spreadsheets.columns import (
    OMIT,
    CellError,
    columns,
    header_map,
    normalise,
    number_texts,
    read_number,
)
from integrations.spreadsheets.limits import Limits
from integrations.spreadsheets.xlsx import XlsxError, sheet_rows, unpacked_size

EXTENSIONS = (".csv", ".xlsx")
DELIMITERS = (",", ";", "\t")
# Legacy encodings a detector may choose between for a CSV that is not UTF-8.
CANDIDATE_ENCODINGS = ("gb18030", "big5")
# Below this "chaos" (share of odd characters) a decoding counts as plausible; two plausible
# decodings this close are a coin toss, and a coin toss is refused.
PLAUSIBLE_CHAOS = 0.2
CLEAR_MARGIN = 0.05


class SpreadsheetError(ValueError):
    """The file cannot be imported at all; the message says why and what to do."""


@dataclass
class Table:
    rows: list[tuple[int, dict[str, Any]]]  # (row number in the spreadsheet, bulk record)
    headers: dict[str, str]  # record field -> the header as the file wrote it
    ignored: list[str] = field(default_factory=list)  # headers that are no field: not imported
    # Rows refused while reading: (row number, ERP id or None, {header: [reasons]}).
    refused: list[tuple[int, str | None, dict[str, list[str]]]] = field(default_factory=list)
    number_format: str | None = None  # numbers.POINT/COMMA, or None if nothing needed deciding


def read_table(
    collection: str,
    file: IO[bytes],
    filename: str,
    *,
    limits: Limits | None = None,
    number_format: str = numbers.AUTO,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> Table:
    """Read `file` (named `filename`, which decides CSV or XLSX) as records of `collection`.

    `number_format` is numbers.AUTO, POINT or COMMA; `max_bytes`/`max_rows` override `limits`
    (settings.SPREADSHEET_* by default). Raises SpreadsheetError."""
    limits = limits or Limits.from_settings()
    if max_bytes is not None:
        limits = Limits(**{**limits.__dict__, "file_bytes": max_bytes})
    if max_rows is not None:
        limits = Limits(**{**limits.__dict__, "rows": max_rows})
    extension = check_name(filename)
    data = file.read(limits.file_bytes + 1)
    if len(data) > limits.file_bytes:
        raise SpreadsheetError(
            _("The file is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": limits.file_bytes // (1024 * 1024)}
        )
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    cells = _xlsx_rows(data, limits) if extension == ".xlsx" else _csv_rows(data, limits)
    return _table(collection, cells, limits, number_format)


def check_name(filename: str) -> str:
    """The extension of an importable file name; raises SpreadsheetError for any other."""
    extension = PurePath(filename).suffix.lower()
    if extension not in EXTENSIONS:
        if extension in (".xls", ".xlsm", ".xlsb", ".ods", ".numbers"):
            raise SpreadsheetError(_("Save the sheet as .xlsx (Excel workbook) or .csv and upload that."))
        raise SpreadsheetError(_("Upload a .csv or .xlsx file."))
    return extension


def workload(data: bytes, filename: str) -> int:
    """Bytes of text reading `data` parses: the upload for a CSV, the unpacked members of an
    XLSX (as declared; they are checked against the caps before parsing)."""
    return max(len(data), unpacked_size(data)) if filename.lower().endswith(".xlsx") else len(data)


def _table(collection: str, cells: Iterator[tuple[int, Sequence[Any]]], limits: Limits, number_format: str) -> Table:
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
    converted: list[tuple[int, dict[str, Any], dict[str, list[str]]]] = []
    for number, row in cells:
        if _blank_row(row):
            continue
        if len(converted) == limits.rows:
            raise SpreadsheetError(
                _("The file has more than %(max)s rows; split it into smaller files.") % {"max": f"{limits.rows:,}"}
            )
        record: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for position, name in fields:
            try:
                value = specs[name].convert(row[position] if position < len(row) else None)
            except CellError as error:
                errors.setdefault(headers[name], []).append(str(error))
                continue
            if value is not OMIT:
                record[name] = value
        converted.append((number, record, errors))
    if not converted:
        raise SpreadsheetError(_("The file has a header row but no data rows."))
    convention = _convention(converted, [name for name, column in specs.items() if column.number], number_format)
    for _number, record, errors in converted:
        for name, value in record.items():
            if specs[name].number is None:
                continue
            try:
                record[name] = read_number(value, specs[name].number, convention)
            except CellError as error:
                errors.setdefault(headers[name], []).append(str(error))
    _refuse_repeated_keys(converted, headers)
    table = Table(rows=[], headers=headers, ignored=ignored, number_format=convention)
    for number, record, errors in converted:
        if errors:
            key = record.get("external_id")
            table.refused.append((number, key if isinstance(key, str) else None, errors))
        else:
            table.rows.append((number, record))
    return table


def _convention(rows: list[tuple[int, dict, dict]], names: list[str], chosen: str) -> str | None:
    if chosen != numbers.AUTO:
        return chosen
    texts = (text for _n, record, _e in rows for name in names if (text := number_texts(record.get(name))))
    try:
        return numbers.settle(texts)
    except numbers.Mixed:
        raise SpreadsheetError(
            _(
                "Some numbers in this file are written as 1,234.56 and others as 1.234,56. Choose the number "
                "format on the upload form and upload it again."
            )
        ) from None


def _refuse_repeated_keys(rows: list[tuple[int, dict, dict]], headers: dict[str, str]) -> None:
    """A key twice in one file is ambiguous (which copy wins?): every copy is refused, across
    the whole file, before anything is written."""
    where: dict[str, list[int]] = defaultdict(list)
    for number, record, _errors in rows:
        key = record.get("external_id")
        if isinstance(key, str):
            where[key].append(number)
    for _number, record, errors in rows:
        copies = where.get(record.get("external_id"), [])  # type: ignore[arg-type]
        if len(copies) > 1:
            errors.setdefault(headers["external_id"], []).append(
                _("%(key)s appears more than once in the file (rows %(rows)s); keep one row per ERP ID.")
                % {"key": record["external_id"], "rows": ", ".join(map(str, copies))}
            )


def _blank_row(row: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _csv_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, Sequence[Any]]]:
    if data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(_("This is an Excel workbook, not a CSV file: name it .xlsx."))
    text = decode(data)
    if "\x00" in text:
        raise SpreadsheetError(_("The file holds NUL characters: it is not a text CSV file."))
    header = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = max(DELIMITERS, key=header.count)  # a tie (a one-column file) keeps the comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _checked_csv(reader, limits)


def _checked_csv(reader: Iterable[list[str]], limits: Limits) -> Iterator[tuple[int, Sequence[Any]]]:
    cells = 0
    try:
        for number, row in enumerate(reader, start=1):
            cells += len(row)
            if cells > limits.cells:
                raise SpreadsheetError(
                    _("The file holds more than %(max)s cells; split it into smaller files.")
                    % {"max": f"{limits.cells:,}"}
                )
            if any(len(cell) > limits.cell_chars for cell in row):
                raise SpreadsheetError(
                    _("Row %(row)s has a cell of more than %(max)s characters; no spreadsheet cell may.")
                    % {"row": number, "max": f"{limits.cell_chars:,}"}
                )
            yield number, row
    except csv.Error as error:
        raise SpreadsheetError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None


def decode(data: bytes) -> str:
    """The text of a CSV file; raises SpreadsheetError when its encoding cannot be told for sure."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # GB18030 decodes nearly any bytes, Big5 text included, as *something*: a detector weighs
    # which decoding reads as language, and says when it cannot tell.
    matches = sorted(
        (match for match in from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS)) if match.encoding),
        key=lambda match: match.chaos,
    )
    plausible = [match for match in matches if match.chaos <= PLAUSIBLE_CHAOS]
    if plausible and (len(plausible) == 1 or plausible[1].chaos - plausible[0].chaos >= CLEAR_MARGIN):
        return str(plausible[0])
    raise SpreadsheetError(
        _(
            "The file is neither UTF-8 nor GBK or Big5 text that can be told apart for sure (tried: UTF-8, "
            "UTF-16, GB18030/GBK, Big5). Save it as “CSV UTF-8” and upload it again."
        )
    )


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        yield from sheet_rows(data, limits)
    except XlsxError as error:
        raise SpreadsheetError(str(error)) from None
