"""The pure checks of a re-parenting (accounts.trees), without the database."""

from hypothesis import given
from hypothesis import strategies as st

from accounts.trees import (
    CYCLE,
    TOO_DEEP,
    Violation,
    batch_violations,
    children_of,
    height_below,
    levels_up,
    tree_violations,
)


def test_levels_and_height_of_a_chain():
    chain = {2: 1, 3: 2, 4: 3}
    assert [levels_up(chain, n) for n in (1, 2, 3, 4)] == [1, 2, 3, 4]
    assert [height_below(children_of(chain), n) for n in (1, 2, 3, 4)] == [3, 2, 1, 0]


def test_a_parent_below_the_node_is_a_cycle_at_any_depth():
    # given: a 106-level chain 1 <- 2 <- ... <- 106, and 1 put under 106
    graph = {i: i - 1 for i in range(2, 107)} | {1: 106}

    assert tree_violations(graph, [1], max_depth=1000) == {1: Violation(CYCLE)}


def test_a_subtree_moved_under_a_deep_parent_counts_its_own_height():
    # given: 1 <- 2 <- 3 and 10 <- 11 <- 12; 10 moves under 3: 3 + 3 = 6 levels
    graph = {2: 1, 3: 2, 11: 10, 12: 11, 10: 3}

    assert tree_violations(graph, [10], max_depth=5) == {10: Violation(TOO_DEEP, 6)}
    assert tree_violations(graph, [10], max_depth=6) == {}


def test_an_ancestry_that_already_loops_above_is_refused():
    graph = {1: 2, 2: 1, 5: 1}
    assert tree_violations(graph, [5], max_depth=20) == {5: Violation(CYCLE)}


def test_becoming_a_root_breaks_nothing():
    assert tree_violations({1: None, 2: 1}, [1], max_depth=1) == {}


@given(
    st.lists(st.tuples(st.integers(0, 9), st.none() | st.integers(0, 9)), max_size=40),
    st.integers(min_value=1, max_value=5),
)
def test_applying_only_accepted_changes_keeps_a_forest_of_bounded_depth(changes, max_depth):
    # given: ten roots; when: each change is applied only if the check accepts it
    graph: dict[int, int | None] = {}
    for child, parent in changes:
        proposed = {**graph, child: parent}
        if not tree_violations(proposed, [child], max_depth=max_depth):
            graph = proposed
    # then: every node reaches a root within max_depth levels
    for node in range(10):
        levels = levels_up(graph, node)
        assert levels is not None
        assert levels <= max_depth


@given(
    st.dictionaries(st.integers(0, 11), st.integers(0, 11), max_size=6),
    st.dictionaries(st.integers(0, 11), st.none() | st.integers(0, 11), max_size=12),
    st.integers(min_value=1, max_value=4),
)
def test_a_batch_applied_without_its_refused_changes_is_a_bounded_forest(stored_raw, changes, max_depth):
    # given: a valid stored forest (the accepted part of random assignments)
    stored: dict[int, int | None] = {}
    for child, parent in stored_raw.items():
        if not tree_violations({**stored, child: parent}, [child], max_depth=max_depth):
            stored[child] = parent

    # when: a whole batch is checked at once and only its accepted changes are applied
    refused = batch_violations(stored, changes, max_depth=max_depth)
    graph = {**stored, **{node: parent for node, parent in changes.items() if node not in refused}}

    # then: every node reaches a root within max_depth levels
    for node in range(12):
        levels = levels_up(graph, node)
        assert levels is not None
        assert levels <= max_depth


def test_a_batch_building_a_chain_past_the_limit_loses_only_the_levels_beyond_it():
    changes = {i: i - 1 for i in range(1, 8)}  # 0 <- 1 <- ... <- 7: eight levels

    refused = batch_violations({}, changes, max_depth=5)

    assert refused == {5: Violation(TOO_DEEP, 6), 6: Violation(TOO_DEEP, 7), 7: Violation(TOO_DEEP, 8)}
