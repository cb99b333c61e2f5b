import dataclasses
import json

import pytest

from tiering.domain.config import TieringConfig


def test_defaults_match_the_spec():
    config = TieringConfig()

    assert config.window_days == 365
    assert config.rfm.mode == "quintile"
    assert config.pareto.cutoffs == (0.80, 0.95)
    weights = config.composite.weights
    assert weights.amount + weights.margin + weights.credit + weights.prospects == pytest.approx(1.0)
    assert config.position.band_cutoffs == (0.5, 0.8)


def test_it_round_trips_through_json():
    config = TieringConfig.from_dict({"rfm": {"mode": "thresholds", "monetary_cuts": [1, 2, 3, 4]}})

    stored = json.dumps(config.to_dict())

    assert TieringConfig.from_dict(json.loads(stored)) == config


def test_to_dict_is_plain_json():
    data = TieringConfig().to_dict()

    assert data["rfm"]["recency_days_cuts"] == [30, 90, 180, 365]
    assert data["composite"]["weights"] == {"amount": 0.4, "margin": 0.3, "credit": 0.15, "prospects": 0.15}
    assert data["attractiveness"]["provisional_a_relationships"] == ["partner", "strategic_alliance"]


def test_missing_keys_keep_their_defaults():
    config = TieringConfig.from_dict({"pareto": {"cutoffs": [0.7, 0.9]}})

    assert config.pareto.cutoffs == (0.7, 0.9)
    assert config.rfm == TieringConfig().rfm


def test_it_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TieringConfig().window_days = 30  # type: ignore[misc]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"window_days": 0}, "window_days"),
        ({"window_days": 365.5}, "window_days"),
        ({"rfm": {"mode": "deciles"}}, "rfm.mode"),
        ({"rfm": {"recency_days_cuts": [30, 20, 180, 365]}}, "rfm.recency_days_cuts"),
        ({"rfm": {"frequency_cuts": [1, 1, 2, 3]}}, "rfm.frequency_cuts"),
        ({"rfm": {"frequency_cuts": [1, 2, 3]}}, "rfm.frequency_cuts"),
        ({"rfm": {"monetary_cuts": [1, 2, 3, "x"]}}, "rfm.monetary_cuts"),
        ({"rfm": {"monetary_cuts": 5}}, "rfm.monetary_cuts"),
        ({"pareto": {"cutoffs": [0.95, 0.8]}}, "pareto.cutoffs"),
        ({"pareto": {"cutoffs": [0.8, 1.2]}}, "pareto.cutoffs"),
        ({"composite": {"weights": {"amount": -0.1}}}, "composite.weights.amount"),
        ({"composite": {"weights": {"amount": True}}}, "composite.weights.amount"),
        ({"composite": {"credit_zero_at_days": 0}}, "composite.credit_zero_at_days"),
        ({"badges": {"potential_within": 1.5}}, "badges.potential_within"),
        ({"badges": {"quality_volume": -1}}, "badges.quality_volume"),
        ({"attractiveness": {"weights": {"leaning": -1}}}, "attractiveness.weights.leaning"),
        ({"attractiveness": {"cutoffs": [2.5, 1.75]}}, "attractiveness.cutoffs"),
        ({"attractiveness": {"provisional_letter": "D"}}, "attractiveness.provisional_letter"),
        ({"position": {"band_cutoffs": [0.8, 0.5]}}, "position.band_cutoffs"),
        ({"position": {"established_relationships": ["friend"]}}, "position.established_relationships"),
        ({"position": {"min_r": 6}}, "position.min_r"),
        ({"rfm": {"colour": "red"}}, "rfm.colour"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_it_refuses_a_bad_value_naming_the_field(data, field):
    with pytest.raises(ValueError, match=rf"^{field}:"):
        TieringConfig.from_dict(data)


def test_weights_must_not_all_be_zero():
    zero = {"amount": 0, "margin": 0, "credit": 0, "prospects": 0}

    with pytest.raises(ValueError, match=r"^composite\.weights\.amount, margin, credit, prospects: .*sum"):
        TieringConfig.from_dict({"composite": {"weights": zero}})


def test_a_section_must_be_an_object():
    with pytest.raises(ValueError, match=r"^rfm: expected an object"):
        TieringConfig.from_dict({"rfm": "quintile"})
