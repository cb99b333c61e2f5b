"""The revenue plan (收益计划): planned, expected and actual revenue and profit. Pure; money is
Decimal in currency units (2 places)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def expected_revenue(*, planned: Decimal | None, probability: int | None) -> Decimal | None:
    """planned × probability / 100, to the cent (half up); None when either is unknown.
    Example: 1,200,000.00 at 35 % → 420,000.00."""
    if planned is None or probability is None:
        return None
    return (planned * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RevenueLine:
    """One account plan's figures; actuals come from orders (cancelled ones excluded)."""

    key: object  # what the line is about (a plan)
    planned: Decimal | None
    expected: Decimal | None
    actual: Decimal  # revenue of the period's orders
    planned_profit: Decimal | None
    actual_margin: Decimal | None  # None when no order of the period has a known margin


@dataclass(frozen=True)
class RevenueTotal:
    group: object
    plans: int
    planned: Decimal
    expected: Decimal
    actual: Decimal
    planned_profit: Decimal
    actual_margin: Decimal

    @property
    def attainment(self) -> Decimal | None:
        """actual / planned as a percentage to one place; None without a plan."""
        if not self.planned:
            return None
        return (self.actual * 100 / self.planned).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def totals(lines: Iterable[RevenueLine], group_of: Callable[[RevenueLine], object]) -> list[RevenueTotal]:
    """Sum the lines per group (unknown figures count as 0 in a sum), groups in first-seen order."""
    sums: dict[object, list] = {}
    for line in lines:
        row = sums.setdefault(group_of(line), [0, Decimal(0), Decimal(0), Decimal(0), Decimal(0), Decimal(0)])
        row[0] += 1
        row[1] += line.planned or 0
        row[2] += line.expected or 0
        row[3] += line.actual
        row[4] += line.planned_profit or 0
        row[5] += line.actual_margin or 0
    return [RevenueTotal(group, *row) for group, row in sums.items()]
