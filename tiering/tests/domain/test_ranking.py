import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiering.domain.ranking import percentile_rank, positive_percentile_rank, score_1_to_5


def test_percentile_rank_gives_ties_the_highest_share_they_occupy():
    ranks = percentile_rank(np.array([10.0, 20.0, 20.0, 40.0, 50.0]))

    # max ranks 1, 3, 3, 4, 5 over n - 1 = 4
    assert ranks.tolist() == [0.0, 0.5, 0.5, 0.75, 1.0]


def test_percentile_rank_puts_nan_lowest():
    assert percentile_rank(np.array([np.nan, 5.0, 1.0])).tolist() == [0.0, 1.0, 0.5]


@pytest.mark.parametrize(("values", "expected"), [([], []), ([7.0], [1.0])])
def test_percentile_rank_of_tiny_inputs(values, expected):
    assert percentile_rank(np.array(values)).tolist() == expected


def test_positive_percentile_rank_ignores_zero_and_negative_values():
    ranks = positive_percentile_rank(np.array([0.0, -3.0, 10.0, 30.0, 20.0, np.nan]))

    assert ranks.tolist() == [0.0, 0.0, 0.0, 1.0, 0.5, 0.0]


def test_score_1_to_5_spreads_ten_distinct_values_in_pairs():
    scores = score_1_to_5(np.arange(10, dtype="float64"))

    assert scores.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_score_1_to_5_gives_equal_values_equal_scores():
    scores = score_1_to_5(np.array([1.0, 1.0, 1.0, 2.0, 9.0, 9.0]))

    # max ranks 3,3,3,4,6,6 over n - 1 = 5: 1 + 5 * (rank - 1) // 5, capped at 5
    assert scores.tolist() == [3, 3, 3, 4, 5, 5]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        ([3.0], [5]),
        ([3.0, 3.0], [5, 5]),
        ([3.0, 3.0, 3.0], [5, 5, 5]),
        ([1.0, 2.0], [1, 5]),
        ([1.0, 2.0, 3.0], [1, 3, 5]),
    ],
)
def test_score_1_to_5_of_tiny_inputs(values, expected):
    assert score_1_to_5(np.array(values)).tolist() == expected


# Any finite amounts, duplicates likely (small integers), NaN allowed where ranks take it.
values_lists = st.lists(st.integers(min_value=-5, max_value=5).map(float), min_size=1, max_size=30)


@given(values=values_lists, which=st.integers(min_value=0))
def test_adding_an_identical_peer_never_lowers_any_score(values, which):
    # given: a field of accounts and a copy of one of them
    before = score_1_to_5(np.array(values))
    copied = values[which % len(values)]

    # when: the copy joins the field
    after = score_1_to_5(np.array([*values, copied]))

    # then: the original, its equals and everyone above score no lower (those below have one
    # more account above them, so they may), and the copy scores like its original
    at_or_above = np.array(values) >= copied
    assert (after[: len(values)][at_or_above] >= before[at_or_above]).all()
    assert after[-1] == after[which % len(values)]


@given(values=values_lists, which=st.integers(min_value=0))
def test_adding_an_identical_peer_never_lowers_any_percentile(values, which):
    copied = values[which % len(values)]
    before = percentile_rank(np.array(values))

    after = percentile_rank(np.array([*values, copied]))

    at_or_above = np.array(values) >= copied
    assert (after[: len(values)][at_or_above] >= before[at_or_above] - 1e-12).all()


@given(values=values_lists)
def test_scores_and_percentiles_are_monotone_in_value(values):
    array = np.array(values)
    order = np.argsort(array, kind="stable")

    scores, shares = score_1_to_5(array)[order], percentile_rank(array)[order]

    assert (np.diff(scores) >= 0).all()
    assert (np.diff(shares) >= 0).all()
    # equal values, equal results
    for value in set(values):
        assert len(set(score_1_to_5(array)[array == value].tolist())) == 1


@given(value=st.floats(min_value=-1e9, max_value=1e9), copies=st.integers(min_value=1, max_value=20))
def test_identical_accounts_score_like_one_alone(value, copies):
    assert score_1_to_5(np.full(copies, value)).tolist() == [5] * copies
    assert percentile_rank(np.full(copies, value)).tolist() == [1.0] * copies
