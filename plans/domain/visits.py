"""Visits (拜访): the follow-up rhythm per account category and "not visited for too long". Pure."""

from __future__ import annotations

from datetime import date, timedelta

# Days between visits per account category (key accounts most often); an account may override.
VISIT_INTERVAL_DAYS = {"key": 30, "normal": 60, "possible": 90, "unattractive": 180}
DEFAULT_INTERVAL_DAYS = 90  # an account no run has placed yet


def visit_interval(*, category: str, override: int | None = None) -> int:
    """The days between visits: the account's own when set, else its category's."""
    if override is not None:
        if override < 1:
            raise ValueError("a visit interval is at least one day")
        return override
    return VISIT_INTERVAL_DAYS.get(category, DEFAULT_INTERVAL_DAYS)


def next_visit_day(*, last_visit: date | None, interval_days: int, today: date) -> date:
    """When the next visit should be: `interval_days` after the last one, but never in the past
    (an overdue visit is planned for today); today when there never was one."""
    if last_visit is None:
        return today
    return max(last_visit + timedelta(days=interval_days), today)


def not_visited_for_too_long(*, last_visit: date | None, interval_days: int, today: date) -> bool:
    """No visit within the interval: more than `interval_days` since the last (or never)."""
    return last_visit is None or (today - last_visit).days > interval_days
