"""The reasons of a stored snapshot, written when read from the numbers the run kept.

A run stores each account's explanation inputs (EXPLANATION_COLUMNS) rather than its
sentences; `tiering.domain.pipeline.explain` writes the same sentences from them with the
run's own settings, so a past run still explains itself after the settings change.
"""

from __future__ import annotations

import json
from functools import lru_cache

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
    text = pd.Series("", index=placed.index, dtype=object)
    for name in WEAKNESSES:
        text = text.where(~placed[name].to_numpy(dtype=bool), text + " " + name)
    return text.str.strip()


def score_reasons(score: AccountScore) -> list[str]:
    if not score.rank_band:  # written before snapshots kept their explanation inputs
        return list(score.notes)
    config = _config(json.dumps(score.run.config.data, sort_keys=True))
    return explain(_placed_row(score), config)[0] + list(score.notes)


def _placed_row(score: AccountScore) -> pd.DataFrame:
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
    return pd.DataFrame([row], index=[score.account_id])
