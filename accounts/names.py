"""How a person's name is written: one helper for every page, list, form choice and export.

A Chinese (or Japanese/Korean) name is written family name first with no space (刘芳); other names
given name first with a space (Anna Weber). Mixed cases follow the family name's script.
"""

from __future__ import annotations

import unicodedata


def _is_cjk(text: str) -> bool:
    """True when any character of `text` is a CJK ideograph, kana or hangul."""
    for char in text:
        name = unicodedata.name(char, "")
        if name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL")):
            return True
    return False


def full_name(*, given: str, family: str) -> str:
    """The name as it is written: "刘芳" for family 刘 / given 芳, "Anna Weber" for given Anna / family Weber.

    Either part may be blank (the other is returned alone, stripped); both blank gives "".
    """
    given, family = (given or "").strip(), (family or "").strip()
    if not given or not family:
        return given or family
    if _is_cjk(family):
        return f"{family}{given}"
    return f"{given} {family}"
