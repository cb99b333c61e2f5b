"""The reasons of a stored snapshot, written when read from the numbers the run kept.

A run stores each account's explanation inputs (EXPLANATION_COLUMNS) rather than its
sentences; `tiering.domain.pipeline.explain` writes the same sentences from them with the
run's own settings, so a past run still explains itself after the settings change.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from tiering.domain.config import TieringConfig
from tiering.domain.pipeline import WEAKNESSES, explain
from tiering.models import AccountScore


@lru_cache(maxsize=16)
def _config(data: str) -> TieringConfig:
    return TieringConfig.from_dict(json.loads(data))


def weaknesses_text(placed: pd.DataFrame) -> pd.Series:
    """The weakness flags of placed rows as the space-separated names a snapshot stores."""
    # The flags as a number, looked up in the texts of all combinations (string work per row
    # would cost ten times more).
    code = np.zeros(len(placed), dtype="int64")
    for bit, name in enumerate(WEAKNESSES):
        code |= placed[name].to_numpy(dtype=bool).astype("int64") << bit
    texts = np.array(
        [" ".join(name for bit, name in enumerate(WEAKNESSES) if k >> bit & 1) for k in range(2 ** len(WEAKNESSES))],
        dtype=object,
    )
    return pd.Series(texts[code], index=placed.index, dtype=object)


def score_reasons(score: AccountScore) -> list[str]:
    attach_reasons([score])
    return score.__dict__["reasons"]


def attach_reasons(scores: Sequence[AccountScore]) -> None:
    """Write the reasons of many snapshots at once (one `explain` per settings version), and
    keep them on each object (`score.reasons` then costs nothing). Needs run__config loaded."""
    by_config: dict[str, list[AccountScore]] = defaultdict(list)
    for score in scores:
        if not score.rank_band:  # written before snapshots kept their explanation inputs
            score.__dict__["reasons"] = list(score.notes)
        else:
            by_config[json.dumps(score.run.config.data, sort_keys=True)].append(score)
    for data, group in by_config.items():
        rows = pd.DataFrame([_placed_row(score) for score in group])
        for score, reasons in zip(group, explain(rows, _config(data)), strict=True):
            score.__dict__["reasons"] = reasons + list(score.notes)  # where cached_property keeps it


def _placed_row(score: AccountScore) -> dict[str, Any]:
    flags = set(score.weaknesses.split())
    recency = np.nan if score.recency_days is None else float(score.recency_days)
    row = {
        "recency_days": score.recency_days,
        "frequency": score.frequency,
        "monetary": float(score.monetary),
        "r_score": score.r_score,
        "f_score": score.f_score,
        "m_score": score.m_score,
        "segment": score.segment,
        "pareto_class": score.pareto_class,
        "composite": float(score.composite),
        "badges": list(score.badges),
        "attractiveness": score.attractiveness,
        "attractiveness_provisional": score.attractiveness_provisional,
        "attractiveness_score": np.nan if score.attractiveness_score is None else score.attractiveness_score,
        "revenue_rank": score.revenue_rank,
        "margin_rank": score.margin_rank,
        "potential_band": score.potential_band,
        "relationship": score.relationship,
        "position": score.position,
        "tier": score.computed_tier,
        "category": score.category,
        "factors_rated": score.factors_rated,
        "rank_band": score.rank_band,
        "wallet_raised": score.wallet_raised,
        **{name: name in flags for name in WEAKNESSES},
        "relationship_type": score.relationship_type or None,
        "recency": recency,
        "frequency_prev": score.frequency_prev,
        "wallet": score.wallet_estimate,
    }
    return row
