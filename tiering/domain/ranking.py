"""Percentile ranks and 1-5 scores shared by RFM, the composite and the potential band.

One definition everywhere, chosen so that results are deterministic and explainable:

* ties use the *maximum* rank (the highest rank the equal values occupy), so equal values
  always get equal results and adding an identical peer never lowers anyone's result: three
  identical accounts score like that account alone, not like the worst of three;
* percentile rank = (rank_max - 1) / (n - 1), i.e. the share of the *other* accounts that
  are at or below this one: the lowest value (alone) is 0.0, the highest 1.0, and a lone
  account is 1.0 (nobody is above it);
* money (revenue, margin) is ranked only among the accounts where it is positive, and the
  rest get 0.0 (`positive_percentile_rank`): prospects and dormant accounts would
  otherwise lift every buyer, so the smallest buyer of a CRM full of prospects would look
  "medium";
* score 1-5 = 1 + floor(5 * (rank_max - 1) / (n - 1)), capped at 5, computed in integers
  so no float rounding can move an account across a quintile line. The best account always
  scores 5 and the worst 1, whatever n is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def max_rank(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ascending, ties sharing the highest rank they occupy; NaN ranks lowest."""
    # -inf puts missing values below every real one instead of leaving them unranked.
    filled = np.where(np.isnan(values), -np.inf, values)
    return pd.Series(filled).rank(method="max").to_numpy(dtype="int64")


def percentile_rank(values: np.ndarray) -> np.ndarray:
    """Share of the other accounts at or below each one, 0.0-1.0 (see module doc)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype="float64")
    if n == 1:
        return np.ones(1, dtype="float64")
    return (max_rank(values) - 1) / (n - 1)


def positive_percentile_rank(values: np.ndarray) -> np.ndarray:
    """`percentile_rank` among the positive values; zero, negative and NaN get 0.0."""
    result = np.zeros(len(values), dtype="float64")
    positive = values > 0
    result[positive] = percentile_rank(values[positive])
    return result


def score_1_to_5(values: np.ndarray) -> np.ndarray:
    """Quintile score 1-5, higher value = higher score (see module doc)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype="int64")
    if n == 1:
        return np.full(1, 5, dtype="int64")
    below = max_rank(values) - 1
    return np.minimum(5, 1 + (5 * below) // (n - 1))
