"""The first sheet of an XLSX workbook, streamed with expat under the caps of `Limits`.

Not openpyxl: its read-only mode trusts the sheet's `<dimension>` tag (a sheet claiming A1:C2
loses every row after the second), builds a whole cell's text before anyone can look at its
size, and reports malformed XML as assorted exceptions. Here every zip member's declared size
and compression ratio are checked before any XML is parsed; the XML is fed in small chunks and
cells, characters and bytes are counted as they arrive, so a bomb is refused after bounded work;
a DOCTYPE (entity expansion) is refused outright. Values keep their text: a number cell is a
Decimal of the digits Excel wrote (never a float), a date-formatted number a datetime.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from integrations.spreadsheets.limits import RATIO_FROM_BYTES, Limits

CHUNK = 64 * 1024  # bytes fed to the parser at a time
MAX_COLUMN = 16_384  # XFD, Excel's last column
# Built-in number formats that are dates: the international ones and those of Chinese Excel.
DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d*)")
# Whole rows that hold no value (`<row r="9"><c r="A9" s="3"/></row>`: formatting left behind)
# are cut out of the XML before expat sees them, found with bytes.find at C speed: a sheet
# formatted down to row 1,048,576 costs a scan, not four million Python callbacks. Their cells
# still count as cells read.
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')


class XlsxError(ValueError):
    """The workbook cannot be read; the message is for the person who uploaded it."""


def unreadable() -> XlsxError:
    return XlsxError(_("The file is not an Excel workbook (.xlsx) that can be read."))


class _DoctypeRefused(Exception):  # noqa: N818 - control flow out of expat
    pass


def open_workbook(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The archive, once every member's declared size and compression ratio are within limits.

    Raises XlsxError. Declared sizes cannot lie to us: zipfile stops reading a member at its
    declared size (and the CRC check fails), so what is parsed is at most what was checked."""
    try:
        archive = zipfile.ZipFile(_bytes_io(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise unreadable() from None
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise XlsxError(_("The workbook is password-protected; save it without a password and upload it again."))
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM_BYTES and ratio > limits.zip_ratio:
            raise XlsxError(
                _("The workbook unpacks to %(ratio)s times its size, which no real spreadsheet does; it was not read.")
                % {"ratio": int(ratio)}
            )
    if total > limits.unpacked_bytes:
        raise XlsxError(
            _("The workbook unpacks to more than %(mb)s MB; split it into smaller files.")
            % {"mb": limits.unpacked_bytes // (1024 * 1024)}
        )
    return archive


def unpacked_size(data: bytes) -> int:
    """The declared unpacked size of the sheets and strings of a workbook (0 if unreadable)."""
    try:
        with zipfile.ZipFile(_bytes_io(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return 0


def sheet_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of the first sheet, blank rows left out; raises XlsxError."""
    archive = open_workbook(data, limits)
    with archive:
        sheet, date1904 = _first_sheet(archive, limits)
        dates = _date_styles(archive, limits)
        shared = _shared_strings(archive, limits)
        reader = _SheetReader(shared, dates, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900, limits)
        yield from _stream(archive, sheet, reader, limits)


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _parser(start: Callable, end: Callable | None = None, text: Callable | None = None) -> Any:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text

    def refuse(*_args: Any) -> None:
        raise _DoctypeRefused

    # No DTD, so no entities to expand (a "billion laughs" file is refused, not expanded).
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _feed(
    archive: zipfile.ZipFile, name: str, parser: Any, limits: Limits, *, squeeze: Callable[[bytes], bytes] | None = None
) -> Iterator[None]:
    """Feed member `name` to `parser` a chunk at a time (through `squeeze`, which sees whole
    tags only), yielding after each chunk."""
    try:
        with archive.open(name) as member:
            carry = b""
            while chunk := member.read(CHUNK):
                if squeeze is not None:
                    cut = chunk.rfind(b">") + 1
                    chunk, carry = squeeze(carry + chunk[:cut]), chunk[cut:]
                    if len(carry) > CHUNK:  # no tag ends in this chunk: a huge text, fed as it is
                        chunk, carry = chunk + carry, b""
                parser.Parse(chunk, False)
                yield
            parser.Parse(carry, True)
    except XlsxError:
        raise
    except KeyError:
        raise unreadable() from None
    except (expat.ExpatError, _DoctypeRefused, zipfile.BadZipFile, ValueError, IndexError, OSError, EOFError):
        # ValueError covers a bad number or index in a cell; BadZipFile a CRC mismatch.
        raise unreadable() from None


def _parse_all(archive: zipfile.ZipFile, name: str, parser: Any, limits: Limits) -> None:
    for _chunk in _feed(archive, name, parser, limits):
        pass


def _first_sheet(archive: zipfile.ZipFile, limits: Limits) -> tuple[str, bool]:
    """The zip path of the workbook's first sheet and whether it counts dates from 1904."""
    found: dict[str, Any] = {"sheet": None, "date1904": False}

    def workbook_start(name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "sheet" and found["sheet"] is None:
            found["sheet"] = next((value for key, value in attrs.items() if _local(key) == "id"), None)
        elif tag == "workbookPr":
            found["date1904"] = attrs.get("date1904", "").lower() in ("1", "true")

    _parse_all(archive, "xl/workbook.xml", _parser(workbook_start), limits)
    targets: dict[str, str] = {}

    def rels_start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and "Id" in attrs:
            targets[attrs["Id"]] = attrs.get("Target", "")

    _parse_all(archive, "xl/_rels/workbook.xml.rels", _parser(rels_start), limits)
    target = targets.get(found["sheet"] or "")
    if not target:
        raise XlsxError(_("The workbook holds no sheet."))
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return path, found["date1904"]


def _date_styles(archive: zipfile.ZipFile, limits: Limits) -> frozenset[int]:
    """Indexes of the cell styles (`s` attribute) that show a number as a date."""
    if "xl/styles.xml" not in archive.namelist():
        return frozenset()
    formats: dict[int, str] = {}
    styles: list[int] = []
    where = {"cellXfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "numFmt":
            formats[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            where["cellXfs"] = True
        elif tag == "xf" and where["cellXfs"]:
            styles.append(int(attrs.get("numFmtId", "0")))

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            where["cellXfs"] = False

    _parse_all(archive, "xl/styles.xml", _parser(start, end), limits)

    def is_date(format_id: int) -> bool:
        if format_id in formats:
            return is_date_format(formats[format_id])
        return format_id in DATE_FORMAT_IDS or is_date_format(BUILTIN_FORMATS.get(format_id, "General"))

    return frozenset(index for index, format_id in enumerate(styles) if is_date(format_id))


class _Text:
    """Collects one cell's text, refusing it past the per-cell cap as it grows."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.parts: list[str] = []
        self.size = 0
        self.on = False

    def add(self, text: str) -> None:
        if not self.on:
            return
        self.size += len(text)
        if self.size > self.limits.cell_chars:
            raise XlsxError(
                _("A cell holds more than %(max)s characters; no spreadsheet cell may (Excel stops at 32,767).")
                % {"max": f"{self.limits.cell_chars:,}"}
            )
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts, self.size = [], 0
        return text


def _shared_strings(archive: zipfile.ZipFile, limits: Limits) -> list[str]:
    names = archive.namelist()
    name = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None
    if name is None:
        return []
    strings: list[str] = []
    text = _Text(limits)
    state = {"phonetic": 0, "chars": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        tag = _local(tag)
        if tag == "rPh":
            state["phonetic"] += 1  # furigana: not part of the value
        elif tag == "t" and not state["phonetic"]:
            text.on = True

    def end(tag: str) -> None:
        tag = _local(tag)
        if tag == "t":
            text.on = False
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "si":
            value = text.take()
            state["chars"] += len(value)
            if len(strings) >= limits.cells or state["chars"] > limits.text_chars:
                raise XlsxError(_("The workbook holds more text than an import may read; split it into smaller files."))
            strings.append(value)

    _parse_all(archive, name, _parser(start, end, text.add), limits)
    return strings


def _column(reference: str) -> int | None:
    match = _CELL_REF.fullmatch(reference)
    if match is None:
        return None
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - 64
    return number - 1


class _SheetReader:
    """expat handlers for sheet XML: finished rows pile up in `done` for the caller to take."""

    def __init__(self, shared: list[str], dates: frozenset[int], epoch: Any, limits: Limits) -> None:
        self.shared, self.dates, self.epoch, self.limits = shared, dates, epoch, limits
        self.text = _Text(limits)
        self.done: list[tuple[int, list[Any]]] = []
        self.row_number = 0
        self.cells: dict[int, Any] = {}
        self.column = -1
        self.kind = "n"
        self.style = 0
        self.count = 0

    def add_cells(self, count: int) -> None:
        self.count += count
        if self.count > self.limits.cells:
            raise XlsxError(
                _(
                    "The sheet holds more than %(max)s cells (formatted empty ones count too); "
                    "delete the unused rows and columns or split the file."
                )
                % {"max": f"{self.limits.cells:,}"}
            )

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "c":
            self.add_cells(1)
            column = _column(attrs.get("r", ""))
            self.column = self.column + 1 if column is None else column
            if self.column >= MAX_COLUMN:
                raise unreadable()
            self.kind = attrs.get("t", "n")
            self.style = int(attrs.get("s", "0") or 0)
        elif tag in ("v", "t"):
            self.text.on = True  # `t` only occurs in inline strings within a sheet
        elif tag == "row":
            reference = attrs.get("r")
            self.row_number = int(reference) if reference else self.row_number + 1
            self.cells = {}
            self.column = -1

    def end(self, name: str) -> None:
        tag = _local(name)
        if tag in ("v", "t"):
            self.text.on = False
        elif tag == "c":
            value = self._value(self.text.take())
            if value is not None:
                self.cells[self.column] = value
        elif tag == "row" and self.cells:  # a row of formatted blanks is skipped here, cheaply
            row = [None] * (max(self.cells) + 1)
            for position, value in self.cells.items():
                row[position] = value
            self.done.append((self.row_number, row))

    def _value(self, raw: str) -> Any:
        kind = self.kind
        if kind == "s":
            return self.shared[int(raw)] if raw else None
        if kind in ("inlineStr", "str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true") if raw else None
        if not raw:
            return None
        if kind == "d":
            try:
                return datetime.fromisoformat(raw)
            except ValueError:
                return raw
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return raw
        if self.style in self.dates and number.is_finite():
            try:
                return from_excel(float(number), self.epoch)
            except (ValueError, OverflowError):
                return number  # out of Excel's calendar: left as a number, refused per row
        return number


def _stream(archive: zipfile.ZipFile, name: str, reader: _SheetReader, limits: Limits) -> Iterator[tuple[int, list]]:
    parser = _parser(reader.start, reader.end, reader.text.add)

    def squeeze(xml: bytes) -> bytes:
        # Between the end of the first row and the start of the last one lie whole rows only.
        first, last = xml.find(b"</row>"), xml.rfind(b"<row")
        if first < 0 or last < first:
            return xml
        first += len(b"</row>")
        middle = xml[first:last]
        if b"<v" in middle or b"<is" in middle or middle.count(b"<row") != middle.count(b'<row r="'):
            return xml  # a value, or rows numbered by position only: expat reads them
        numbers = _ROW_NUMBER.findall(middle[middle.rfind(b"<row") :]) if b"<row" in middle else []
        reader.add_cells(middle.count(b"<c"))
        if numbers:
            reader.row_number = int(numbers[-1])
        return xml[:first] + xml[last:]

    for _chunk in _feed(archive, name, parser, limits, squeeze=squeeze):
        if reader.done:
            yield from reader.done
            reader.done.clear()
    yield from reader.done
