import pandas as pd
import pytest

from tiering.domain.badges import BADGE_LABELS, BADGES, badge_flags, key_account_badges
from tiering.domain.config import BadgeConfig

COLUMNS = ["cumulative_volume", "max_single_order", "max_overdue_days", "is_group", "strategic", "referred_customer"]

# id: (cumulative volume, max single order, max overdue days, is_group, strategic, referred) -> badges
CASES = {
    "quality_at_threshold": ((1_000_000, 100, 30, False, False, False), ["quality"]),
    "volume_but_late_payer": ((1_200_000, 100, 31, False, False, False), ["potential"]),
    "referrer": ((0, 0, 200, False, False, True), ["quality"]),
    "high_value_no_overdue_record": ((100, 200_000, None, False, False, False), ["high_value"]),
    "everything": ((1_600_000, 280_000, 0, True, True, False), ["quality", "high_value", "group", "strategic"]),
    "near_volume": ((800_000, 0, 0, False, False, False), ["potential"]),
    "near_single_order": ((0, 180_000, 0, False, False, False), ["potential"]),
    "just_below_near": ((799_999.99, 159_999.99, 0, False, False, False), []),
    "seed_units": ((5000, 5000, 0, False, False, False), []),
    "group_flag_only": ((0, 0, 0, True, None, None), ["group"]),
    "nothing": ((None, None, None, None, None, None), []),
}


def accounts() -> pd.DataFrame:
    return pd.DataFrame.from_dict({k: v[0] for k, v in CASES.items()}, orient="index", columns=COLUMNS)


@pytest.mark.parametrize("account_id", list(CASES))
def test_badges_per_seed_004_criteria(account_id):
    assert key_account_badges(accounts())[account_id] == CASES[account_id][1]


def test_good_payment_is_at_most_30_days_overdue_and_missing_counts_as_good():
    flags = badge_flags(accounts())

    assert flags.loc[["quality_at_threshold", "volume_but_late_payer", "nothing"], "good_payment"].tolist() == [
        True,
        False,
        True,
    ]


def test_the_default_thresholds_are_money():
    # given the defaults a frame gets without a config
    config = BadgeConfig()

    # then they are the product's money thresholds, not the seed's 5,000 m3
    assert (config.quality_volume, config.high_value_order) == (1_000_000, 200_000)
    assert key_account_badges(accounts())["seed_units"] == []


def test_thresholds_are_configurable():
    config = BadgeConfig(quality_volume=2_000_000, high_value_order=150_000, potential_within=0.0)

    result = key_account_badges(accounts(), config)

    assert result["quality_at_threshold"] == []
    assert result["near_single_order"] == ["high_value"]
    assert result["everything"] == ["high_value", "group", "strategic"]


def test_every_account_gets_its_own_list():
    result = key_account_badges(accounts())

    result["nothing"].append("mutated")

    assert result["just_below_near"] == []


def test_every_badge_has_english_and_chinese_labels():
    assert set(BADGE_LABELS) == set(BADGES)
    assert BADGE_LABELS["quality"]["zh-hans"] == "优质客户"
    assert BADGE_LABELS["potential"]["zh-hans"] == "潜在大客户"


def test_flags_must_be_booleans():
    frame = accounts()
    frame["strategic"] = frame["strategic"].astype(object)
    frame.loc["nothing", "strategic"] = "yes"

    with pytest.raises(ValueError, match="strategic: expected booleans"):
        badge_flags(frame)
