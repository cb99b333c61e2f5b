"""Time allocation against the guideline (DOMAIN.md "Tiering": "key accounts are ~10% of
accounts and deserve most of the team's time; possible accounts are many and get the least").
The figures are the table of seed 000 "重点客户的确定" (客户百分数 / 投入时间百分数): key accounts
10% of accounts, 60% of the time; normal accounts 30% and 30%; possible accounts (有可能成为客户
的企业) 60% of accounts, 10% of the time. Unattractive and unscored accounts have no share. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from plans.domain.plans import period_bounds

CATEGORIES = ("key", "normal", "possible", "unattractive", "unscored")
# Percent of the time each category should take (seed 000); None: the guideline gives none.
GUIDELINE_TIME: dict[str, int | None] = {
    "key": 60,
    "normal": 30,
    "possible": 10,
    "unattractive": None,
    "unscored": None,
}
# Percent of the accounts the guideline expects in each category (seed 000), shown beside it.
GUIDELINE_ACCOUNTS: dict[str, int | None] = {
    "key": 10,
    "normal": 30,
    "possible": 60,
    "unattractive": None,
    "unscored": None,
}
# A share within this many percentage points of the guideline is "on the guideline".
TOLERANCE_POINTS = Decimal(10)
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
TENTH = Decimal("0.1")


def allocation_period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a month ("2026-03"), a quarter ("2026-Q2") or a year ("2026").
    ValueError for anything else."""
    match = MONTH.match(period)
    if match is None:
        return period_bounds(period)
    year, month = int(match[1]), int(match[2])
    after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date(year, month, 1), after - timedelta(days=1)


def default_period(today: date) -> str:
    """The quarter `today` falls in, e.g. "2026-Q4": what the page and the API show unasked."""
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def category_of(category: str) -> str:
    """An account's stored category as one of CATEGORIES ("" before the first tiering run: unscored)."""
    return category if category in GUIDELINE_TIME else "unscored"


@dataclass(frozen=True)
class CategoryShare:
    category: str
    minutes: int
    share: Decimal | None  # percent of the minutes, 1 place; None when no time was logged
    guideline: int | None  # percent (GUIDELINE_TIME)
    gap: Decimal | None  # share − guideline, percentage points
    verdict: str  # "over", "under", "on" (within TOLERANCE_POINTS) or "" (no guideline or no time)


def compare_with_guideline(minutes: dict[str, int]) -> list[CategoryShare]:
    """Each category's minutes (missing: 0), its share of the total and the gap to the
    guideline, in CATEGORIES order. An unknown category counts as unscored."""
    totals = dict.fromkeys(CATEGORIES, 0)
    for category, value in minutes.items():
        totals[category_of(category)] += int(value or 0)
    total = sum(totals.values())
    rows = []
    for category in CATEGORIES:
        share = (Decimal(100 * totals[category]) / total).quantize(TENTH, ROUND_HALF_UP) if total else None
        guideline = GUIDELINE_TIME[category]
        gap = share - guideline if share is not None and guideline is not None else None
        if gap is None:
            verdict = ""
        elif abs(gap) <= TOLERANCE_POINTS:
            verdict = "on"
        else:
            verdict = "over" if gap > 0 else "under"
        rows.append(CategoryShare(category, totals[category], share, guideline, gap, verdict))
    return rows
