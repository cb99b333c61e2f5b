"""The key-account development proposal's figures (DOMAIN.md "Plans"; seed 004 "费用、销售预测分析":
sales, profit, management and travel cost, risk, the business and operating cost of developing
the account, "从而真正得出该大客户是否有开发价值"). Pure: numbers in, numbers out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# Who may be proposed: a *potential* key account (DOMAIN.md "Key-account criteria": close to
# the thresholds) that is not key yet — a possible or a normal account.
PROPOSABLE_CATEGORIES = frozenset({"possible", "normal"})


def proposal_eligible(*, category: str, potential_band: str | None, badges: list[str] | tuple[str, ...]) -> bool:
    """Whether an account may get a development proposal: its category is possible or normal
    (not key already, not unattractive, not unscored) and it has key-account potential — the
    tiering run gave it the "potential" badge (near the key-account thresholds) or placed its
    potential in the high band."""
    return category in PROPOSABLE_CATEGORIES and ("potential" in badges or potential_band == "high")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def cost_to_serve(*, management: Decimal, travel: Decimal, other: Decimal) -> Decimal:
    """The yearly cost of serving the account: management + travel + business and operating
    costs (all ≥ 0, currency units), to the cent."""
    return _money(management + travel + other)


def gross_profit(*, sales: Decimal, margin_percent: Decimal) -> Decimal:
    """Forecast sales × margin (margin in percent, 0–100), to the cent."""
    return _money(sales * margin_percent / HUNDRED)


@dataclass(frozen=True)
class ProposalFigures:
    cost_to_serve: Decimal
    gross_profit: Decimal  # forecast sales × margin
    expected_profit: Decimal  # gross profit − cost to serve; negative: developing it loses money
    return_on_cost: Decimal | None  # expected profit ÷ cost to serve (×, 2 places); None without a cost
    worth_developing: bool  # expected profit > 0 (seed 004: "是否有开发价值")


def proposal_figures(
    *, sales: Decimal, margin_percent: Decimal, management: Decimal, travel: Decimal, other: Decimal
) -> ProposalFigures:
    """Expected profit = forecast sales × margin − cost to serve, and what follows from it."""
    cost = cost_to_serve(management=management, travel=travel, other=other)
    gross = gross_profit(sales=sales, margin_percent=margin_percent)
    expected = gross - cost
    ratio = (expected / cost).quantize(CENT, rounding=ROUND_HALF_UP) if cost > 0 else None
    return ProposalFigures(cost, gross, expected, ratio, expected > 0)
