"""Hand-built XLSX files for the reading tests: odd, broken and hostile ones Excel would not write.

Each is built on the fly with zipfile from a generator of sheet XML, so a bomb that unpacks to
hundreds of megabytes costs a few hundred kilobytes and a second to build.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
STYLES = (  # style 1: a formatted cell (a fill) of the General number format
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="0" applyFill="1"/></cellXfs></styleSheet>'
)


def cell(reference: str, value: object) -> str:
    """One cell: a number as a number cell, anything else as an inline string."""
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row(number: int, values: list[object]) -> str:
    cells = "".join(cell(f"{chr(65 + position)}{number}", value) for position, value in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def build(sheet: Iterable[str], *, dimension: str = "A1", styles: bool = True) -> bytes:
    """A workbook whose only sheet holds the `<row>` pieces of `sheet`, streamed into the zip."""
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if styles:
            archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
                f'<dimension ref="{dimension}"/><sheetData>'.encode()
            )
            for piece in sheet:
                member.write(piece.encode())
            member.write(b"</sheetData></worksheet>")
    return target.getvalue()


def formatted_blank_rows(first: int, last: int, columns: int = 3) -> Iterable[str]:
    """Rows `first`..`last` of styled empty cells: what formatting a whole range leaves behind."""
    letters = [chr(65 + position) for position in range(columns)]
    for number in range(first, last + 1):
        yield f'<row r="{number}">' + "".join(f'<c r="{x}{number}" s="1"/>' for x in letters) + "</row>"
