"""Visit rhythm per category and the visit completion rate (no database)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plans.domain.contacts import local_day
from plans.domain.visits import (
    VisitCount,
    completion,
    completion_rates,
    intervals_with,
    next_visit_day,
    not_visited_cutoff,
    not_visited_for_too_long,
    rate_period_bounds,
    visit_interval,
)


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


# --- completion rate ------------------------------------------------------------------------

NOV = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.mark.parametrize(
    ("period", "bounds"),
    [
        ("2026-11", (date(2026, 11, 1), date(2026, 11, 30))),
        ("2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
        ("2026-12", (date(2026, 12, 1), date(2026, 12, 31))),
        ("2026-Q4", (date(2026, 10, 1), date(2026, 12, 31))),
        ("2026-Q1", (date(2026, 1, 1), date(2026, 3, 31))),
    ],
)
def test_a_rate_period_is_a_month_or_a_quarter(period, bounds) -> None:  # noqa: ANN001
    assert rate_period_bounds(period) == bounds


@pytest.mark.parametrize("period", ["2026", "2026-13", "2026-Q5", "2026-1", "26-11", ""])
def test_a_malformed_rate_period_is_refused(period) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="a month"):
        rate_period_bounds(period)


def test_done_over_due_with_skipped_and_missed_visits_due_and_later_ones_not_yet() -> None:
    # given, as of 20 November: 3 done, 1 skipped, 2 missed, 1 planned today, 1 planned later,
    # 1 done early for a later day, and visits of October (another period)
    rows = [
        VisitCount(1, "done", date(2026, 11, 3), 2),
        VisitCount(1, "done", date(2026, 11, 18), 1),
        VisitCount(1, "skipped", date(2026, 11, 5), 1),
        VisitCount(1, "planned", date(2026, 11, 10), 2),
        VisitCount(1, "planned", date(2026, 11, 20), 1),  # today: not missed yet
        VisitCount(1, "planned", date(2026, 11, 25), 1),  # not due yet
        VisitCount(1, "skipped", date(2026, 11, 27), 1),  # skipped ahead of its day: not due yet
        VisitCount(1, "done", date(2026, 11, 28), 1),  # checked in early: done counts
        VisitCount(1, "done", date(2026, 10, 31), 5),
    ]
    # when the rate is computed
    figures = completion(key=1, rows=rows, start=NOV[0], end=NOV[1], today=date(2026, 11, 20))
    # then 4 done of 7 due
    assert (figures.due, figures.done, figures.skipped, figures.missed) == (7, 4, 1, 2)
    assert figures.rate == Decimal("0.5714")


def test_nothing_due_has_no_rate_and_a_past_period_counts_every_day() -> None:
    assert completion(key=1, rows=[], start=NOV[0], end=NOV[1], today=date(2026, 11, 20)).rate is None
    rows = [VisitCount(1, "planned", date(2026, 11, 30), 1), VisitCount(1, "done", date(2026, 11, 29), 1)]
    after = completion(key=1, rows=rows, start=NOV[0], end=NOV[1], today=date(2026, 12, 5))
    assert (after.due, after.done, after.missed, after.rate) == (2, 1, 1, Decimal("0.5000"))


def test_a_moved_visit_counts_once_on_its_final_day() -> None:
    # a visit planned for 30 October and moved to 4 November is one row on 4 November
    moved = [VisitCount(1, "done", date(2026, 11, 4), 1)]
    october = completion(key=1, rows=moved, start=date(2026, 10, 1), end=date(2026, 10, 31), today=date(2026, 11, 20))
    november = completion(key=1, rows=moved, start=NOV[0], end=NOV[1], today=date(2026, 11, 20))
    assert (october.due, november.due, november.done) == (0, 1, 1)


def test_teams_sum_their_reps_and_every_listed_rep_has_a_row() -> None:
    rows = [
        VisitCount(1, "done", date(2026, 11, 2), 3),
        VisitCount(2, "skipped", date(2026, 11, 2), 1),
        VisitCount(3, "done", date(2026, 11, 2), 1),
        VisitCount(9, "done", date(2026, 11, 2), 4),  # not a listed rep
    ]
    per_rep, per_team = completion_rates(
        rows=rows, teams={2: 10, 1: 10, 3: None, 4: 11}, start=NOV[0], end=NOV[1], today=date(2026, 11, 20)
    )
    assert [(c.key, c.due, c.done) for c in per_rep] == [(2, 1, 0), (1, 3, 3), (3, 1, 1), (4, 0, 0)]
    assert [(c.key, c.due, c.done, c.rate) for c in per_team] == [(10, 4, 3, Decimal("0.7500")), (11, 0, 0, None)]


def test_a_directors_intervals_overlay_the_defaults() -> None:
    intervals = intervals_with({"key": 14})
    assert (intervals["key"], intervals["normal"]) == (14, 60)
    assert visit_interval(category="key", intervals=intervals) == 14
    assert visit_interval(category="key", override=7, intervals=intervals) == 7


@given(
    moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York", "America/Sao_Paulo", "Australia/Lord_Howe"]),
    interval=st.integers(1, 400),
    later=st.integers(0, 500),
)
def test_a_last_visit_before_the_cutoff_is_exactly_one_too_long_ago(moment, zone, interval, later) -> None:  # noqa: ANN001
    # given a last visit at `moment` and a local today on or after its day
    zone = ZoneInfo(zone)
    today = local_day(moment, zone) + timedelta(days=later)
    # then it is before the cutoff exactly when the domain says "not visited for too long"
    cutoff = not_visited_cutoff(today=today, interval_days=interval, zone=zone)
    too_long = not_visited_for_too_long(last_visit=local_day(moment, zone), interval_days=interval, today=today)
    assert (moment < cutoff) == too_long


def test_the_cutoff_is_the_start_of_the_last_day_still_within_the_interval() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    # as of 1 November, every 30 days: a visit on 2 October is 30 days ago (fine), 1 October 31 (too long)
    cutoff = not_visited_cutoff(today=date(2026, 11, 1), interval_days=30, zone=shanghai)
    assert cutoff == datetime(2026, 10, 1, 16, tzinfo=UTC)  # 2 October, 00:00 in Shanghai
    assert not_visited_for_too_long(last_visit=date(2026, 10, 2), interval_days=30, today=date(2026, 11, 1)) is False
    assert not_visited_for_too_long(last_visit=date(2026, 10, 1), interval_days=30, today=date(2026, 11, 1)) is True
