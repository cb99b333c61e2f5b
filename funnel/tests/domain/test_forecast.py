"""Forecast figures, accuracy and bias on a hand-made quarter, with exact expected values."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funnel.domain.forecast import Deal, accuracy, bias, forecast
from funnel.domain.quarters import Quarter

Q3 = Quarter(2026, 3)

# The hand-made quarter (2026-Q3: 1 July - 30 September).
DEALS = [
    Deal("signed", "closed", Decimal("100000.00"), 100, date(2026, 7, 20), closed_at=date(2026, 7, 18)),
    Deal("paid", "closed", Decimal("50000.00"), 100, date(2026, 8, 5), closed_at=date(2026, 8, 30)),
    Deal("signed", "closed", Decimal("70000.00"), 100, date(2026, 6, 20), closed_at=date(2026, 6, 28)),  # Q2
    Deal("lost", "omitted", Decimal("90000.00"), 0, date(2026, 8, 1), closed_at=date(2026, 8, 2)),
    Deal("negotiation", "commit", Decimal("80000.00"), 75, date(2026, 9, 15)),
    Deal("negotiation", "best_case", Decimal("40000.00"), 60, date(2026, 9, 30)),  # the rep's category
    Deal("proposal", "best_case", Decimal("30000.00"), 50, date(2026, 8, 31)),
    Deal("first_contact", "pipeline", Decimal("12345.67"), 10, date(2026, 7, 1)),
    Deal("proposal", "commit", Decimal("99999.00"), 50, date(2026, 10, 1)),  # closes in Q4
    Deal("needs_understood", "pipeline", Decimal("5000.00"), 25, None),  # no close date: not counted
]


def test_forecast_of_a_hand_made_quarter() -> None:
    figures = forecast(DEALS, quarter=Q3)
    # won: 100,000 + 50,000; commit: + 80,000; best case: + 40,000 + 30,000
    # weighted: 150,000 + 60,000 + 24,000 + 15,000 + 1,234.567 = 250,234.567 -> .57
    assert figures.won == Decimal("150000.00")
    assert figures.commit == Decimal("230000.00")
    assert figures.best_case == Decimal("300000.00")
    assert figures.weighted == Decimal("250234.57")


def test_won_to_date_counts_up_to_the_day() -> None:
    assert forecast(DEALS, quarter=Q3, as_of=date(2026, 8, 29)).won == Decimal("100000.00")
    assert forecast(DEALS, quarter=Q3, as_of=date(2026, 7, 17)).won == Decimal("0.00")


@pytest.mark.parametrize(
    ("f", "a", "acc", "b"),
    [
        ("250234.57", "150000.00", "0.3318", "0.6682"),
        ("120000", "150000", "0.8000", "-0.2000"),
        ("150000", "150000", "1.0000", "0.0000"),
        ("400000", "150000", "0.0000", "1.6667"),  # off by more than the actual: accuracy floors at 0
        ("0", "150000", "0.0000", "-1.0000"),
        ("1", "3", "0.3333", "-0.6667"),
        ("2", "3", "0.6667", "-0.3333"),
        ("100001", "200000", "0.5000", "-0.5000"),  # 0.500005: the 5th place is 0
    ],
)
def test_accuracy_and_bias(f: str, a: str, acc: str, b: str) -> None:
    assert accuracy(forecast=Decimal(f), actual=Decimal(a)) == Decimal(acc)
    assert bias(forecast=Decimal(f), actual=Decimal(a)) == Decimal(b)


def test_accuracy_and_bias_are_undefined_when_nothing_was_won() -> None:
    assert accuracy(forecast=Decimal("5000"), actual=Decimal("0")) is None
    assert bias(forecast=Decimal("5000"), actual=Decimal("0.00")) is None


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(money, money.filter(lambda a: a > 0))
def test_accuracy_stays_between_0_and_1_and_agrees_with_bias(f: Decimal, a: Decimal) -> None:
    acc, b = accuracy(forecast=f, actual=a), bias(forecast=f, actual=a)
    assert Decimal(0) <= acc <= Decimal(1)
    # accuracy = max(0, 1 - |bias|) before rounding: after rounding they differ by at most 1e-4
    assert abs(acc - max(Decimal(0), 1 - abs(b))) <= Decimal("0.0001")
