"""`integrations` knows no app: the apps declare their events into its registry and call its
emitter, never the other way round (issue 8). Only the user/account core may be imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import integrations
from integrations.event_types import event_choices, event_type_register, event_types, is_registered

ROOT = Path(integrations.__file__).parent
DOMAIN_APPS = ("tiering", "plans", "funnel")


def imported_names(source: str) -> list[tuple[int, str]]:
    """(line, "module" or "module.name") for every import, also those inside functions and
    `import_module("...")`/`__import__("...")` calls with a literal name."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def forbidden(name: str) -> bool:
    top, _, rest = name.partition(".")
    if top in DOMAIN_APPS:
        return True
    # accounts is the user/account core (models, visibility); its private helpers are not an API.
    return top == "accounts" and any(part.startswith("_") and part != "__init__" for part in rest.split("."))


def test_no_module_under_integrations_imports_a_domain_app() -> None:
    # given every Python file under integrations/, tests and migrations included
    files = sorted(ROOT.rglob("*.py"))
    # when their imports are read
    offences = [
        f"{path.relative_to(ROOT.parent)}:{line} imports {name}"
        for path in files
        for line, name in imported_names(path.read_text(encoding="utf-8"))
        if forbidden(name)
    ]
    # then none reaches into tiering, plans, funnel or a private name of accounts
    assert ROOT / "webhooks" / "services.py" in files  # the walk found the package, not an empty directory
    assert offences == []


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("import tiering", True),
        ("from tiering.models import ScoringRun", True),
        ("def f():\n    from plans import events", True),
        ("import funnel.models as m", True),
        ("from accounts.views import _visible_account", True),
        ("import importlib\nimportlib.import_module('tiering.services')", True),
        ("from accounts.models import Account", False),
        ("from accounts.visibility import sees_everything", False),
        ("from integrations.events import event_emit", False),
        ("import tieringx", False),
    ],
)
def test_the_boundary_check_catches_each_kind_of_import(source: str, caught: bool) -> None:
    assert any(forbidden(name) for _, name in imported_names(source)) is caught


def test_the_apps_declare_their_event_types() -> None:
    # given the installed apps have run ready()
    # then each event type is declared by the app that produces it, in name order
    assert [(e.name, e.app) for e in event_types()] == [
        ("account.deleted", "accounts"),
        ("account_plan.deleted", "plans"),
        ("action_item.deleted", "plans"),
        ("activity.deleted", "plans"),
        ("contact.deleted", "accounts"),
        ("contact_plan_entry.deleted", "plans"),
        ("opportunity.stage_changed", "funnel"),
        ("plan.overdue", "plans"),
        ("relationship.deleted", "plans"),
        ("scoring_run.abandoned", "tiering"),
        ("scoring_run.finished", "tiering"),
        ("tier.changed", "tiering"),
    ]
    assert [str(label) for _, label in event_choices()] == [
        "Account deleted (with its contacts, orders, invoices and payments)",
        "Account plan deleted (with its actions)",
        "Action deleted",
        "Activity deleted",
        "Contact deleted",
        "Contact plan entry removed",
        "Opportunity stage changed",
        "Account plan overdue",
        "Relationship removed",
        "Scoring run abandoned by its worker (requeued)",
        "Scoring run finished",
        "Tier changed (batched per run)",
    ]


def test_an_event_type_belongs_to_one_app_and_has_a_dotted_name() -> None:
    # declaring again from the same app is harmless (a module imported twice)
    assert event_type_register(name="tier.changed", label="Tier changed (batched per run)", app="tiering") == (
        "tier.changed"
    )
    with pytest.raises(ValueError, match="already declared by the app 'tiering'"):
        event_type_register(name="tier.changed", label="x", app="plans")
    for bad in ("tier", ".changed", "tier.", " tier.changed", "x." + "y" * 49):
        with pytest.raises(ValueError, match="'<entity>.<action>'"):
            event_type_register(name=bad, label="x", app="plans")
    assert [e.app for e in event_types() if e.name == "tier.changed"] == ["tiering"]
    assert not is_registered("tier")
