"""The registry of API token scopes: each app declares the scopes its endpoints check.

An app lists its scopes in its own `scopes.py` (`accounts/scopes.py`, `tiering/scopes.py`, …)
with `declare(...)`; the registry finds those modules the way the admin finds `admin.py`. The
token page offers exactly the declared scopes, `token_create` refuses any other name, and the
API permission classes refuse to guard a view with an undeclared one (a typo there would make a
scope no token can ever hold).

A scope is named `<resource>:<action>`, e.g. `accounts:read`, `runs:write`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Scope:
    name: str  # "<resource>:<action>"
    label: str | Promise  # what it allows, for people (lazy translation)
    app: str  # the declaring app's label


_declared: dict[str, Scope] = {}
_discovered = False
_lock = threading.Lock()


def declare(*, app: str, scopes: Iterable[tuple[str, str | Promise]]) -> None:
    """Declare `app`'s scopes as (name, label) pairs.

    Raises ImproperlyConfigured for a malformed name or one another app already declared
    (two apps answering for one scope would make its meaning depend on import order).
    """
    for name, label in scopes:
        resource, _, action = name.partition(":")
        if not resource or not action or ":" in action or name.strip() != name:
            raise ImproperlyConfigured(f"A scope is named <resource>:<action>, not {name!r}.")
        existing = _declared.get(name)
        if existing is not None and existing.app != app:
            raise ImproperlyConfigured(f"The scope {name} is declared by both {existing.app} and {app}.")
        _declared[name] = Scope(name=name, label=label, app=app)


def _discover() -> None:
    global _discovered  # noqa: PLW0603 - a once-per-process discovery flag
    if _discovered:
        return
    with _lock:
        if not _discovered:
            autodiscover_modules("scopes")
            _discovered = True


def all_scopes() -> list[Scope]:
    """Every declared scope, sorted by name."""
    _discover()
    return sorted(_declared.values(), key=lambda scope: scope.name)


def scope_names() -> frozenset[str]:
    _discover()
    return frozenset(_declared)


def unknown_scopes(names: Iterable[str]) -> list[str]:
    """The names among `names` that no app declared, sorted and without repeats."""
    known = scope_names()
    return sorted({name for name in names if name not in known})


def check_declared(name: str) -> str:
    """Return `name`; ImproperlyConfigured if no app declared it (called where a view names a scope)."""
    if name not in scope_names():
        raise ImproperlyConfigured(f"The scope {name} is not declared in any app's scopes.py.")
    return name
