import numpy as np
import pytest

from tiering.domain.matrix import (
    ATTRACTIVENESS_LABELS,
    CATEGORIES,
    CATEGORY_LABELS,
    TIER_CATEGORY,
    TIER_STRATEGY,
    TIERS,
    place,
    place_many,
)

# The table of DOMAIN.md, "Category and strategy per cell", copied verbatim.
DOMAIN_TABLE = [
    (
        "A1",
        "key",
        "Build relationships with their top management and across the whole company; "
        "aim for partnership or strategic alliance.",
    ),
    ("A2", "key", "Cross-sell, build relationships; move to A1."),
    ("B1", "key", "Widen the differentiation, reach the key people; move to A1."),
    ("B2", "key", "Deliver reliably, widen the differentiation, reach the key people; move to A2."),
    ("A3", "normal", "Moderate attention; stay alert to changes in potential."),
    ("B3", "normal", "Widen the differentiation, reach the key people; move to A3."),
    ("C1", "normal", "Work to build the relationship and overcome prejudice; move to B2 or B1."),
    ("C2", "normal", "Work to build the relationship and overcome prejudice; move to B2."),
    ("C3", "normal", "Judge whether it is worth the effort; move to B2."),
    ("A5", "normal", "Keep the relationships with the key people."),
    ("A6", "normal", "Try to move to A5; keep the relationship."),
    ("A4", "possible", "Win the first deal actively and keep every promise; move to A3."),
    ("B4", "possible", "Widen the differentiation, reach the key people; move to B3."),
    ("C4", "possible", "Hardly worth the effort; move to B4."),
    ("B5", "unattractive", "Watch for changes in potential; move to B4."),
    ("B6", "unattractive", "Not worth saving; let it fade."),
    ("C5", "unattractive", "Pursue only when business is desperate."),
    ("C6", "unattractive", "Get away from it as fast as possible."),
]

# Seed 000 (对策), punctuation normalised.
ZH_STRATEGIES = {
    "A1": "与其高层和整个企业建立各种关系，设法建立合作伙伴或战略联盟关系。",
    "A2": "交叉销售，建立关系，转变为A1。",
    "B1": "扩大差异，接近关键人物，转变为A1。",
    "B2": "履行好职责，扩大差异，接近关键人物，转变为A2。",
    "A3": "适当关注，对潜力与变化敏感。",
    "B3": "扩大差异，接近关键人物，转为A3。",
    "C1": "努力建立关系，克服偏见，转为B2或B1。",
    "C2": "努力建立关系，克服偏见，转为B2。",
    "C3": "评估是否值得努力，转为B2。",
    "A5": "保持与关键人物的关系。",
    "A6": "设法转变为A5，保持关系。",
    "A4": "积极争取第一笔交易，信守承诺，转为A3。",
    "B4": "扩大差异，接近关键人物，转为B3。",
    "C4": "不太值得努力，转为B4。",
    "B5": "关注潜力变化，转为B4。",
    "B6": "不值得挽救，自由消亡。",
    "C5": "只有在自己身陷困境时，才抓这类客户。",
    "C6": "尽可能快地躲开他们。",
}


def test_there_are_eighteen_tiers_in_matrix_order():
    assert tuple(f"{letter}{digit}" for letter in "ABC" for digit in "123456") == TIERS


def test_categories_match_the_domain_table():
    assert {tier: category for tier, category, _ in DOMAIN_TABLE} == TIER_CATEGORY


def test_english_strategies_match_the_domain_table():
    assert {tier: text["en"] for tier, text in TIER_STRATEGY.items()} == {
        tier: strategy for tier, _, strategy in DOMAIN_TABLE
    }


def test_chinese_strategies_follow_the_seed():
    assert {tier: text["zh-hans"] for tier, text in TIER_STRATEGY.items()} == ZH_STRATEGIES


def test_every_tier_has_a_category_and_a_strategy_in_both_languages():
    assert set(TIER_CATEGORY) == set(TIER_STRATEGY) == set(TIERS)
    assert all(set(text) == {"en", "zh-hans"} for text in TIER_STRATEGY.values())
    assert set(TIER_CATEGORY.values()) == set(CATEGORIES)


def test_category_labels():
    assert {code: label["zh-hans"] for code, label in CATEGORY_LABELS.items()} == {
        "key": "重点客户",
        "normal": "普通客户",
        "possible": "可能客户",
        "unattractive": "无吸引力客户",
    }
    assert ATTRACTIVENESS_LABELS["A"]["zh-hans"] == "很有吸引力"


@pytest.mark.parametrize(("letter", "position", "tier"), [("A", 1, "A1"), ("B", 4, "B4"), ("C", 6, "C6")])
def test_place(letter, position, tier):
    assert place(letter, position) == tier


@pytest.mark.parametrize(("letter", "position"), [("D", 1), ("a", 1), ("A", 0), ("A", 7), ("A", True), ("A", "1")])
def test_place_refuses_anything_off_the_matrix(letter, position):
    with pytest.raises(ValueError, match="must be"):
        place(letter, position)


def test_place_many():
    letters = np.array(["A", "C", "B"], dtype=object)

    assert place_many(letters, np.array([2, 6, 3])).tolist() == ["A2", "C6", "B3"]
    assert place_many(np.array([], dtype=object), np.array([], dtype="int64")).tolist() == []
