"""Attractiveness (吸引力程度) A/B/C from the account manager's five-factor assessment.

Each factor is rated A, B or C (3, 2 or 1 points); the score is the weighted mean of the
rated factors (1.0-3.0), and the letter is A from `cutoffs[1]` (2.5), B from `cutoffs[0]`
(1.75), C below. With equal weights: all B is B, four A and one C (2.6) is A, two A and
three B (2.4) is B, four B and one C (1.8) is B, three B and two C (1.6) is C.

Missing ratings ("" or NA):

* some factors rated - the score uses the rated ones only (weights renormalised) and the
  letter is marked provisional, because the assessment is incomplete;
* none rated - the letter is provisional and comes from data: `provisional_letter` (B,
  "medium"), or A when the relationship type is one of `provisional_a_relationships`
  (partner, strategic alliance: the account already leans toward us and we reach its key
  people). Never C from data alone: C tiers say "walk away", which nobody should be told
  about an account no one has looked at.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import require_columns, to_choice
from .config import FACTORS, RELATIONSHIP_TYPES, AttractivenessConfig

LETTERS = ("A", "B", "C")
FACTOR_POINTS = {"A": 3, "B": 2, "C": 1}

FACTOR_LABELS = {
    "differentiation": {"en": "Differentiation from competitors", "zh-hans": "与别人的差异"},
    "value_vs_price": {"en": "Value vs price preference", "zh-hans": "价值与价格偏好"},
    "leaning": {"en": "Leaning", "zh-hans": "偏好"},
    "access_to_key_people": {"en": "Access to key people", "zh-hans": "接近关键人物"},
    "purchase_rules": {"en": "Purchase rules", "zh-hans": "购买的规则"},
}

# What each rating means, per factor (DOMAIN.md table; zh wording from seed 000).
FACTOR_RATING_LABELS = {
    "differentiation": {
        "A": {"en": "very different", "zh-hans": "非常不同"},
        "B": {"en": "somewhat different", "zh-hans": "有些不同"},
        "C": {"en": "hardly different", "zh-hans": "鲜有不同"},
    },
    "value_vs_price": {
        "A": {"en": "buys value", "zh-hans": "购买的是价值"},
        "B": {"en": "price and value", "zh-hans": "价格和价值"},
        "C": {"en": "price only", "zh-hans": "只讲价格"},
    },
    "leaning": {
        "A": {"en": "toward us", "zh-hans": "偏向我们一方"},
        "B": {"en": "neutral", "zh-hans": "中立"},
        "C": {"en": "toward competitors", "zh-hans": "偏向竞争者"},
    },
    "access_to_key_people": {
        "A": {"en": "easy", "zh-hans": "很容易接近"},
        "B": {"en": "limited", "zh-hans": "接近机会有限"},
        "C": {"en": "none", "zh-hans": "无法接近"},
    },
    "purchase_rules": {
        "A": {"en": "few restrictions", "zh-hans": "规定限制很少"},
        "B": {"en": "flexible", "zh-hans": "灵活的规定"},
        "C": {"en": "rigid", "zh-hans": "死板的规定"},
    },
}

ATTRACTIVENESS_INPUT_COLUMNS = (*FACTORS, "relationship_type")


def letter_for_score(score: float, config: AttractivenessConfig | None = None) -> str:
    """A, B or C for a weighted score on the 1-3 scale."""
    b_from, a_from = (config or AttractivenessConfig()).cutoffs
    return "A" if score >= a_from else "B" if score >= b_from else "C"


def attractiveness(frame: pd.DataFrame, config: AttractivenessConfig | None = None) -> pd.DataFrame:
    """Per account: attractiveness_score (NaN if nothing rated), attractiveness (A/B/C),
    attractiveness_provisional (bool) and factors_rated (0-5)."""
    cfg = config or AttractivenessConfig()
    require_columns(frame, ATTRACTIVENESS_INPUT_COLUMNS)
    n = len(frame)
    points = np.full((n, len(FACTORS)), np.nan)
    for j, factor in enumerate(FACTORS):
        ratings = to_choice(frame[factor], factor, LETTERS)
        for letter, value in FACTOR_POINTS.items():
            points[ratings == letter, j] = value
    weights = np.array([getattr(cfg.weights, factor) for factor in FACTORS], dtype="float64")
    rated = ~np.isnan(points)
    rated_weight = rated.astype("float64") @ weights
    weighted = np.where(rated, points, 0.0) @ weights
    # A factor with weight 0 does not count as rated: it cannot move the score.
    has_score = rated_weight > 0
    score = np.divide(weighted, rated_weight, out=np.full(n, np.nan), where=has_score)

    b_from, a_from = cfg.cutoffs
    relationship = to_choice(frame["relationship_type"], "relationship_type", RELATIONSHIP_TYPES)
    from_data = np.where(np.isin(relationship, cfg.provisional_a_relationships), "A", cfg.provisional_letter)
    letter = np.where(score >= a_from, "A", np.where(score >= b_from, "B", "C"))
    letter = np.where(has_score, letter, from_data)
    return pd.DataFrame(
        {
            "attractiveness_score": score,
            "attractiveness": letter.astype(object),
            # Incomplete while any factor that carries weight is unrated.
            "attractiveness_provisional": (~rated & (weights > 0)).any(axis=1),
            "factors_rated": rated.sum(axis=1),
        },
        index=frame.index,
    )
