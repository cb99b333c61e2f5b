"""What a user can see -> CSV or XLSX, with the columns the import reads back.

The header row is the bulk record's field names, references as ERP ids (`account_external_id`),
so an export, edited or not, imports again: rows left as they were come back "unchanged". CSV
is UTF-8 with a BOM (without it Excel reads Chinese as GBK and garbles it) and streams; XLSX is
written in openpyxl's write-only mode, with dates as Excel dates, amounts as numbers and text
(ERP ids included) as string cells.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.http import FileResponse, QueryDict, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from accounts.models import Account, User
from accounts.selectors import account_list
from integrations.bulk.specs import SPECS
from integrations.spreadsheets.columns import FORMULA_START, columns

CHUNK_ROWS = 1_000  # rows per database fetch and per streamed piece of CSV


def export_queryset(kind: str, user: User, filters: QueryDict | dict | None = None) -> QuerySet:
    """The rows of `kind` the user may see; `filters` (the account list's) narrow the accounts."""
    spec = SPECS[kind]
    rows = spec.model.objects.visible_to(user)
    if filters:
        accounts, _filterset = account_list(user=user, filters=filters)
        rows = accounts if spec.model is Account else rows.filter(account__in=accounts.values("pk"))
    return rows.order_by("pk")


def export_rows(kind: str, user: User, filters: QueryDict | dict | None = None) -> Iterator[list[Any]]:
    """The header row, then one list of Python values per row (None for blank)."""
    spec = SPECS[kind]
    names = list(columns(kind))
    # account_external_id is read through the foreign key (account__external_id), the owner by username.
    paths = [spec.model_path(name) for name in names]
    yield names
    queryset = export_queryset(kind, user, filters).values_list(*paths)
    for row in queryset.iterator(chunk_size=CHUNK_ROWS):
        yield list(row)


def _safe_text(value: str) -> str:
    # A name like "=HYPERLINK(...)" must stay text when Excel opens a CSV (only a CSV: an XLSX
    # string cell is never a formula); the import strips the quote again.
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_cell(value: Any) -> Any:
    """One value as a CSV cell: text that Excel would run as a formula is quoted, None is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # Decimal "12500.00", int


def csv_chunks(rows: Iterator[list[Any]]) -> Iterator[str]:
    """CSV text in pieces of CHUNK_ROWS rows, starting with the BOM, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(rows: Iterator[list[Any]], *, filename: str) -> StreamingHttpResponse:
    """The rows (header first) as a CSV download named `filename`: UTF-8 with the BOM, cells by
    `csv_cell`, streamed. Every CSV a person downloads goes through here, so none lacks the BOM
    (Excel would read its Chinese as GBK) or the formula guard (tests/test_homes.py)."""
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    # Decimals and ints become number cells Excel can sum, dates date cells (yyyy-mm-dd). Text
    # is a string cell (data_type "s"), which Excel never evaluates: "=1+2" and "+86 138 0000
    # 0000" stay as they are, no guard needed (openpyxl would make "=..." a formula, so say so).
    # An instant (an opportunity's stage_changed_at) is ISO 8601 text with its offset: Excel has
    # no time zones, and the import reads the text back as the same instant.
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.isoformat()
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def write_xlsx(rows: Iterator[list[Any]], target: IO[bytes], *, title: str) -> None:
    """The rows as the only sheet of a workbook written to `target`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    header = next(rows)
    for position, name in enumerate(header, start=1):
        # Wide enough that a date shows as a date, not "########".
        sheet.column_dimensions[get_column_letter(position)].width = max(12, len(name) + 2)
    sheet.freeze_panes = "A2"
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(target)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(rows: Iterator[list[Any]], *, title: str) -> FileResponse:
    """The rows as a workbook, streamed to the client in blocks from a temporary file: a zip is
    written with seeks, so it is built first, but memory stays flat however many rows."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    write_xlsx(rows, target, title=title)
    target.seek(0)
    return FileResponse(target, content_type=XLSX_TYPE)
