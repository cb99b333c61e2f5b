import numpy as np
import pytest

from tiering.domain.ranking import percentile_rank, positive_percentile_rank, score_1_to_5


def test_percentile_rank_gives_ties_the_lowest_share():
    ranks = percentile_rank(np.array([10.0, 20.0, 20.0, 40.0, 50.0]))

    assert ranks.tolist() == [0.0, 0.25, 0.25, 0.75, 1.0]


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

    # min ranks 1,1,1,4,5,5 over n - 1 = 5: 1 + 5 * (rank - 1) // 5
    assert scores.tolist() == [1, 1, 1, 4, 5, 5]


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], []), ([3.0], [5]), ([3.0, 3.0], [1, 1]), ([1.0, 2.0], [1, 5]), ([1.0, 2.0, 3.0], [1, 3, 5])],
)
def test_score_1_to_5_of_tiny_inputs(values, expected):
    assert score_1_to_5(np.array(values)).tolist() == expected
