import math

import pandas as pd
import pytest

from tiering.domain.attractiveness import (
    FACTOR_LABELS,
    FACTOR_RATING_LABELS,
    attractiveness,
    letter_for_score,
)
from tiering.domain.config import FACTORS, AttractivenessConfig, FactorWeights


def assessed(*rows: tuple) -> pd.DataFrame:
    """rows: (five ratings as a string like "AABBC" or a tuple, relationship_type)."""
    data = [(*ratings, relationship) for ratings, relationship in rows]
    return pd.DataFrame(data, columns=[*FACTORS, "relationship_type"])


@pytest.mark.parametrize(
    ("ratings", "score", "letter"),
    [
        ("AAAAA", 3.0, "A"),
        ("AAAAC", 2.6, "A"),
        ("AAABB", 2.6, "A"),
        ("AABBB", 2.4, "B"),
        ("AABBC", 2.2, "B"),
        ("BBBBB", 2.0, "B"),
        ("BBBBC", 1.8, "B"),
        ("BBBCC", 1.6, "C"),
        ("CCCCC", 1.0, "C"),
    ],
)
def test_a_full_assessment_scores_the_weighted_mean(ratings, score, letter):
    result = attractiveness(assessed((ratings, "vendor"))).iloc[0]

    assert result["attractiveness_score"] == pytest.approx(score)
    assert result["attractiveness"] == letter
    assert not result["attractiveness_provisional"]
    assert result["factors_rated"] == 5


def test_cut_offs_are_inclusive():
    # only two factors carry weight, so A + B scores exactly 2.5 and B + C exactly 1.5
    config = AttractivenessConfig(
        weights=FactorWeights(1, 1, 0, 0, 0),
        cutoffs=(1.5, 2.5),
    )

    result = attractiveness(assessed(("AB" + "CCC", "vendor"), ("BC" + "AAA", "vendor")), config)

    assert result["attractiveness_score"].tolist() == [2.5, 1.5]
    assert result["attractiveness"].tolist() == ["A", "B"]


def test_an_unweighted_factor_left_blank_does_not_make_it_provisional():
    config = AttractivenessConfig(weights=FactorWeights(1, 1, 1, 1, 0))

    result = attractiveness(assessed((("A", "A", "B", "B", None), "vendor")), config)

    assert result["attractiveness"].tolist() == ["A"]
    assert result["attractiveness_provisional"].tolist() == [False]


def test_a_partial_assessment_scores_the_rated_factors_and_is_provisional():
    result = attractiveness(assessed((("A", "A", None, "", "B"), "vendor"))).iloc[0]

    assert result["attractiveness_score"] == pytest.approx(8 / 3)
    assert result["attractiveness"] == "A"
    assert result["attractiveness_provisional"]
    assert result["factors_rated"] == 3


@pytest.mark.parametrize(
    ("relationship", "letter"),
    [("vendor", "B"), ("preferred_supplier", "B"), ("partner", "A"), ("strategic_alliance", "A"), (None, "B")],
)
def test_without_an_assessment_the_letter_is_provisional_from_data(relationship, letter):
    result = attractiveness(assessed(((None,) * 5, relationship))).iloc[0]

    assert math.isnan(result["attractiveness_score"])
    assert result["attractiveness"] == letter
    assert result["attractiveness_provisional"]
    assert result["factors_rated"] == 0


def test_the_provisional_letter_is_configurable():
    config = AttractivenessConfig(provisional_letter="C", provisional_a_relationships=())

    result = attractiveness(assessed(((None,) * 5, "partner")), config)

    assert result["attractiveness"].tolist() == ["C"]


@pytest.mark.parametrize("bad", ["a", "D", "AB"])
def test_it_refuses_an_unknown_rating_naming_the_factor(bad):
    with pytest.raises(ValueError, match="^leaning: unexpected values"):
        attractiveness(assessed((("A", "A", bad, "A", "A"), "vendor")))


def test_it_refuses_an_unknown_relationship_type():
    with pytest.raises(ValueError, match="^relationship_type: unexpected values"):
        attractiveness(assessed(("AAAAA", "friend")))


@pytest.mark.parametrize(("score", "letter"), [(3.0, "A"), (2.5, "A"), (2.49, "B"), (1.75, "B"), (1.74, "C")])
def test_letter_for_score(score, letter):
    assert letter_for_score(score) == letter


def test_every_factor_and_rating_has_english_and_chinese_labels():
    assert set(FACTOR_LABELS) == set(FACTORS) == set(FACTOR_RATING_LABELS)
    for ratings in FACTOR_RATING_LABELS.values():
        assert set(ratings) == {"A", "B", "C"}
        assert all(set(label) == {"en", "zh-hans"} for label in ratings.values())
    assert FACTOR_RATING_LABELS["value_vs_price"]["C"] == {"en": "price only", "zh-hans": "只讲价格"}
