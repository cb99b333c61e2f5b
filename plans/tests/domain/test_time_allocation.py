"""Time allocation against the guideline (plans.domain.time_allocation)."""

from datetime import date
from decimal import Decimal

import pytest

from plans.domain.time_allocation import (
    CATEGORIES,
    GUIDELINE_TIME,
    allocation_period_bounds,
    compare_with_guideline,
    default_period,
)


@pytest.mark.parametrize(
    ("period", "bounds"),
    [
        ("2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
        ("2028-02", (date(2028, 2, 1), date(2028, 2, 29))),
        ("2026-12", (date(2026, 12, 1), date(2026, 12, 31))),
        ("2026-Q4", (date(2026, 10, 1), date(2026, 12, 31))),
        ("2026", (date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_a_period_is_a_month_a_quarter_or_a_year(period, bounds) -> None:
    assert allocation_period_bounds(period) == bounds


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "2026-Q5", "26", "2026-3", ""])
def test_a_malformed_period_is_refused(period) -> None:
    with pytest.raises(ValueError, match="period"):
        allocation_period_bounds(period)


def test_the_guideline_gives_most_time_to_key_accounts_and_least_to_possible_ones() -> None:
    # seed 000: key 60%, normal 30%, possible 10% of the time
    given = [GUIDELINE_TIME[c] for c in ("key", "normal", "possible")]
    assert given == sorted(given, reverse=True)
    assert sum(given) == 100


def test_shares_and_gaps_per_category_in_a_fixed_order() -> None:
    rows = compare_with_guideline({"key": 300, "normal": 300, "possible": 300, "": 100})
    assert [row.category for row in rows] == list(CATEGORIES)
    by = {row.category: row for row in rows}
    assert by["key"].share == Decimal("30.0")
    assert by["key"].gap == Decimal("-30.0")
    assert by["key"].verdict == "under"
    assert by["normal"].verdict == "on"  # 30% against 30%
    assert by["possible"].verdict == "over"  # 30% against 10%
    assert by["unscored"].minutes == 100
    assert by["unscored"].guideline is None
    assert by["unscored"].verdict == ""
    assert by["unattractive"].minutes == 0
    assert by["unattractive"].share == Decimal("0.0")


def test_a_share_within_ten_points_is_on_the_guideline() -> None:
    rows = {row.category: row for row in compare_with_guideline({"key": 70, "normal": 20, "possible": 10})}
    assert [rows[c].verdict for c in ("key", "normal", "possible")] == ["on", "on", "on"]
    rows = {row.category: row for row in compare_with_guideline({"key": 49, "normal": 41, "possible": 10})}
    assert rows["key"].verdict == "under"
    assert rows["normal"].verdict == "over"


def test_without_time_there_is_no_share_and_no_verdict() -> None:
    rows = compare_with_guideline({})
    assert all(row.share is None and row.verdict == "" and row.minutes == 0 for row in rows)


def test_an_unknown_category_counts_as_unscored() -> None:
    rows = {row.category: row for row in compare_with_guideline({"strange": 10, "": 5})}
    assert rows["unscored"].minutes == 15


@pytest.mark.parametrize(
    ("today", "period"),
    [(date(2026, 1, 1), "2026-Q1"), (date(2026, 6, 30), "2026-Q2"), (date(2026, 11, 30), "2026-Q4")],
)
def test_the_default_period_is_todays_quarter(today, period) -> None:
    assert default_period(today) == period
    start, end = allocation_period_bounds(period)
    assert start <= today <= end
