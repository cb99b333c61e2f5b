from decimal import Decimal

import pandas as pd
import pytest

from tiering.domain.pareto import pareto_class


def revenue(values: dict) -> pd.Series:
    return pd.Series(values, dtype=object if any(isinstance(v, Decimal) for v in values.values()) else None)


def test_the_account_crossing_the_80_percent_line_is_still_a():
    # given shares before each account: 0, 0.7, 0.9
    result = pareto_class(revenue({"a": 70.0, "b": 20.0, "c": 10.0}))

    assert result.to_dict() == {"a": "A", "b": "A", "c": "B"}


def test_an_account_starting_exactly_at_the_line_is_not_in_the_group_before():
    # shares before: a 0, b 0.5, c 0.8, d 0.9, e 0.95
    result = pareto_class(revenue({"a": 50.0, "b": 30.0, "c": 10.0, "d": 5.0, "e": 5.0, "f": 0.0}))

    assert result.to_dict() == {"a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "f": "C"}


def test_ties_are_broken_by_account_id_whatever_the_row_order():
    shuffled = revenue({"e": 5.0, "f": 0.0, "c": 10.0, "a": 50.0, "d": 5.0, "b": 30.0})

    result = pareto_class(shuffled)

    assert result.index.tolist() == ["e", "f", "c", "a", "d", "b"]
    assert result.to_dict() == {"a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "f": "C"}


def test_integer_ids_sort_numerically():
    result = pareto_class(pd.Series({10: 5.0, 9: 5.0, 1: 90.0}))

    # 9 comes before 10: shares before are 1 -> 0, 9 -> 0.90, 10 -> 0.95
    assert result.to_dict() == {10: "C", 9: "B", 1: "A"}


def test_zero_and_negative_revenue_are_c_and_do_not_count_in_the_total():
    result = pareto_class(revenue({"a": 100.0, "b": -50.0, "c": 0.0, "d": None}))

    assert result.to_dict() == {"a": "A", "b": "C", "c": "C", "d": "C"}


def test_no_revenue_at_all_makes_everyone_c():
    assert pareto_class(revenue({"a": 0.0, "b": 0.0})).tolist() == ["C", "C"]


def test_decimals_are_accepted():
    result = pareto_class(revenue({"a": Decimal("80.00"), "b": Decimal("15.00"), "c": Decimal("5.00")}))

    assert result.to_dict() == {"a": "A", "b": "B", "c": "C"}


@pytest.mark.parametrize(("cutoffs", "expected"), [((0.5, 0.9), "ABCC"), ((0.9, 1.0), "AABB")])
def test_cutoffs_are_configurable(cutoffs, expected):
    result = pareto_class(revenue({"a": 60.0, "b": 30.0, "c": 6.0, "d": 4.0}), cutoffs)

    assert "".join(result) == expected


def test_an_empty_series_gives_an_empty_result():
    assert pareto_class(pd.Series([], dtype="float64")).tolist() == []
