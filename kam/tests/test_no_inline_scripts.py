"""The CSP allows no inline scripts: no template may hold an inline <script>, an on* handler
attribute or a javascript: URL (behaviour goes in static/kam/*.js, asked for by data attributes)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path
    for path in ROOT.glob("**/templates/**/*.html")
    if ".venv" not in path.parts and "node_modules" not in path.parts
)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
JS_URL = re.compile(r"""=\s*["']\s*javascript:""", re.IGNORECASE)


def test_the_templates_are_found() -> None:
    assert ROOT / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_template_has_no_inline_script(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    found = INLINE_SCRIPT.findall(text) + HANDLER.findall(text) + JS_URL.findall(text)
    assert found == []


@pytest.mark.parametrize(
    ("html", "caught"),
    [
        ("<script>alert(1)</script>", True),
        ('<script type="module">x()</script>', True),
        ('<script src="/static/kam/kam.js" defer></script>', False),
        ('<select onchange="this.form.submit()">', True),
        ('<form class="d-inline" onsubmit=\'return confirm("x")\'>', True),
        ('<a href="javascript:void(0)">', True),
        ('<form data-confirm="Delete?">', False),
    ],
)
def test_the_scan_catches_each_kind(html: str, caught: bool) -> None:
    assert bool(INLINE_SCRIPT.findall(html) + HANDLER.findall(html) + JS_URL.findall(html)) is caught
