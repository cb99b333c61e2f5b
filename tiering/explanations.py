"""The reasons of a stored snapshot, written when read from the numbers the run kept.

A run stores each account's explanation inputs (EXPLANATION_COLUMNS) rather than its
sentences; `tiering.domain.pipeline.explain` rebuilds the same `Reason`s (a code and its
values) from them with the run's own settings, so a past run still explains itself after the
settings change. `reason_text` writes a `Reason` in the active language: the domain's
English wording (REASON_TEXTS) through gettext, codes turned into their labels (category,
relationship type, potential band, RFM segment) and numbers in the locale's format. Pages
show the reader's language; the API and webhooks write English (`english`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from accounts.models import Account
from tiering.domain.badges import BADGE_LABELS
from tiering.domain.config import TieringConfig
from tiering.domain.matrix import CATEGORY_LABELS
from tiering.domain.pipeline import REASON_TEXTS, WEAKNESSES, Reason, explain
from tiering.models import AccountScore

# RFM segments (tiering.domain.rfm.SEGMENTS) as people read them.
SEGMENT_LABELS = {
    "Champions": pgettext_lazy("RFM segment", "Champions"),
    "Loyal": pgettext_lazy("RFM segment", "Loyal"),
    "Potential loyalist": pgettext_lazy("RFM segment", "Potential loyalist"),
    "New": pgettext_lazy("RFM segment", "New"),
    "Promising": pgettext_lazy("RFM segment", "Promising"),
    "Need attention": pgettext_lazy("RFM segment", "Need attention"),
    "About to sleep": pgettext_lazy("RFM segment", "About to sleep"),
    "At risk": pgettext_lazy("RFM segment", "At risk"),
    "Can't lose": pgettext_lazy("RFM segment", "Can't lose"),
    "Hibernating": pgettext_lazy("RFM segment", "Hibernating"),
    "Lost": pgettext_lazy("RFM segment", "Lost"),
}

# Potential bands (tiering.domain.position) and relationship strength.
BAND_LABELS = {
    "high": pgettext_lazy("potential", "high"),
    "medium": pgettext_lazy("potential", "medium"),
    "low": pgettext_lazy("potential", "low"),
}
RELATIONSHIP_LABELS = {
    "strong": pgettext_lazy("relationship", "strong"),
    "weak": pgettext_lazy("relationship", "weak"),
}
_NO_RELATIONSHIP_TYPE = gettext_lazy("no relationship type")


def _lang() -> str:
    return "zh-hans" if (translation.get_language() or "").lower().startswith("zh") else "en"


def segment_label(segment: str) -> str:
    """The RFM segment in the active language ("" stays "")."""
    return str(SEGMENT_LABELS.get(segment, segment))


def badge_label(badge: str) -> str:
    """A key-account badge (tiering.domain.badges.BADGES) as people read it."""
    return BADGE_LABELS[badge][_lang()] if badge in BADGE_LABELS else badge


def category_label(category: str) -> str:
    return CATEGORY_LABELS[category][_lang()] if category in CATEGORY_LABELS else ""


def _kind(value: str) -> str:
    return (
        str(Account.RelationshipType(value).label)
        if value in Account.RelationshipType.values
        else str(_NO_RELATIONSHIP_TYPE)
    )


def _money(value: float) -> str:
    return number_format(round(value), 0, force_grouping=True)


def _count(value: float) -> str:
    return number_format(round(value), 0, force_grouping=True)


def _fraction(value: float) -> str:
    return number_format(value, 2)


# How each named value is shown; a name not listed is shown as it is.
_SHOW = {
    "category": category_label,
    "kind": _kind,
    "band": lambda v: str(BAND_LABELS.get(v, v)),
    "segment": segment_label,
    "score": _fraction,
    "revenue_rank": _fraction,
    "margin_rank": _fraction,
    "wallet": _money,
    "revenue": _money,
    "monetary": _money,
    "purchases": _count,
    "orders": _count,
    "days": _count,
    "before": _count,
    "now": _count,
    "multiple": lambda v: number_format(v, None),
    "until": lambda v: date_format(date.fromisoformat(v), "SHORT_DATE_FORMAT"),
}


def reason_text(reason: Reason | list | str) -> str:
    """One reason as a sentence in the active language. Takes a `Reason`, its JSON form
    `[code, params]`, or a sentence stored before reasons were structured (shown as it is)."""
    if isinstance(reason, str):
        return reason
    code, params = reason
    values = {name: _SHOW[name](value) if name in _SHOW else value for name, value in params.items()}
    return gettext(REASON_TEXTS[code]) % values


def english(reasons: Sequence[Reason | list | str]) -> list[str]:
    """The reasons as English sentences, whatever the request's language (API, webhooks)."""
    with translation.override("en"):
        return [reason_text(r) for r in reasons]


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
    """The reasons of many snapshots as sentences in the active language, in their order,
    built in one `explain` per settings version (not one per snapshot): the rules that placed
    each, then the run's notes. Needs `run__config` loaded (else one query per snapshot)."""
    return [[reason_text(r) for r in row] for row in reason_lists(scores)]


def reason_lists(scores: Sequence[AccountScore]) -> list[list[Reason | list | str]]:
    """The reasons of many snapshots as `Reason`s (notes as stored: `[code, params]`, or a
    sentence on old snapshots), in their order; see `reasons_of`."""
    reasons: list[list[Reason | list | str]] = [[] for _ in scores]
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
        "margin_unknown": score.margin_unknown,
    }
    return row
