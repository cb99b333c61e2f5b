"""RFM scores (最近一次消费 Recency, 消费频率 Frequency, 消费金额 Monetary) and segments.

Input, one row per account (index = account id):

* ``last_order_date`` - latest non-cancelled order on or before the as-of date, over all
  history (date, datetime64 or NaT/None when the account never ordered);
* ``frequency`` - number of orders in the trailing window (whole number >= 0);
* ``monetary`` - revenue of those orders (Decimal, float or int; NA counts as 0).

Scores run 1-5, 5 being the most recent / most frequent / largest.

* ``quintile`` mode ranks only the accounts with at least one order in the window, using
  `ranking.score_1_to_5`: equal values get equal scores, the highest their rank allows (so adding
  an identical peer never lowers a score), the best account scores 5 and the worst 1.
* ``thresholds`` mode uses four fixed cut points per letter (`RfmConfig`): R = 5 while the
  days since the last order are <= the first cut, 4 up to the second, ... 1 beyond the
  fourth; F and M = 1 + the number of cut points the value reaches (value >= cut).
* In both modes an account with no order in the window scores R = F = M = 1: it is not a
  current buyer, however recent its last order before the window was.

Segments come from R and F only (frequency x recency finds the accounts slipping away;
M is the pillar used by Pareto, the composite and the potential band), on this grid:

| R \\ F | 1 | 2 | 3 | 4 | 5 |
|---|---|---|---|---|---|
| 5 | New | Potential loyalist | Potential loyalist | Champions | Champions |
| 4 | Promising | Potential loyalist | Potential loyalist | Loyal | Loyal |
| 3 | About to sleep | About to sleep | Need attention | Loyal | Loyal |
| 2 | Hibernating | Hibernating | At risk | At risk | Can't lose |
| 1 | Lost | Hibernating | At risk | At risk | Can't lose |
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .columns import require_columns, to_count, to_float
from .config import RfmConfig, TieringConfig
from .ranking import score_1_to_5

RFM_INPUT_COLUMNS = ("last_order_date", "frequency", "monetary")

# R score -> segment for F = 1..5. The docstring table above is checked against it in tests.
SEGMENT_TABLE: dict[int, tuple[str, str, str, str, str]] = {
    5: ("New", "Potential loyalist", "Potential loyalist", "Champions", "Champions"),
    4: ("Promising", "Potential loyalist", "Potential loyalist", "Loyal", "Loyal"),
    3: ("About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"),
    2: ("Hibernating", "Hibernating", "At risk", "At risk", "Can't lose"),
    1: ("Lost", "Hibernating", "At risk", "At risk", "Can't lose"),
}

SEGMENTS = (
    "Champions",
    "Loyal",
    "Potential loyalist",
    "New",
    "Promising",
    "Need attention",
    "About to sleep",
    "At risk",
    "Can't lose",
    "Hibernating",
    "Lost",
)

# Labels for the zh-hans interface; the English name is the stored value.
SEGMENT_LABELS_ZH = {
    "Champions": "冠军客户",
    "Loyal": "忠诚客户",
    "Potential loyalist": "潜在忠诚客户",
    "New": "新客户",
    "Promising": "有潜力客户",
    "Need attention": "需要关注客户",
    "About to sleep": "即将沉睡客户",
    "At risk": "有流失风险客户",
    "Can't lose": "不能失去的客户",
    "Hibernating": "冬眠客户",
    "Lost": "已流失客户",
}

# SEGMENT_TABLE as an array indexed [r, f] so a whole column is looked up at once.
_SEGMENT_GRID = np.full((6, 6), None, dtype=object)
for _r, _row in SEGMENT_TABLE.items():
    _SEGMENT_GRID[_r, 1:] = _row


def segment_table_markdown() -> str:
    """SEGMENT_TABLE as the markdown table shown in this module's docstring."""
    lines = ["| R \\ F | 1 | 2 | 3 | 4 | 5 |", "|---|---|---|---|---|---|"]
    lines += [f"| {r} | " + " | ".join(row) + " |" for r, row in SEGMENT_TABLE.items()]
    return "\n".join(lines)


def segment_for(r: int, f: int) -> str:
    """Named segment for an R and an F score (1-5 each)."""
    if r not in SEGMENT_TABLE or f not in range(1, 6):
        raise ValueError(f"scores must be 1-5, got r={r!r}, f={f!r}")
    return SEGMENT_TABLE[r][f - 1]


def segments_for(r: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Vectorised `segment_for` over arrays of scores."""
    return _SEGMENT_GRID[np.asarray(r, dtype="int64"), np.asarray(f, dtype="int64")]


def recency_days(last_order_date: pd.Series, as_of: date) -> np.ndarray:
    """Whole days from the last order to `as_of` as float64 (NaN = never ordered)."""
    dates = pd.to_datetime(last_order_date)
    if getattr(dates.dt, "tz", None) is not None:
        # A zoned timestamp counts on its own local calendar day.
        dates = dates.dt.tz_localize(None)
    days_since = np.datetime64(as_of, "D") - dates.to_numpy().astype("datetime64[D]")
    missing = np.isnat(days_since)
    result = np.where(missing, np.nan, days_since.astype("int64").astype("float64"))
    if np.any(result < 0):
        first = last_order_date.index[np.argmax(result < 0)]
        raise ValueError(f"last_order_date: account {first!r} has an order after the as-of date {as_of}")
    return result


def compute_rfm(frame: pd.DataFrame, as_of: date, config: RfmConfig | TieringConfig | None = None) -> pd.DataFrame:
    """Copy of `frame` with recency_days (Int64, NA = never ordered) and r/f/m_score (1-5)."""
    cfg = config.rfm if isinstance(config, TieringConfig) else (config or RfmConfig())
    require_columns(frame, RFM_INPUT_COLUMNS)
    recency = recency_days(frame["last_order_date"], as_of)
    frequency = to_count(frame["frequency"], "frequency")
    monetary = to_float(frame["monetary"], "monetary", default=0.0)
    r, f, m = rfm_scores(recency, frequency, monetary, cfg)
    result = frame.copy()
    result["recency_days"] = pd.array(np.where(np.isnan(recency), None, recency), dtype="Int64")
    result["r_score"] = r
    result["f_score"] = f
    result["m_score"] = m
    return result


def rfm_scores(
    recency: np.ndarray, frequency: np.ndarray, monetary: np.ndarray, config: RfmConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R, F and M scores (int64 arrays) from plain arrays; see the module doc for the rules."""
    n = len(frequency)
    r = np.ones(n, dtype="int64")
    f = np.ones(n, dtype="int64")
    m = np.ones(n, dtype="int64")
    active = frequency > 0
    if config.mode == "quintile":
        # Fewer days is better, so rank the negated recency; NaN stays lowest.
        r[active] = score_1_to_5(-recency[active])
        f[active] = score_1_to_5(frequency[active])
        m[active] = score_1_to_5(monetary[active])
    else:
        # searchsorted places NaN after every cut point, so a missing recency gives R = 1.
        cuts_r = np.asarray(config.recency_days_cuts, dtype="float64")
        r[active] = 5 - np.searchsorted(cuts_r, recency[active], side="left")
        f[active] = 1 + np.searchsorted(np.asarray(config.frequency_cuts, dtype="float64"), frequency[active], "right")
        m[active] = 1 + np.searchsorted(np.asarray(config.monetary_cuts, dtype="float64"), monetary[active], "right")
    return r, f, m
