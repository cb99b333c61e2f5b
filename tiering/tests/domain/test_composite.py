import numpy as np
import pandas as pd
import pytest

from tiering.domain.composite import composite_scores, credit_score, prospects_score
from tiering.domain.config import CompositeConfig, CompositeWeights

IDS = list("abcdef")


def series(values: list) -> pd.Series:
    return pd.Series(values, index=IDS, dtype="float64")


def scores(weights: CompositeWeights | None = None) -> pd.DataFrame:
    return composite_scores(
        amount=series([0, 100, 200, 200, 300, 400]),
        margin=series([-5, 40, 10, 60, 60, 20]),
        max_overdue_days=series([np.nan, 0, 45, 90, 120, 9]),
        prospects_rating=series([np.nan, 1, 3, 5, 2, 4]),
        config=CompositeConfig(weights=weights) if weights else None,
    )


def test_each_component_is_on_a_0_to_100_scale():
    result = scores()

    # amount: buyers b..f ranked among themselves, c and d tied (sharing the higher rank, 3 of 5);
    # a has no revenue
    assert result["amount_score"].tolist() == [0, 0, 50, 50, 75, 100]
    # margin: a is negative, so 0; c 10, f 20, b 40, d = e 60 (both rank 5 of 5)
    assert result["margin_score"].tolist() == [0, 50, 0, 100, 100, 25]
    assert result["credit_score"].tolist() == [100, 100, 50, 0, 0, 90]
    assert result["prospects_score"].tolist() == [50, 0, 50, 100, 25, 75]


def test_the_composite_weights_the_components():
    result = scores()

    # 0.4 amount + 0.3 margin + 0.15 credit + 0.15 prospects
    assert result["composite"].tolist() == pytest.approx([22.5, 30.0, 35.0, 65.0, 63.75, 72.25])
    assert result.index.tolist() == IDS


def test_weights_are_normalised_by_their_sum():
    result = scores(CompositeWeights(amount=2, margin=0, credit=0, prospects=2))

    assert result["composite"].tolist() == pytest.approx([25.0, 0.0, 50.0, 75.0, 50.0, 87.5])


def test_a_single_weight_gives_that_component():
    result = scores(CompositeWeights(amount=0, margin=0, credit=1, prospects=0))

    assert result["composite"].tolist() == [100, 100, 50, 0, 0, 90]


@pytest.mark.parametrize(
    ("days", "expected"), [(0, 100.0), (-3, 100.0), (30, 66.666), (89.1, 1.0), (90, 0.0), (365, 0.0)]
)
def test_credit_falls_linearly_to_zero_at_90_days(days, expected):
    assert credit_score(np.array([days], dtype="float64"))[0] == pytest.approx(expected, abs=1e-3)


def test_credit_zero_point_is_configurable():
    assert credit_score(np.array([30.0]), zero_at_days=60).tolist() == [50.0]


def test_prospects_out_of_range_are_refused():
    with pytest.raises(ValueError, match="prospects_rating"):
        prospects_score(np.array([0.0, 6.0]))
