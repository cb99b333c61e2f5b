"""Which months of the order roll-up answer the tiering window's figures (pure date planning).

With D = as of, S = D − W and P = S − W, the two windows are (P, S] and (S, D]. `window_plan`
decides, month by month, where a month's figures come from (`tiering.window_figures` reads them):

- a month wholly inside one window: its roll-up row;
- the month S cuts in two (both halves inside the two windows): its roll-up row counted in
  one window, and the orders of its shorter half moved to the other window (count, amount
  and margin; the largest order and last date of the month stay right for both together);
- the month of D, when D cuts it: its roll-up row, for every account with no order after D
  in that month (the nightly case: nobody has one), and the orders up to D for the others;
- any other cut month (the month of P, and short windows): its orders in the range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


def month_start(day: date) -> date:
    """The first day of `day`'s month (the key of the monthly roll-up)."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after `month`'s."""
    return (month + timedelta(days=32)).replace(day=1)


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return next_month(month_start(day)) - timedelta(days=1)


def window_months(*, previous_start: date, start: date, as_of: date) -> tuple[list[date], list[tuple[date, date]]]:
    """Split (previous_start, as_of] into the whole months that lie in one window (their first
    days, ascending) and the date ranges (lo, hi] of the months a boundary cuts; together they
    cover every day of (previous_start, as_of] exactly once."""
    whole: list[date] = []
    edges: list[tuple[date, date]] = []
    month = month_start(previous_start + timedelta(days=1))
    while month <= as_of:
        last = month_end(month)
        if (previous_start < month and last <= start) or (start < month and last <= as_of):
            whole.append(month)
        else:
            edges.append((max(month - timedelta(days=1), previous_start), min(last, as_of)))
        month = next_month(month)
    return whole, edges


@dataclass(frozen=True)
class Moved:
    """Orders in (lo, hi] counted by the roll-up in one window that belong to the other:
    sign +1 moves them into the current window, -1 out of it."""

    lo: date
    hi: date
    sign: int


@dataclass(frozen=True)
class WindowPlan:
    start: date  # S: orders after it are in the current window
    months: list[date]  # roll-up months read
    current_from: date | None  # roll-up months from this one count in the current window
    cut: list[tuple[date, date]] = field(default_factory=list)  # (lo, hi] read order by order
    moved: Moved | None = None
    as_of_month: tuple[date, date] | None = None  # (lo, as_of]: roll-up row unless orders follow as_of


def window_plan(*, as_of: date, window_days: int) -> WindowPlan:
    """The plan for the windows of `window_days` days ending at `as_of` (see the module's text).

    Raises nothing for window_days >= 1 (the config refuses less)."""
    start = as_of - timedelta(days=window_days)
    previous_start = start - timedelta(days=window_days)
    whole, edges = window_months(previous_start=previous_start, start=start, as_of=as_of)
    months, cut = list(whole), []
    moved, as_of_month, split_month = None, None, date.min
    for lo, hi in edges:
        month_before = month_start(hi) - timedelta(days=1)
        if lo == month_before and hi == month_end(hi):  # only S cuts it
            split_month = month_start(hi)
            months.append(split_month)
            later_half, earlier_half = (hi - start).days, (start - lo).days
            # Count the month in the window of its longer half; move the shorter half's orders.
            moved = Moved(start, hi, +1) if later_half <= earlier_half else Moved(lo, start, -1)
        elif lo == month_before and hi == as_of and lo >= start:  # only D cuts it
            months.append(month_start(hi))
            as_of_month = (lo, hi)
        else:
            cut.append((lo, hi))
    months.sort()
    current = [m for m in whole if m > start]
    if moved is not None and moved.sign < 0:
        current.append(split_month)
    if as_of_month is not None:
        current.append(month_start(as_of))
    return WindowPlan(start, months, min(current) if current else None, cut, moved, as_of_month)
