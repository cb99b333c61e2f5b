"""Expected revenue and plan-vs-actual totals (no database)."""

from decimal import Decimal

import pytest

from plans.domain.revenue import RevenueLine, expected_revenue, totals


@pytest.mark.parametrize(
    ("planned", "probability", "expected"),
    [
        (Decimal("1200000.00"), 35, Decimal("420000.00")),
        (Decimal("0.05"), 50, Decimal("0.03")),  # half a cent rounds up
        (Decimal("999.99"), 0, Decimal("0.00")),
        (Decimal("999.99"), 100, Decimal("999.99")),
        (None, 50, None),
        (Decimal("10.00"), None, None),
    ],
)
def test_expected_revenue(planned, probability, expected) -> None:  # noqa: ANN001
    assert expected_revenue(planned=planned, probability=probability) == expected


def test_totals_per_group_with_attainment() -> None:
    lines = [
        RevenueLine("a", Decimal("100.00"), Decimal("50.00"), Decimal("80.00"), Decimal("20.00"), Decimal("15.00")),
        RevenueLine("b", None, None, Decimal("30.00"), None, None),
        RevenueLine("c", Decimal("200.00"), Decimal("100.00"), Decimal("250.00"), Decimal("40.00"), Decimal("60.00")),
    ]
    by = {"a": "rep1", "b": "rep1", "c": "rep2"}
    rep1, rep2 = totals(lines, lambda line: by[line.key])
    assert (rep1.group, rep1.plans, rep1.planned, rep1.expected, rep1.actual, rep1.actual_margin) == (
        "rep1",
        2,
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("110.00"),
        Decimal("15.00"),
    )
    assert (rep1.attainment, rep2.attainment) == (Decimal("110.0"), Decimal("125.0"))
    assert totals([RevenueLine("x", None, None, Decimal(5), None, None)], lambda _: "t")[0].attainment is None
