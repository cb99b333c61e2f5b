"""Quarters (calendar and fiscal) and forecast weeks."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funnel.domain.quarters import Quarter, parse_quarter, quarter_of, week_start, weeks_in


@pytest.mark.parametrize(
    ("day", "start_month", "label", "first", "last"),
    [
        (date(2026, 7, 1), 1, "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 9, 30), 1, "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 12, 31), 1, "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), 1, "2027-Q1", date(2027, 1, 1), date(2027, 3, 31)),
        # fiscal year from April, named after the calendar year it starts in
        (date(2026, 4, 1), 4, "2026-Q1", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 3, 31), 4, "2025-Q4", date(2026, 1, 1), date(2026, 3, 31)),
        (date(2027, 2, 28), 4, "2026-Q4", date(2027, 1, 1), date(2027, 3, 31)),
        # a start month that is not a quarter boundary of the calendar
        (date(2026, 11, 15), 11, "2026-Q1", date(2026, 11, 1), date(2027, 1, 31)),
        (date(2024, 2, 29), 12, "2023-Q1", date(2023, 12, 1), date(2024, 2, 29)),
    ],
)
def test_quarter_boundaries(day: date, start_month: int, label: str, first: date, last: date) -> None:
    quarter = quarter_of(day, start_month=start_month)
    assert (quarter.label, quarter.start, quarter.end) == (label, first, last)
    assert parse_quarter(label, start_month=start_month) == quarter


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 12))
def test_every_day_lies_in_its_quarter_and_quarters_tile(day: date, start_month: int) -> None:
    quarter = quarter_of(day, start_month=start_month)
    assert quarter.contains(day)
    assert quarter.next().start == date.fromordinal(quarter.end.toordinal() + 1)
    assert quarter.next().previous() == quarter
    assert quarter_of(quarter.start, start_month=start_month) == quarter


@pytest.mark.parametrize("text", ["2026-Q5", "2026Q3", "26-Q1", "", "2026-q3"])
def test_malformed_quarters_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="2026-Q3"):
        parse_quarter(text)


def test_a_start_month_outside_the_year_is_refused() -> None:
    with pytest.raises(ValueError, match="month 1-12"):
        quarter_of(date(2026, 1, 1), start_month=13)


def test_weeks_run_monday_to_sunday() -> None:
    assert week_start(date(2026, 7, 17)) == date(2026, 7, 13)  # a Friday
    assert week_start(date(2026, 7, 13)) == date(2026, 7, 13)
    assert week_start(date(2026, 7, 19)) == date(2026, 7, 13)  # Sunday
    weeks = weeks_in(Quarter(2026, 3))
    assert (weeks[0], weeks[-1], len(weeks)) == (date(2026, 7, 6), date(2026, 9, 28), 13)
