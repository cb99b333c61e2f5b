"""How much of an uploaded file is read before it is refused: the caps of kam.settings.

Every figure bounds work done while reading, counted as the file is read, so a small hostile
upload (a zip bomb, one enormous cell, a million formatted blank rows) is refused after bounded
time and memory instead of sinking a worker.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings


@dataclass(frozen=True)
class Limits:
    file_bytes: int  # the upload as sent
    rows: int  # non-blank data rows
    cells: int  # cell elements read (blank but formatted ones included: they cost as much)
    cell_chars: int  # characters in one cell (Excel's own limit is 32,767)
    unpacked_bytes: int  # an XLSX: every zip member together, as declared and as read
    zip_ratio: int  # an XLSX member: unpacked / packed size, for members past RATIO_FROM_BYTES
    text_chars: int  # an XLSX: all shared strings together (they are held in memory)

    @classmethod
    def from_settings(cls, **overrides: int) -> Limits:
        """The caps of settings.SPREADSHEET_*, with `overrides` (same names) for one call."""
        limits = cls(
            file_bytes=settings.SPREADSHEET_MAX_FILE_BYTES,
            rows=settings.SPREADSHEET_MAX_ROWS,
            cells=settings.SPREADSHEET_MAX_CELLS,
            cell_chars=settings.SPREADSHEET_MAX_CELL_CHARS,
            unpacked_bytes=settings.SPREADSHEET_MAX_UNPACKED_BYTES,
            zip_ratio=settings.SPREADSHEET_MAX_ZIP_RATIO,
            text_chars=settings.SPREADSHEET_MAX_TEXT_CHARS,
        )
        return replace(limits, **overrides)


# Small members (workbook.xml, a 3-row sheet) compress well without being bombs.
RATIO_FROM_BYTES = 1024 * 1024
