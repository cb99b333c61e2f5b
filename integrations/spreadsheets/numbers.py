"""Numbers written as text in one of two conventions: 1,234.56 or 1.234,56. Pure functions.

Excel writes a CSV with the separators of the machine's locale: where the comma is the decimal
mark, amounts read "13,75" and "1.250,00" and the file is separated by semicolons. "1,250" means
1250 in one convention and 1.25 in the other, so a file's convention is settled by the values
that can only be read one way ("13,75", "12.5", "1,234.56"); a value that two conventions read
differently is never guessed (see `parse`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

POINT = "point"  # 1,234.56
COMMA = "comma"  # 1.234,56
AUTO = "auto"

_PATTERNS = {
    POINT: re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?|[+-]?\.\d+"),
    COMMA: re.compile(r"[+-]?(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d+)?|[+-]?,\d+"),
}


class Ambiguous(ValueError):
    """The text reads as two different numbers under the two conventions."""


class Mixed(ValueError):
    """Values of one file can each only be read in a different convention."""


def read_as(text: str, convention: str) -> Decimal | None:
    """`text` under `convention` (POINT or COMMA), or None when it is no number written so."""
    text = text.strip()
    if not _PATTERNS[convention].fullmatch(text):
        return None
    if convention == POINT:
        return Decimal(text.replace(",", ""))
    return Decimal(text.replace(".", "").replace(",", "."))


def settle(texts: Iterable[str]) -> str | None:
    """The convention the values decide (POINT or COMMA), or None if none of them decides.

    Raises Mixed when some values can only be read one way and others only the other way."""
    seen: set[str] = set()
    for text in texts:
        readings = {convention for convention in (POINT, COMMA) if read_as(text, convention) is not None}
        if len(readings) == 1:
            seen |= readings
        elif len(readings) == 2 and read_as(text, POINT) != read_as(text, COMMA):
            continue  # "1,250": decides nothing
        if len(seen) == 2:
            raise Mixed(text)
    return seen.pop() if seen else None


def parse(text: str, convention: str | None) -> Decimal | None:
    """`text` as a number under `convention`, or None when it is no number written that way.

    With convention None (nothing settled it), a text both conventions read alike ("1250",
    "-3") is that number, one only a single convention reads ("13,75") is read so, and one they
    read differently ("1,250") raises Ambiguous."""
    if convention is not None:
        return read_as(text, convention)
    point, comma = read_as(text, POINT), read_as(text, COMMA)
    if point is not None and comma is not None and point != comma:
        raise Ambiguous(text)
    return point if point is not None else comma


def write(value: Decimal, convention: str) -> str:
    """`value` as text under `convention`, grouped by thousands (the inverse of `parse`)."""
    text = f"{value:,f}"
    if convention == COMMA:
        text = text.translate(str.maketrans(",.", ".,"))
    return text
