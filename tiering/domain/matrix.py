"""The A1-C6 matrix (客户分类体系): tier = attractiveness letter + position digit.

Every tier maps to a category and a strategy (对策), in English and Simplified Chinese,
exactly as in DOMAIN.md (the Chinese wording follows seed 000). Text dicts are keyed by
Django language code: "en" and "zh-hans".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LETTERS = ("A", "B", "C")
TIERS = tuple(f"{letter}{position}" for letter in LETTERS for position in range(1, 7))

CATEGORIES = ("key", "normal", "possible", "unattractive")

CATEGORY_LABELS = {
    "key": {"en": "Key account", "zh-hans": "重点客户"},
    "normal": {"en": "Normal account", "zh-hans": "普通客户"},
    "possible": {"en": "Possible account", "zh-hans": "可能客户"},
    "unattractive": {"en": "Unattractive account", "zh-hans": "无吸引力客户"},
}

TIER_CATEGORY = {
    "A1": "key",
    "A2": "key",
    "B1": "key",
    "B2": "key",
    "A3": "normal",
    "B3": "normal",
    "C1": "normal",
    "C2": "normal",
    "C3": "normal",
    "A5": "normal",
    "A6": "normal",
    "A4": "possible",
    "B4": "possible",
    "C4": "possible",
    "B5": "unattractive",
    "B6": "unattractive",
    "C5": "unattractive",
    "C6": "unattractive",
}

TIER_STRATEGY = {
    "A1": {
        "en": "Build relationships with their top management and across the whole company; "
        "aim for partnership or strategic alliance.",
        "zh-hans": "与其高层和整个企业建立各种关系，设法建立合作伙伴或战略联盟关系。",
    },
    "A2": {"en": "Cross-sell, build relationships; move to A1.", "zh-hans": "交叉销售，建立关系，转变为A1。"},
    "B1": {
        "en": "Widen the differentiation, reach the key people; move to A1.",
        "zh-hans": "扩大差异，接近关键人物，转变为A1。",
    },
    "B2": {
        "en": "Deliver reliably, widen the differentiation, reach the key people; move to A2.",
        "zh-hans": "履行好职责，扩大差异，接近关键人物，转变为A2。",
    },
    "A3": {
        "en": "Moderate attention; stay alert to changes in potential.",
        "zh-hans": "适当关注，对潜力与变化敏感。",
    },
    "B3": {
        "en": "Widen the differentiation, reach the key people; move to A3.",
        "zh-hans": "扩大差异，接近关键人物，转为A3。",
    },
    "C1": {
        "en": "Work to build the relationship and overcome prejudice; move to B2 or B1.",
        "zh-hans": "努力建立关系，克服偏见，转为B2或B1。",
    },
    "C2": {
        "en": "Work to build the relationship and overcome prejudice; move to B2.",
        "zh-hans": "努力建立关系，克服偏见，转为B2。",
    },
    "C3": {"en": "Judge whether it is worth the effort; move to B2.", "zh-hans": "评估是否值得努力，转为B2。"},
    "A5": {"en": "Keep the relationships with the key people.", "zh-hans": "保持与关键人物的关系。"},
    "A6": {"en": "Try to move to A5; keep the relationship.", "zh-hans": "设法转变为A5，保持关系。"},
    "A4": {
        "en": "Win the first deal actively and keep every promise; move to A3.",
        "zh-hans": "积极争取第一笔交易，信守承诺，转为A3。",
    },
    "B4": {
        "en": "Widen the differentiation, reach the key people; move to B3.",
        "zh-hans": "扩大差异，接近关键人物，转为B3。",
    },
    "C4": {"en": "Hardly worth the effort; move to B4.", "zh-hans": "不太值得努力，转为B4。"},
    "B5": {"en": "Watch for changes in potential; move to B4.", "zh-hans": "关注潜力变化，转为B4。"},
    "B6": {"en": "Not worth saving; let it fade.", "zh-hans": "不值得挽救，自由消亡。"},
    "C5": {"en": "Pursue only when business is desperate.", "zh-hans": "只有在自己身陷困境时，才抓这类客户。"},
    "C6": {"en": "Get away from it as fast as possible.", "zh-hans": "尽可能快地躲开他们。"},
}

ATTRACTIVENESS_LABELS = {
    "A": {"en": "Very attractive", "zh-hans": "很有吸引力"},
    "B": {"en": "Medium attractiveness", "zh-hans": "中等程度的吸引力"},
    "C": {"en": "Low attractiveness", "zh-hans": "不太有吸引力"},
}


def place(attractiveness_letter: str, position: int) -> str:
    """Tier code, e.g. place("A", 2) == "A2"."""
    if attractiveness_letter not in LETTERS:
        raise ValueError(f"attractiveness must be A, B or C, got {attractiveness_letter!r}")
    if isinstance(position, bool) or position not in range(1, 7):
        raise ValueError(f"position must be 1-6, got {position!r}")
    return f"{attractiveness_letter}{position}"


def place_many(letters: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Vectorised `place` for already validated arrays (object array of tier codes)."""
    # A lookup in the 3 x 6 table: string concatenation per row costs ten times more.
    table = np.array([[f"{letter}{p}" for p in range(1, 7)] for letter in LETTERS], dtype=object)
    rows = pd.Index(LETTERS).get_indexer(np.asarray(letters, dtype=object))
    columns = np.asarray(positions, dtype="int64") - 1
    if (rows < 0).any() or ((columns < 0) | (columns > 5)).any():
        raise ValueError("place_many: letters must be A-C and positions 1-6")
    return table[rows, columns]


def category_of(tier: str) -> str:
    """Category code (key/normal/possible/unattractive) of a tier."""
    return TIER_CATEGORY[tier]
