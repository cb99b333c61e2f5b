"""Keep the Simplified Chinese catalogue complete: `check` it, `fill` it from a table.

    .venv/bin/python tools/i18n.py update        # makemessages for zh_Hans (our ignore list)
    .venv/bin/python tools/i18n.py todo          # the untranslated and fuzzy entries, one a line
    .venv/bin/python tools/i18n.py fill T.py     # T.py defines T = {(msgctxt or None, msgid): msgstr}
    .venv/bin/python tools/i18n.py check         # exit 1 on an untranslated, fuzzy or mis-placeholdered entry

`fill` writes the translations, clears their fuzzy flags and compiles the .mo (committed, so a
bare machine needs no gettext). `check` is what tests/test_i18n.py runs in `make test`.
"""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def placeholders(text: str) -> list[str]:
    """The named %(x)s / {x} placeholders of a message, sorted."""
    return sorted(a or b for a, b in _PLACEHOLDER.findall(text))


def problems(po: polib.POFile | None = None) -> list[str]:
    """Every entry that would show English or break formatting in zh-hans, one line each."""
    po = po or polib.pofile(str(PO))
    found = []
    for entry in po:
        if entry.obsolete:
            continue
        name = f"{entry.msgctxt + ' | ' if entry.msgctxt else ''}{entry.msgid!r}"
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {name}")
        elif not entry.translated():
            found.append(f"untranslated: {name}")
        else:
            pairs = (
                [(entry.msgid, entry.msgstr)]
                if not entry.msgid_plural
                else [(entry.msgid_plural, s) for s in entry.msgstr_plural.values()]
            )
            for source, translation in pairs:
                if placeholders(source) != placeholders(translation):
                    found.append(f"placeholders differ: {name} -> {translation!r}")
    return found


def _manage(*args: str) -> None:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT, env=env)  # noqa: S603 - our own manage.py


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        _manage("makemessages", "-l", "zh_Hans", "--ignore=.venv", "--ignore=static", "--ignore=bench")
        return 0
    if command == "todo":
        po = polib.pofile(str(PO))
        for entry in po.untranslated_entries() + po.fuzzy_entries():
            print(repr((entry.msgctxt, entry.msgid)))
        return 0
    if command == "fill":
        table = runpy.run_path(argv[1])["T"]
        po = polib.pofile(str(PO), wrapwidth=79)
        done = 0
        for entry in po:
            key = (entry.msgctxt, entry.msgid)
            if key in table:
                if entry.msgid_plural:  # Chinese has one form: msgstr[0] (msgstr is not written)
                    entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural or {0: ""}, table[key])
                else:
                    entry.msgstr = table[key]
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
                done += 1
        po.save()
        _manage("compilemessages", "-l", "zh_Hans")
        print(f"{done} entries filled")
        return 0
    if command == "check":
        found = problems()
        print("\n".join(found) or "zh_Hans catalogue complete")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
