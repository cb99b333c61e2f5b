"""Shared plumbing has one home each; a second copy anywhere else fails here.

Apps copy what they find: when a helper is redefined in an app, the next app copies that copy.
The scan reads the source (AST), so it runs without Django or a database.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "migrations", "node_modules", "static", "templates", "locale", ".git"}

# name defined (def or class) -> the one module allowed to define it
HOMES = {
    "page_view": "kam/pages.py",
    "visible_or_404": "kam/pages.py",
    "_visible_account": None,  # the old private helper: gone for good
    "token_client": "kam/testing.py",
    "api_client_for": None,
    "bulk_client": None,
    "Receiver": "kam/testing.py",
    "receiver": "conftest.py",
    "BootstrapMixin": None,
    "StyledFormMixin": "kam/forms.py",
    "token_create": "accounts/tokens.py",
    "token_revoke": "accounts/tokens.py",
}
SCOPE_NAME = re.compile(r"^[a-z_]+:(read|write)$")


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIP.intersection(relative.parts):
            continue
        found.append((relative.as_posix(), ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
    return found


MODULES = _modules()


def _is_test_code(module: str) -> bool:
    return "/tests/" in f"/{module}" or module.endswith("conftest.py") or module == "kam/testing.py"


def test_each_shared_helper_is_defined_only_in_its_home() -> None:
    # given every def and class in the project
    strays = sorted(
        f"{name} in {module}"
        for module, tree in MODULES
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and (name := node.name) in HOMES
        and HOMES[name] != module
    )
    # then none sits outside its home
    assert strays == []


def test_no_helper_builds_its_own_token_client() -> None:
    # A function (not a test) that makes a token and puts it on a client is a token-client copy.
    strays = []
    for module, tree in MODULES:
        if module == "kam/testing.py":
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("test_"):
                continue
            called = {
                call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                for call in ast.walk(node)
                if isinstance(call, ast.Call)
            }
            if "credentials" in called and any(name.endswith("token_create") for name in called):
                strays.append(f"{node.name} in {module}")
    assert strays == []


def test_no_form_styles_its_widgets_in_a_loop_of_its_own() -> None:
    # `for field in self.fields.values(): field.widget.attrs[...]` belongs to kam/forms.py only.
    strays = []
    for module, tree in MODULES:
        if module == "kam/forms.py":
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.For) and "fields" in ast.unparse(node.iter)):
                continue
            if any(isinstance(n, ast.Attribute) and n.attr == "attrs" for n in ast.walk(node)):
                strays.append(f"line {node.lineno} of {module}")
    assert strays == []


def test_app_code_lists_no_scopes_outside_the_registry() -> None:
    # A literal list of scope names in app code is a second registry that drifts from the first.
    strays = []
    for module, tree in MODULES:
        if _is_test_code(module) or module.endswith("scopes.py") or module.startswith("bench/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.List | ast.Tuple | ast.Set) and len(node.elts) > 1:
                names = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                if len(names) == len(node.elts) and all(SCOPE_NAME.match(n) for n in names):
                    strays.append(f"line {node.lineno} of {module}")
    assert strays == []


def test_the_scan_sees_the_homes_themselves() -> None:
    # Guard against a scan that silently reads nothing (a wrong ROOT would pass every test above).
    defined = {
        (module, node.name)
        for module, tree in MODULES
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    }
    assert {(home, name) for name, home in HOMES.items() if home} <= defined


def test_every_csv_download_is_written_in_one_place() -> None:
    # A view with its own csv.writer forgot the BOM twice (Excel then reads Chinese as GBK) and
    # can forget the formula guard: downloads go through integrations/spreadsheets/exporting.py.
    strays = []
    for module, tree in MODULES:
        if _is_test_code(module) or module.startswith(("bench/", "tools/")):
            continue
        if module == "integrations/spreadsheets/exporting.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("csv.writer", "csv.DictWriter", "writer"):
                strays.append(f"line {node.lineno} of {module}")
    assert strays == []
