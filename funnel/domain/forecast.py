"""Forecast figures for a quarter, and forecast accuracy and bias (DOMAIN.md, "Funnel"; issue 10).

Money is Decimal (2 places in, 2 places out, rounded half up at the end of each sum);
probabilities are whole percentages 0-100.

For a quarter, over a set of opportunities (one rep's, a team's or everyone's):

* won to date  = Σ amount of `signed`/`paid` opportunities with `closed_at` in the quarter
  (and on or before `as_of` when given);
* commit       = won + Σ amount of open opportunities in category `commit` closing in the quarter;
* best case    = commit + Σ amount of open `best_case` opportunities closing in the quarter;
* weighted     = won + Σ amount × probability / 100 of open opportunities closing in the quarter.

"Closing in the quarter" is the expected close date. Accuracy and bias compare a forecast f
with the actual a (won in the quarter, known once it ended):

* accuracy = max(0, 1 − |f − a| / a), bias = (f − a) / a, fractions rounded half up to 4 places;
* both are undefined (None) when a is 0 (or below): nothing was won, so no ratio exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .quarters import Quarter
from .stages import BEST_CASE, COMMIT, is_open, is_won

CENT = Decimal("0.01")
FOURTH_PLACE = Decimal("0.0001")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Deal:
    """One opportunity as the forecast sees it (live, or as a weekly snapshot recorded it)."""

    stage: str
    category: str
    amount: Decimal
    probability: int  # % 0-100
    expected_close: date | None
    closed_at: date | None = None


@dataclass(frozen=True)
class Figures:
    won: Decimal
    commit: Decimal
    best_case: Decimal
    weighted: Decimal


def won_to_date(deals: Iterable[Deal], *, quarter: Quarter, as_of: date | None = None) -> Decimal:
    """Σ amount of won deals closed in `quarter` (and on or before `as_of` when given)."""
    total = ZERO
    for deal in deals:
        if not is_won(deal.stage) or deal.closed_at is None or not quarter.contains(deal.closed_at):
            continue
        if as_of is not None and deal.closed_at > as_of:
            continue
        total += deal.amount
    return total.quantize(CENT, ROUND_HALF_UP)


def figures_from_sums(
    *, won: Decimal, commit_open: Decimal, best_case_open: Decimal, weighted_open: Decimal
) -> Figures:
    """Combine the four sums (won; open commit amounts; open best-case amounts; open Σ amount ×
    probability / 100, unrounded), however they were computed (here or in SQL)."""
    won = won.quantize(CENT, ROUND_HALF_UP)
    commit = (won + commit_open).quantize(CENT, ROUND_HALF_UP)
    return Figures(
        won=won,
        commit=commit,
        best_case=(commit + best_case_open).quantize(CENT, ROUND_HALF_UP),
        weighted=(won + weighted_open).quantize(CENT, ROUND_HALF_UP),
    )


def open_figures(deals: Iterable[Deal], *, quarter: Quarter, won: Decimal) -> Figures:
    """The figures given `won` and the open `deals` (any others are ignored)."""
    commit_sum = best_sum = weighted_sum = ZERO
    for deal in deals:
        if not is_open(deal.stage) or deal.expected_close is None or not quarter.contains(deal.expected_close):
            continue
        if deal.category == COMMIT:
            commit_sum += deal.amount
        elif deal.category == BEST_CASE:
            best_sum += deal.amount
        weighted_sum += deal.amount * deal.probability / 100
    return figures_from_sums(won=won, commit_open=commit_sum, best_case_open=best_sum, weighted_open=weighted_sum)


def forecast(deals: Iterable[Deal], *, quarter: Quarter, as_of: date | None = None) -> Figures:
    """Won to date, commit, best case and weighted pipeline of `deals` for `quarter`."""
    deals = list(deals)
    return open_figures(deals, quarter=quarter, won=won_to_date(deals, quarter=quarter, as_of=as_of))


def accuracy(*, forecast: Decimal, actual: Decimal) -> Decimal | None:
    """max(0, 1 − |f − a| / a) rounded half up to 4 places; None when a <= 0 (undefined)."""
    if actual <= 0:
        return None
    return max(ZERO, 1 - abs(forecast - actual) / actual).quantize(FOURTH_PLACE, ROUND_HALF_UP)


def bias(*, forecast: Decimal, actual: Decimal) -> Decimal | None:
    """(f − a) / a rounded half up to 4 places (positive: over-forecast); None when a <= 0."""
    if actual <= 0:
        return None
    return ((forecast - actual) / actual).quantize(FOURTH_PLACE, ROUND_HALF_UP)
