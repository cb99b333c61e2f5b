"""Position 1-6 (our position with the account) from potential and relationship.

Potential (潜力: sales volume and profit) picks the pair of positions:

* revenue rank and margin rank are percentile ranks among the accounts where the value
  is positive (`ranking.positive_percentile_rank`: 0.0 smallest, 1.0 largest, ties
  equal; zero or negative 0.0);
* their mean is high from `band_cutoffs[1]` (0.8), medium from `band_cutoffs[0]` (0.5),
  otherwise low;
* a wallet estimate (what the account spends on what we sell, with us or anyone) of at
  least `wallet_multiple` (3x) the window revenue raises the band one step, because most
  of its business is still to be won; a missing or zero estimate changes nothing.

The relationship picks the position within the pair: odd = established and strong, even =
new, weak or regressing (DOMAIN.md). It is *weak* when any of these holds:

* not established - relationship type is not one of `established_relationships`
  (preferred supplier, partner, strategic alliance) and the F score is below
  `established_min_f` (3);
* slipping - the R score is below `min_r` (3);
* regressing - orders fell below `decline_ratio` (75%) of the previous window's;
* new - no orders in the previous window (just entered, or no orders at all);
* no decision maker contact within `decision_maker_days` (the selector's flag): gaps at
  the decision-maker level are the warning sign.

Otherwise it is *strong*. Position: high 1/2, medium 3/4, low 5/6 (strong/weak).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import require_columns, to_bool, to_choice, to_float
from .config import RELATIONSHIP_TYPES, PositionConfig
from .ranking import positive_percentile_rank

POTENTIAL_BANDS = ("high", "medium", "low")
RELATIONSHIPS = ("strong", "weak")

POTENTIAL_LABELS = {
    "high": {"en": "High potential: large volume, high profit", "zh-hans": "很有潜力：量大，利润高"},
    "medium": {"en": "Medium potential: medium volume, medium profit", "zh-hans": "中等程度潜力：中等的量，中等的利润"},
    "low": {"en": "Low potential: small volume, low profit", "zh-hans": "不太有潜力：量很小，利润很低"},
}

POSITION_LABELS = {
    1: {"en": "Very solid", "zh-hans": "地位很稳固"},
    2: {"en": "Developing", "zh-hans": "关系正在发展"},
    3: {"en": "Good", "zh-hans": "地位不错"},
    4: {"en": "Just entered", "zh-hans": "刚刚进入"},
    5: {"en": "Limited contact", "zh-hans": "交往有限"},
    6: {"en": "Exiting", "zh-hans": "退出位置"},
}

RELATIONSHIP_TYPE_LABELS = {
    "vendor": {"en": "Vendor", "zh-hans": "卖主"},
    "preferred_supplier": {"en": "Preferred supplier", "zh-hans": "被优先考虑的供应商"},
    "partner": {"en": "Partner", "zh-hans": "合作伙伴"},
    "strategic_alliance": {"en": "Strategic alliance", "zh-hans": "战略联盟"},
}

RELATIONSHIP_INPUT_COLUMNS = (
    "relationship_type",
    "r_score",
    "f_score",
    "frequency",
    "frequency_prev",
    "decision_maker_contacted",
)

_BANDS_LOW_TO_HIGH = np.array(["low", "medium", "high"], dtype=object)
_FIRST_POSITION = {"high": 1, "medium": 3, "low": 5}


def potential(
    revenue: pd.Series,
    margin: pd.Series,
    wallet_estimate: pd.Series,
    config: PositionConfig | None = None,
) -> pd.DataFrame:
    """Per account: revenue_rank, margin_rank, rank_band (from ranks alone),
    wallet_raised (bool) and potential_band (high/medium/low)."""
    cfg = config or PositionConfig()
    medium_from, high_from = cfg.band_cutoffs
    revenue_values = to_float(revenue, "revenue", default=0.0)
    revenue_rank = positive_percentile_rank(revenue_values)
    margin_rank = positive_percentile_rank(to_float(margin, "margin", default=0.0))
    mean_rank = (revenue_rank + margin_rank) / 2.0
    level = (mean_rank >= medium_from).astype("int64") + (mean_rank >= high_from).astype("int64")
    wallet = to_float(wallet_estimate, "wallet_estimate", default=0.0)
    big_wallet = (wallet > 0) & (wallet >= cfg.wallet_multiple * np.maximum(revenue_values, 0.0))
    wallet_raised = big_wallet & (level < 2)
    return pd.DataFrame(
        {
            "revenue_rank": revenue_rank,
            "margin_rank": margin_rank,
            "rank_band": _BANDS_LOW_TO_HIGH[level],
            "wallet_raised": wallet_raised,
            "potential_band": _BANDS_LOW_TO_HIGH[level + wallet_raised],
        },
        index=revenue.index,
    )


def relationship_strength(frame: pd.DataFrame, config: PositionConfig | None = None) -> pd.DataFrame:
    """Per account: one bool column per weakness (not_established, slipping, regressing,
    new, no_decision_maker_contact) and relationship = "strong" or "weak"."""
    cfg = config or PositionConfig()
    require_columns(frame, RELATIONSHIP_INPUT_COLUMNS)
    kind = to_choice(frame["relationship_type"], "relationship_type", RELATIONSHIP_TYPES)
    f_score = frame["f_score"].to_numpy(dtype="int64")
    frequency = to_float(frame["frequency"], "frequency", default=0.0)
    previous = to_float(frame["frequency_prev"], "frequency_prev", default=0.0)
    weaknesses = {
        "not_established": ~np.isin(kind, cfg.established_relationships) & (f_score < cfg.established_min_f),
        "slipping": frame["r_score"].to_numpy(dtype="int64") < cfg.min_r,
        "regressing": (previous > 0) & (frequency < cfg.decline_ratio * previous),
        "new": previous <= 0,
        "no_decision_maker_contact": ~to_bool(frame["decision_maker_contacted"], "decision_maker_contacted"),
    }
    result = pd.DataFrame(weaknesses, index=frame.index)
    weak = np.logical_or.reduce(list(weaknesses.values()))
    result["relationship"] = np.where(weak, "weak", "strong").astype(object)
    return result


def position_for(band: str, relationship: str) -> int:
    """1-6: high 1/2, medium 3/4, low 5/6; the odd one for a strong relationship."""
    if band not in _FIRST_POSITION or relationship not in RELATIONSHIPS:
        raise ValueError(f"unknown band {band!r} or relationship {relationship!r}")
    return _FIRST_POSITION[band] + (relationship == "weak")


def positions(band: np.ndarray, relationship: np.ndarray) -> np.ndarray:
    """Vectorised `position_for` (int64)."""
    first = np.select([band == "high", band == "medium"], [1, 3], default=5)
    return (first + (relationship == "weak")).astype("int64")
