"""Weighted composite (综合加权) 0-100 of amount, margin, credit status and prospects.

Each component is put on a 0-100 scale first, so the weights mean what they say:

* amount and margin (profit contribution) - percentile rank x 100 among the accounts
  where the value is positive (`ranking.positive_percentile_rank`: smallest 0, largest
  100, ties equal; zero or negative 0), because raw money would let one giant account
  flatten everyone else to zero;
* credit - from the account's maximum overdue days: 0 days = 100, falling linearly to 0
  at `credit_zero_at_days` (90) and beyond; NA = nothing overdue on record = 100;
* prospects - the team's development-prospects rating 1-5 -> 0, 25, 50, 75, 100;
  not rated = 50, the middle, so an unrated account is neither rewarded nor punished.

composite = sum(weight x component) / sum(weights).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import to_float
from .config import CompositeConfig
from .ranking import positive_percentile_rank

COMPONENT_COLUMNS = ("amount_score", "margin_score", "credit_score", "prospects_score")


def credit_score(max_overdue_days: np.ndarray, zero_at_days: float = 90) -> np.ndarray:
    """100 with nothing overdue, linear down to 0 at `zero_at_days`; NaN counts as 0 days."""
    days = np.clip(np.nan_to_num(max_overdue_days, nan=0.0), 0.0, None)
    return np.clip(100.0 * (1.0 - days / zero_at_days), 0.0, 100.0)


def prospects_score(rating: np.ndarray) -> np.ndarray:
    """Rating 1-5 -> 0-100 in steps of 25; NaN (not rated) -> 50."""
    present = rating[~np.isnan(rating)]
    if np.any((present < 1) | (present > 5)):
        raise ValueError("prospects_rating: expected ratings from 1 to 5")
    return np.where(np.isnan(rating), 50.0, (rating - 1.0) * 25.0)


def composite_scores(
    amount: pd.Series,
    margin: pd.Series,
    max_overdue_days: pd.Series,
    prospects_rating: pd.Series,
    config: CompositeConfig | None = None,
) -> pd.DataFrame:
    """Per account: the four 0-100 components and `composite` (float64, 0-100)."""
    cfg = config or CompositeConfig()
    w = cfg.weights
    components = {
        "amount_score": 100.0 * positive_percentile_rank(to_float(amount, "amount", default=0.0)),
        "margin_score": 100.0 * positive_percentile_rank(to_float(margin, "margin", default=0.0)),
        "credit_score": credit_score(to_float(max_overdue_days, "max_overdue_days"), cfg.credit_zero_at_days),
        "prospects_score": prospects_score(to_float(prospects_rating, "prospects_rating")),
    }
    weights = (w.amount, w.margin, w.credit, w.prospects)
    total = sum(weights)
    composite = sum(weight * components[name] for weight, name in zip(weights, COMPONENT_COLUMNS, strict=True))
    result = pd.DataFrame(components, index=amount.index)
    result["composite"] = composite / total
    return result
