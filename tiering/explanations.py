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


def reasons_of(scores: Sequence[AccountScore]) -> list[list[str]]:
    """The reasons of many snapshots, in their order, written in one `explain` per settings
    version (not one per snapshot): the rules that placed each, then the run's notes.
    Needs `run__config` loaded (else one query per snapshot)."""
    reasons: list[list[str]] = [[] for _ in scores]
    by_config: dict[str, list[int]] = defaultdict(list)
    for i, score in enumerate(scores):
        if not score.rank_band:  # written before snapshots kept their explanation inputs
            reasons[i] = list(score.notes)
        else:
            by_config[json.dumps(score.run.config.data, sort_keys=True)].append(i)
    for data, positions in by_config.items():
        rows = pd.DataFrame([_placed_row(scores[i]) for i in positions])
        for i, written in zip(positions, explain(rows, _config(data)), strict=True):
            reasons[i] = written + list(scores[i].notes)
    return reasons


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
