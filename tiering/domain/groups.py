"""Group trees for the tiering run: each account's root, trees broken by old data, roll-ups.

`group_trees` finds every account's root by pointer jumping (each pass doubles how far a
pointer has climbed), so any depth takes log2(n) vectorised passes and no recursion. An
account whose ancestry loops (a cycle written before the write-time check held, see
`accounts.groups`) has no root: it is reported in a broken group and scored alone, so one
bad tree never fails the run. `group_rollups` then sums each real group's figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import FACTORS


@dataclass(frozen=True)
class GroupTrees:
    """`roots`: account id -> its root's id (itself when alone or in a broken group);
    `broken`: the account ids of each broken group (a cycle and whatever hangs below it),
    each sorted, ordered by their smallest id."""

    roots: pd.Series
    broken: list[list[int]]


def group_trees(parent: pd.Series) -> GroupTrees:
    """Roots of the forest `parent` (account id -> parent id or NA), any depth; a parent not
    in the index counts as no parent."""
    ids = parent.index.to_numpy(dtype="int64")
    n = len(ids)
    position = pd.Index(ids).get_indexer(pd.array(parent.to_numpy(), dtype="Int64").fillna(-1).to_numpy("int64"))
    has_parent = position >= 0
    up = np.where(has_parent, position, np.arange(n))
    # After k passes each pointer has climbed min(2**k, its depth) levels; roots point to themselves.
    for _ in range(max(1, int(np.ceil(np.log2(n + 1)))) + 1):
        jumped = up[up]
        if np.array_equal(jumped, up):
            break
        up = jumped
    in_loop = has_parent[up]  # climbing ended on an account that still has a parent: a cycle
    roots = pd.Series(np.where(in_loop, ids, ids[up]), index=parent.index)
    return GroupTrees(roots, _broken_groups(ids, position, up, in_loop))


def _broken_groups(ids: np.ndarray, position: np.ndarray, up: np.ndarray, in_loop: np.ndarray) -> list[list[int]]:
    """Broken accounts grouped by the cycle their ancestry ends in (cycles are few and small)."""
    cycle_of: dict[int, int] = {}  # position in a cycle -> smallest position of that cycle
    groups: dict[int, list[int]] = {}
    for start in np.flatnonzero(in_loop):
        landing = int(up[start])
        if landing not in cycle_of:
            members, node = [landing], int(position[landing])
            while node != landing:
                members.append(node)
                node = int(position[node])
            key = min(members, key=lambda p: ids[p])
            cycle_of.update(dict.fromkeys(members, key))
        groups.setdefault(cycle_of[landing], []).append(int(ids[start]))
    return sorted((sorted(members) for members in groups.values()), key=lambda members: members[0])


def group_rollups(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per group (a root with members), its figures summed over the whole tree,
    indexed by the root account; the root's own assessment and relationship apply.

    `frame`: the pipeline's input frame with `group_root` and `is_group` (see
    tiering.inputs.scoring_inputs); accounts of broken groups are their own root and not a group."""
    grouped = frame[frame["is_group"]].groupby("group_root")
    roll = grouped.agg(
        last_order_date=("last_order_date", "max"),
        frequency=("frequency", "sum"),
        monetary=("monetary", "sum"),
        margin=("margin", "sum"),
        frequency_prev=("frequency_prev", "sum"),
        max_single_order=("max_single_order", "max"),
        cumulative_volume=("cumulative_volume", "sum"),
        margin_unknown=("margin_unknown", "sum"),
        max_overdue_days=("max_overdue_days", "max"),
        decision_maker_contacted=("decision_maker_contacted", "any"),
    )
    own = frame.loc[roll.index]
    for column in (
        *FACTORS,
        "prospects_rating",
        "wallet_estimate",
        "strategic",
        "referred_customer",
        "relationship_type",
        "current_tier",
        "current_category",
    ):
        roll[column] = own[column]
    roll["is_group"] = True
    roll.index.name = "account_id"
    return roll
