"""Group trees as plain mappings: the checks a re-parenting must pass (pure, no Django).

A group is a tree of accounts: every account has at most one parent, no account is its own
ancestor, and a tree is at most `max_depth` levels deep (a root alone is 1 level). Walks are
loops over a `seen` set, never recursion, so a corrupt tree of any size cannot overflow the
stack or loop forever.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

CYCLE, TOO_DEEP = "cycle", "depth"


@dataclass(frozen=True)
class Violation:
    """Why a node's parent is refused: `kind` CYCLE or TOO_DEEP; `depth` the levels the tree
    would have (TOO_DEEP only)."""

    kind: str
    depth: int = 0


def levels_up(parent_of: Mapping[Hashable, Hashable | None], node: Hashable) -> int | None:
    """Levels from the root down to `node` (a root is 1); None when its ancestry loops."""
    levels, seen = 1, {node}
    current = parent_of.get(node)
    while current is not None:
        if current in seen:
            return None
        seen.add(current)
        levels += 1
        current = parent_of.get(current)
    return levels


def children_of(parent_of: Mapping[Hashable, Hashable | None]) -> dict[Hashable, list[Hashable]]:
    children: dict[Hashable, list[Hashable]] = {}
    for child, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    return children


def height_below(
    children: Mapping[Hashable, list[Hashable]], node: Hashable, skip: frozenset[Hashable] = frozenset()
) -> int:
    """Levels below `node` down to its deepest descendant (0 for a leaf), breadth first,
    not descending into the nodes of `skip`."""
    height, level, seen = 0, [node], {node} | skip
    while True:
        level = [child for parent in level for child in children.get(parent, ()) if child not in seen]
        if not level:
            return height
        seen.update(level)
        height += 1


def tree_violations(
    parent_of: Mapping[Hashable, Hashable | None], changed: Iterable[Hashable], *, max_depth: int
) -> dict[Hashable, Violation]:
    """The nodes of `changed` whose parent (as `parent_of` holds it, the change applied)
    breaks the forest: an ancestry that loops (through the node or above it), or a tree
    deeper than `max_depth` levels once the node's subtree hangs under its new parent.
    A subtree's height counts only its unchanged descendants: a changed descendant is judged
    on its own, so of a batch that builds a too deep chain only the levels past the limit are
    refused. Together the accepted changes leave every level within the limit.

    `parent_of`: node -> parent (None or absent = a root); nodes are any hashable ids."""
    children = children_of(parent_of)
    changed = list(changed)
    skip = frozenset(changed)
    found: dict[Hashable, Violation] = {}
    for node in changed:
        if parent_of.get(node) is None:
            continue  # becoming a root breaks nothing
        above = levels_up(parent_of, node)
        if above is None:
            found[node] = Violation(CYCLE)
            continue
        depth = above + height_below(children, node, skip - {node})
        if depth > max_depth:
            found[node] = Violation(TOO_DEEP, depth)
    return found


def batch_violations(
    stored: Mapping[Hashable, Hashable | None], changes: Mapping[Hashable, Hashable | None], *, max_depth: int
) -> dict[Hashable, Violation]:
    """`tree_violations` of a batch of `changes` ({node: new parent or None}) over the
    `stored` forest. A refused change leaves its node where it was, which the others were
    judged against: check again without it until nothing more is refused."""
    pending, found = dict(changes), {}
    while True:
        graph = {**stored, **pending}
        new = tree_violations(
            graph, [node for node, parent in pending.items() if parent is not None], max_depth=max_depth
        )
        if not new:
            return found
        found.update(new)
        pending = {node: parent for node, parent in pending.items() if node not in new}
