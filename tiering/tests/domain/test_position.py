import numpy as np
import pandas as pd
import pytest

from tiering.domain.config import PositionConfig
from tiering.domain.position import POSITION_LABELS, position_for, positions, potential, relationship_strength

IDS = list("abcdef")


def money(values: list) -> pd.Series:
    return pd.Series(values, index=IDS, dtype="float64")


def potentials(config: PositionConfig | None = None) -> pd.DataFrame:
    return potential(
        revenue=money([500, 400, 300, 200, 100, 0]),
        margin=money([50, 50, 10, 40, 5, 0]),
        wallet_estimate=money([10_000, np.nan, 900, 599, np.nan, 1]),
        config=config,
    )


def test_ranks_are_among_accounts_with_positive_values():
    result = potentials()

    assert result["revenue_rank"].tolist() == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    # a = b = 50 share the higher rank (5 of 5)
    assert result["margin_rank"].tolist() == [1.0, 1.0, 0.25, 0.5, 0.0, 0.0]


def test_the_band_comes_from_the_mean_rank_and_a_big_wallet_raises_it():
    result = potentials()

    # mean ranks: a 1.0, b 0.875, c 0.375, d 0.375, e 0, f 0
    assert result["rank_band"].tolist() == ["high", "high", "low", "low", "low", "low"]
    # c: wallet 900 = 3 x 300 raises; d: 599 < 3 x 200 does not; f: any wallet beats no revenue;
    # a, b: already high
    assert result["wallet_raised"].tolist() == [False, False, True, False, False, True]
    assert result["potential_band"].tolist() == ["high", "high", "medium", "low", "low", "medium"]


def test_band_cut_offs_are_inclusive():
    result = potentials(PositionConfig(band_cutoffs=(0.375, 0.75), wallet_multiple=100))

    assert result["potential_band"].tolist() == ["high", "high", "medium", "medium", "low", "medium"]


# id: (relationship type, R, F, orders now, orders in previous window, decision maker contacted) -> weaknesses
RELATIONSHIPS = {
    "partner_rare_buyer": (("partner", 4, 2, 10, 10, True), []),
    "vendor_at_boundaries": (("vendor", 3, 3, 9, 12, True), []),
    "no_type_frequent": ((None, 5, 4, 8, 8, True), []),
    "vendor_rare_buyer": (("vendor", 5, 2, 3, 3, True), ["not_established"]),
    "slipping": (("partner", 2, 4, 6, 6, True), ["slipping"]),
    "regressing": (("partner", 5, 5, 5, 12, True), ["regressing"]),
    "new": (("preferred_supplier", 5, 3, 3, 0, True), ["new"]),
    "no_contact": (("strategic_alliance", 5, 5, 9, 9, False), ["no_decision_maker_contact"]),
    "contact_unknown": (("partner", 5, 5, 9, 9, None), ["no_decision_maker_contact"]),
    "never_bought": (
        ("vendor", 1, 1, 0, 0, False),
        ["not_established", "slipping", "new", "no_decision_maker_contact"],
    ),
}
WEAKNESSES = ["not_established", "slipping", "regressing", "new", "no_decision_maker_contact"]


def relationships(config: PositionConfig | None = None) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(
        {k: v[0] for k, v in RELATIONSHIPS.items()},
        orient="index",
        columns=["relationship_type", "r_score", "f_score", "frequency", "frequency_prev", "decision_maker_contacted"],
    )
    return relationship_strength(frame, config)


@pytest.mark.parametrize("account_id", list(RELATIONSHIPS))
def test_relationship_is_weak_when_any_rule_says_so(account_id):
    row = relationships().loc[account_id]
    expected = RELATIONSHIPS[account_id][1]

    assert [w for w in WEAKNESSES if row[w]] == expected
    assert row["relationship"] == ("weak" if expected else "strong")


def test_relationship_rules_are_configurable():
    config = PositionConfig(established_min_f=2, min_r=2, decline_ratio=0.8)

    result = relationships(config)

    assert result.loc["vendor_rare_buyer", "relationship"] == "strong"
    assert result.loc["slipping", "relationship"] == "strong"
    assert result.loc["vendor_at_boundaries", "regressing"]


@pytest.mark.parametrize(
    ("band", "relationship", "position"),
    [
        ("high", "strong", 1),
        ("high", "weak", 2),
        ("medium", "strong", 3),
        ("medium", "weak", 4),
        ("low", "strong", 5),
        ("low", "weak", 6),
    ],
)
def test_position_for(band, relationship, position):
    assert position_for(band, relationship) == position
    assert positions(np.array([band], dtype=object), np.array([relationship], dtype=object)).tolist() == [position]


def test_position_for_refuses_unknown_values():
    with pytest.raises(ValueError, match="unknown band"):
        position_for("huge", "strong")


def test_positions_have_the_seed_labels():
    assert [POSITION_LABELS[p]["zh-hans"] for p in range(1, 7)] == [
        "地位很稳固",
        "关系正在发展",
        "地位不错",
        "刚刚进入",
        "交往有限",
        "退出位置",
    ]
