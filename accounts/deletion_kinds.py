"""The registry of deleted-record kinds: the collections whose deletions a syncing client reads
from `GET /api/v1/deletions/` (README, "Sync out", item 4).

accounts knows no app: each app registers its deletable collections from its AppConfig.ready()
(as it declares its scopes and event types)::

    deletion_kind_register(kind="activity", label=_("Activity"), model=Activity, scope="activities:read")

A kind names a model that hangs off an account (an `account` foreign key, or the account
itself). The delete services write tombstones through `accounts.services.deleted_records_write`,
which finds from the models' foreign keys which registered rows a deletion cascades to (an
account's deletion takes its contacts, orders, activities, opportunities…; a contact's its
contact-plan entries and relationship links). The deletions feed shows a token the kinds whose
`scope` it holds. `DeletedRecord.kind` takes its choices from here (a callable, so migrations
never depend on which apps registered).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

__all__ = ["DeletionKind", "deletion_kind_choices", "deletion_kind_for", "deletion_kind_register", "deletion_kinds"]


@dataclass(frozen=True)
class DeletionKind:
    kind: str  # DeletedRecord.kind, e.g. "activity"; at most 20 characters
    label: Any  # for people (a lazy translation)
    model: type[models.Model]
    scope: str  # the token scope that reads the collection, e.g. "activities:read"

    @property
    def has_external_id(self) -> bool:
        """Whether the rows carry the ERP's id (`external_id`), which the tombstone keeps."""
        return any(field.name == "external_id" for field in self.model._meta.concrete_fields)


_REGISTRY: dict[str, DeletionKind] = {}


def deletion_kind_register(*, kind: str, label: Any, model: type[models.Model], scope: str) -> DeletionKind:
    """Declare that rows of `model` leave a tombstone of `kind` when deleted, read with `scope`.

    Registering the same kind for the same model again is a no-op (a module re-imported);
    ValueError for a kind another model holds, a model registered under another kind, or a
    kind longer than DeletedRecord.kind's 20 characters."""
    if not kind or len(kind) > 20 or kind != kind.strip():
        raise ValueError(f"a deleted-record kind is a name of at most 20 characters, not {kind!r}")
    known = _REGISTRY.get(kind)
    if known is not None and known.model is not model:
        raise ValueError(f"the deleted-record kind {kind!r} is already {known.model.__name__}'s")
    for other in _REGISTRY.values():
        if other.model is model and other.kind != kind:
            raise ValueError(f"{model.__name__} is already registered as the kind {other.kind!r}")
    _REGISTRY[kind] = DeletionKind(kind=kind, label=label, model=model, scope=scope)
    return _REGISTRY[kind]


def deletion_kinds() -> tuple[DeletionKind, ...]:
    """Every registered kind, in registration order (the apps' order: accounts first)."""
    return tuple(_REGISTRY.values())


def deletion_kind_for(model: type[models.Model]) -> DeletionKind | None:
    """The kind registered for `model` (or its concrete model), None if its rows leave no tombstone."""
    model = model._meta.concrete_model
    return next((kind for kind in _REGISTRY.values() if kind.model is model), None)


def deletion_kind_choices() -> list[tuple[str, Any]]:
    """(kind, label) pairs: DeletedRecord.kind's choices."""
    return [(kind.kind, kind.label) for kind in _REGISTRY.values()]
