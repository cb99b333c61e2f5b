"""Periods, the approval workflow and overdue actions (no database)."""

from datetime import date

import pytest

from plans.domain.plans import WORKFLOW, action_overdue, next_status, period_bounds


@pytest.mark.parametrize(
    ("period", "bounds"),
    [
        ("2026", (date(2026, 1, 1), date(2026, 12, 31))),
        ("2026-Q1", (date(2026, 1, 1), date(2026, 3, 31))),
        ("2028-Q1", (date(2028, 1, 1), date(2028, 3, 31))),
        ("2026-Q2", (date(2026, 4, 1), date(2026, 6, 30))),
        ("2026-Q3", (date(2026, 7, 1), date(2026, 9, 30))),
        ("2026-Q4", (date(2026, 10, 1), date(2026, 12, 31))),
    ],
)
def test_a_period_is_a_year_or_a_quarter(period: str, bounds: tuple[date, date]) -> None:
    assert period_bounds(period) == bounds


@pytest.mark.parametrize("period", ["2026-Q5", "26", "2026Q1", "2026-q1", " 2026", "2026-Q1 "])
def test_anything_else_is_refused(period: str) -> None:
    with pytest.raises(ValueError, match="a period is a year"):
        period_bounds(period)


def test_the_workflow() -> None:
    assert next_status("draft", "submit") == "submitted"
    assert next_status("submitted", "approve") == "approved"
    assert next_status("submitted", "return") == "returned"
    assert next_status("returned", "submit") == "submitted"
    refused = [
        (status, step)
        for status in WORKFLOW
        for step in ("submit", "approve", "return")
        if step not in WORKFLOW[status]
    ]
    assert refused == [
        ("draft", "approve"),
        ("draft", "return"),
        ("returned", "approve"),
        ("returned", "return"),
        ("submitted", "submit"),
        ("approved", "submit"),
        ("approved", "approve"),
        ("approved", "return"),
    ]
    for status, step in refused:
        with pytest.raises(ValueError, match=f"a {status} plan cannot be {step}ed"):
            next_status(status, step)


def test_an_action_is_overdue_from_the_day_after_its_end_unless_finished() -> None:
    end = date(2026, 3, 31)
    assert action_overdue(ends_on=end, finished=False, today=date(2026, 3, 31)) is False
    assert action_overdue(ends_on=end, finished=False, today=date(2026, 4, 1)) is True
    assert action_overdue(ends_on=end, finished=True, today=date(2026, 4, 1)) is False
