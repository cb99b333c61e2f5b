"""Visit rhythm per category (no database)."""

from datetime import date

import pytest

from plans.domain.visits import next_visit_day, not_visited_for_too_long, visit_interval


@pytest.mark.parametrize(
    ("category", "override", "days"),
    [
        ("key", None, 30),
        ("normal", None, 60),
        ("possible", None, 90),
        ("unattractive", None, 180),
        ("", None, 90),
        ("key", 14, 14),
    ],
)
def test_the_interval_comes_from_the_category_unless_the_account_overrides_it(category, override, days) -> None:  # noqa: ANN001
    assert visit_interval(category=category, override=override) == days


def test_an_override_below_one_day_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        visit_interval(category="key", override=0)


def test_the_next_visit_is_the_interval_after_the_last_never_in_the_past() -> None:
    today = date(2026, 3, 20)
    assert next_visit_day(last_visit=date(2026, 3, 1), interval_days=30, today=today) == date(2026, 3, 31)
    assert next_visit_day(last_visit=date(2026, 1, 1), interval_days=30, today=today) == today
    assert next_visit_day(last_visit=None, interval_days=30, today=today) == today


def test_not_visited_for_too_long() -> None:
    today = date(2026, 3, 31)
    assert not_visited_for_too_long(last_visit=date(2026, 3, 1), interval_days=30, today=today) is False
    assert not_visited_for_too_long(last_visit=date(2026, 2, 28), interval_days=30, today=today) is True
    assert not_visited_for_too_long(last_visit=None, interval_days=30, today=today) is True
