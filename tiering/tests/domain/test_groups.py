"""The group walk of the tiering run, without the database."""

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from tiering.domain.groups import group_trees


def parents(mapping: dict[int, int | None]) -> pd.Series:
    return pd.Series(list(mapping.values()), index=list(mapping), dtype="Int64")


def test_roots_of_a_small_forest():
    # given: 1 <- 2 <- 3, 4 alone, 5 <- 6
    trees = group_trees(parents({1: None, 2: 1, 3: 2, 4: None, 5: None, 6: 5}))

    assert trees.roots.to_dict() == {1: 1, 2: 1, 3: 1, 4: 4, 5: 5, 6: 5}
    assert trees.broken == []


def test_a_106_level_chain_has_one_root():
    chain = {1: None, **{i: i - 1 for i in range(2, 107)}}

    trees = group_trees(parents(chain))

    assert set(trees.roots.tolist()) == {1}
    assert trees.broken == []


def test_a_106_node_cycle_is_reported_and_scored_alone():
    # given: 1 -> 2 -> ... -> 106 -> 1, and a healthy pair 200 <- 201
    cycle = {i: i % 106 + 1 for i in range(1, 107)}

    trees = group_trees(parents({**cycle, 200: None, 201: 200}))

    assert trees.broken == [list(range(1, 107))]
    assert trees.roots.loc[1:106].tolist() == list(range(1, 107))  # each its own root
    assert trees.roots.loc[[200, 201]].tolist() == [200, 200]


def test_accounts_below_a_cycle_belong_to_its_broken_group_and_self_parents_are_cycles():
    # given: 1 <-> 2 with 3 under 2 and 4 under 3; 7 its own parent; 9 <- 10 healthy
    trees = group_trees(parents({1: 2, 2: 1, 3: 2, 4: 3, 7: 7, 9: None, 10: 9}))

    assert trees.broken == [[1, 2, 3, 4], [7]]
    assert trees.roots.to_dict() == {1: 1, 2: 2, 3: 3, 4: 4, 7: 7, 9: 9, 10: 9}


def test_a_parent_outside_the_frame_counts_as_none():
    assert group_trees(parents({1: 99, 2: 1})).roots.to_dict() == {1: 1, 2: 1}


def test_an_empty_frame():
    trees = group_trees(parents({}))
    assert (trees.roots.tolist(), trees.broken) == ([], [])


def naive_root(parent_of: dict[int, int | None], node: int) -> int | None:
    seen = {node}
    while parent_of.get(node) is not None:
        node = parent_of[node]
        if node in seen:
            return None
        seen.add(node)
    return node


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=30))
def test_roots_match_a_plain_walk_for_any_parent_assignment(raw):
    # given: account i's parent is raw[i] when that is another index (else none); cycles allowed
    parent_of = {i: (p if p < len(raw) else None) for i, p in enumerate(raw)}

    trees = group_trees(parents(parent_of))

    walked = {node: naive_root(parent_of, node) for node in parent_of}
    broken = sorted(node for node, root in walked.items() if root is None)
    expected = {node: node if root is None else root for node, root in walked.items()}
    assert trees.roots.to_dict() == expected
    assert sorted(np.concatenate([[], *trees.broken]).astype(int).tolist()) == broken
