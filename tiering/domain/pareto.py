"""Customer pyramid (客户金字塔): Pareto classes A/B/C by share of window revenue.

Accounts are sorted by revenue, largest first, ties broken by account id (ascending) so
the result never depends on row order. With cut-offs (0.80, 0.95) an account is

* A if the cumulative share of the accounts *before* it is < 0.80 - the account that
  crosses the 80% line is still A, so A always holds at least 80% of revenue;
* B if that share is < 0.95;
* C otherwise, and always when its revenue is zero or negative (a credit note does not
  make an account valuable). Only positive revenue counts towards the total.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .columns import to_float


def pareto_class(revenue: pd.Series, cutoffs: Sequence[float] = (0.8, 0.95)) -> pd.Series:
    """Class A, B or C per account (same index as `revenue`); see the module doc."""
    a_cut, b_cut = cutoffs
    values = to_float(revenue, "revenue", default=0.0)
    positive = np.where(values > 0, values, 0.0)
    total = positive.sum()
    classes = np.full(len(values), "C", dtype=object)
    if total > 0:
        # lexsort takes the last key as primary and needs sortable arrays: ids become ranks.
        id_order = pd.Series(revenue.index).rank(method="first").to_numpy()
        order = np.lexsort((id_order, -positive))
        # Exclusive running sum (no subtraction) keeps exact boundaries exact.
        running = np.cumsum(positive[order])
        share_before = np.concatenate(([0.0], running[:-1])) / total
        sorted_classes = np.where(share_before < a_cut, "A", np.where(share_before < b_cut, "B", "C"))
        classes[order] = sorted_classes
        classes[positive <= 0] = "C"
    return pd.Series(classes, index=revenue.index, name="pareto_class")
