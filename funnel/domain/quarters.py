"""Quarters, calendar or fiscal, written `2026-Q3`, and forecast weeks.

A fiscal year starting in month `start` (1 = calendar year) is named after the calendar year
in which it starts: with start = 4, `2026-Q1` is April-June 2026 and `2026-Q4` is
January-March 2027. Weeks run Monday to Sunday; a week is named by its Monday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_LABEL = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the fiscal year, named after the calendar year it starts in
    number: int  # 1-4
    start_month: int = 1  # first month of the fiscal year

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> date:
        """First day of the quarter."""
        months = self.year * 12 + (self.start_month - 1) + (self.number - 1) * 3
        return date(months // 12, months % 12 + 1, 1)

    @property
    def end(self) -> date:
        """Last day of the quarter (inclusive)."""
        return self.next().start - timedelta(days=1)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1, self.start_month)
        return Quarter(self.year, self.number + 1, self.start_month)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4, self.start_month)
        return Quarter(self.year, self.number - 1, self.start_month)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def _check_month(start_month: int) -> None:
    if not 1 <= start_month <= 12:
        raise ValueError(f"a fiscal year starts in month 1-12, not {start_month}")


def quarter_of(day: date, *, start_month: int = 1) -> Quarter:
    """The quarter containing `day`. ValueError for a start month outside 1-12."""
    _check_month(start_month)
    offset = (day.month - start_month) % 12  # months since the fiscal year began
    year = day.year if day.month >= start_month else day.year - 1
    return Quarter(year, offset // 3 + 1, start_month)


def parse_quarter(label: str, *, start_month: int = 1) -> Quarter:
    """`2026-Q3` -> Quarter. ValueError for anything else."""
    _check_month(start_month)
    found = _LABEL.match(label.strip()) if isinstance(label, str) else None
    if not found:
        raise ValueError(f"a quarter is written like 2026-Q3, not {label!r}")
    return Quarter(int(found.group(1)), int(found.group(2)), start_month)


def week_start(day: date) -> date:
    """The Monday of the week (Monday-Sunday) containing `day`."""
    return day - timedelta(days=day.weekday())


def weeks_in(quarter: Quarter) -> list[date]:
    """The Mondays of the weeks whose Monday lies in `quarter`, in order."""
    first = quarter.start + timedelta(days=(7 - quarter.start.weekday()) % 7)
    weeks = []
    while first <= quarter.end:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks
