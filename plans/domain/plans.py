"""Account plans (DOMAIN.md "Plans"): periods, the approval workflow, overdue actions. Pure."""

from __future__ import annotations

import re
from datetime import date, timedelta

PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")

# status -> {step: next status}. Draft or returned plans are submitted; a submitted plan is
# approved or returned (with a comment); an approved plan is final.
WORKFLOW: dict[str, dict[str, str]] = {
    "draft": {"submit": "submitted"},
    "returned": {"submit": "submitted"},
    "submitted": {"approve": "approved", "return": "returned"},
    "approved": {},
}


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of "2026" (the year) or "2026-Q2" (1 April to 30 June).
    ValueError for anything else."""
    match = PERIOD.match(period)
    if match is None:
        raise ValueError(f"a period is a year (2026) or a quarter (2026-Q2), not {period!r}")
    year, quarter = int(match[1]), match[2]
    if quarter is None:
        return date(year, 1, 1), date(year, 12, 31)
    first_month = 3 * (int(quarter) - 1) + 1
    start = date(year, first_month, 1)
    after = date(year + 1, 1, 1) if first_month == 10 else date(year, first_month + 3, 1)
    return start, after - timedelta(days=1)


def next_status(status: str, step: str) -> str:
    """The status a plan in `status` moves to by `step` (submit, approve, return).
    ValueError when the workflow does not allow it (e.g. approving a draft)."""
    try:
        return WORKFLOW[status][step]
    except KeyError:
        raise ValueError(f"a {status} plan cannot be {step}ed") from None


def action_overdue(*, ends_on: date, finished: bool, today: date) -> bool:
    """An action not done (or cancelled) whose end day has passed; due today is not overdue yet."""
    return not finished and today > ends_on
