"""The scope registry: what each app declares, what it refuses, and that every API view names
only declared scopes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.api.permissions import ResourceScope, require_scope
from kam import scopes
from kam.scopes import all_scopes, check_declared, declare, unknown_scopes

DECLARED = {
    "accounts": [
        "accounts:read",
        "accounts:write",
        "contacts:read",
        "contacts:write",
        "invoices:read",
        "invoices:write",
        "orders:read",
        "orders:write",
        "payments:read",
        "payments:write",
    ],
    "funnel": ["forecast:read", "opportunities:read", "opportunities:write"],
    "integrations": ["webhooks:write"],
    "plans": ["activities:read", "activities:write", "plans:read", "plans:write", "proposals:read", "proposals:write"],
    "tiering": ["runs:read", "runs:write", "scores:read"],
}


@pytest.fixture
def registry(monkeypatch):  # noqa: ANN001, ANN201 - a scratch copy, so a test's declarations don't leak
    monkeypatch.setattr(scopes, "_declared", dict(scopes._declared))
    return scopes


def test_each_app_declares_its_own_scopes() -> None:
    by_app: dict[str, list[str]] = {}
    for scope in all_scopes():
        by_app.setdefault(scope.app, []).append(scope.name)
    assert by_app == DECLARED


def test_every_scope_has_a_label_for_people() -> None:
    assert [scope.name for scope in all_scopes() if not str(scope.label).strip()] == []


def test_unknown_scopes_are_named_sorted_once() -> None:
    assert unknown_scopes(["runs:read", "zz:top", "admin:all", "zz:top"]) == ["admin:all", "zz:top"]
    assert unknown_scopes(["runs:read"]) == []


def test_a_new_app_declares_a_scope_and_the_registry_knows_it(registry) -> None:  # noqa: ANN001
    declare(app="plans", scopes=[("plans:read", "Read plans")])
    assert check_declared("plans:read") == "plans:read"
    assert [s.app for s in all_scopes() if s.name == "plans:read"] == ["plans"]


@pytest.mark.parametrize("name", ["plans", "plans:", ":read", "plans:read:all", " plans:read"])
def test_a_malformed_scope_name_is_refused(registry, name: str) -> None:  # noqa: ANN001
    with pytest.raises(ImproperlyConfigured, match="<resource>:<action>"):
        declare(app="plans", scopes=[(name, "x")])


def test_two_apps_cannot_declare_one_scope(registry) -> None:  # noqa: ANN001
    with pytest.raises(ImproperlyConfigured, match="The scope runs:read is declared by both tiering and plans."):
        declare(app="plans", scopes=[("runs:read", "x")])


def test_a_view_cannot_require_an_undeclared_scope() -> None:
    with pytest.raises(ImproperlyConfigured, match="The scope runs:raed is not declared"):
        require_scope("runs:raed")


def _views(resolver: URLResolver) -> list[type]:
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found += _views(pattern)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None)
            if view is not None:
                found.append(view)
    return found


def test_every_resource_scope_an_api_view_checks_is_declared() -> None:
    # given every DRF view routed in the project
    views = [v for v in _views(get_resolver()) if ResourceScope in getattr(v, "permission_classes", ())]
    # then the scopes ResourceScope builds for each are declared (a typo would lock every token out)
    needed = {f"{view.scope_resource}:{action}" for view in views for action in ("read", "write")}
    assert sorted({v.scope_resource for v in views}) == [
        "accounts",
        "activities",
        "contacts",
        "invoices",
        "opportunities",
        "orders",
        "payments",
        "plans",
        "proposals",
        "runs",
    ]
    assert unknown_scopes(needed) == []
