"""The registry of event types that webhook subscribers may choose.

`integrations` knows no app: each app declares the events it produces, from its own
`events.py` imported by its AppConfig.ready()::

    from integrations.event_types import event_type_register

    PLAN_OVERDUE = event_type_register(name="plan.overdue", label=_("Account plan overdue"))

The subscription form and serializer, the delivery log filter and the emitter all read this
registry, so a new app adds its events without touching `integrations/`. The database stores
event names as plain text (no model `choices=`), so migrations never depend on the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "EventType",
    "event_choices",
    "event_names",
    "event_type_register",
    "event_types",
    "is_registered",
]


@dataclass(frozen=True)
class EventType:
    name: str  # "<entity>.<what happened>", e.g. "tier.changed"; at most 50 characters
    label: Any  # what a person reads on the subscription form (a lazy translation)
    app: str  # the app that declared it (its module's top package)


_REGISTRY: dict[str, EventType] = {}


def event_type_register(*, name: str, label: Any, app: str) -> str:
    """Declare an event type; returns `name` so the caller can keep it as its constant.

    Declaring the same name again from the same app is a no-op (a module re-imported);
    from another app, or with a name that is not "<entity>.<action>" of at most 50
    characters (the delivery log's column), it raises ValueError.
    """
    entity, dot, action = name.partition(".")
    if not (entity and dot and action) or len(name) > 50 or name != name.strip():
        raise ValueError(f"an event type is named '<entity>.<action>' in at most 50 characters, not {name!r}")
    known = _REGISTRY.get(name)
    if known is not None and known.app != app:
        raise ValueError(f"event type {name!r} is already declared by the app {known.app!r}")
    _REGISTRY[name] = EventType(name=name, label=label, app=app)
    return name


def event_types() -> tuple[EventType, ...]:
    """Every declared event type, by name (a stable order whatever the apps' order)."""
    return tuple(sorted(_REGISTRY.values(), key=lambda e: e.name))


def event_names() -> tuple[str, ...]:
    return tuple(e.name for e in event_types())


def event_choices() -> list[tuple[str, Any]]:
    """(name, label) pairs for a choice field; pass the function itself to read it late."""
    return [(e.name, e.label) for e in event_types()]


def is_registered(name: object) -> bool:
    return isinstance(name, str) and name in _REGISTRY
