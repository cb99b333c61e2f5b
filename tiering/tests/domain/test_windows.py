from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tiering.domain.windows import Moved, month_end, month_start, window_months, window_plan


def days_in(lo: date, hi: date) -> list[date]:
    """The days of (lo, hi]."""
    return [lo + timedelta(days=n) for n in range(1, (hi - lo).days + 1)]


def days_covered(whole: list[date], edges: list[tuple[date, date]]) -> list[date]:
    covered = [day for month in whole for day in days_in(month - timedelta(days=1), month_end(month))]
    return covered + [day for lo, hi in edges for day in days_in(lo, hi)]


def test_whole_months_and_cut_months_cover_the_two_windows_once() -> None:
    # given windows of half a year each, as of 2026-11-24
    previous_start, start, as_of = date(2025, 11, 24), date(2026, 5, 24), date(2026, 11, 24)

    # when
    whole, edges = window_months(previous_start=previous_start, start=start, as_of=as_of)

    # then the months each boundary cuts are ranges; the rest are whole
    assert whole == [date(2025, 12, 1), *(date(2026, m, 1) for m in (1, 2, 3, 4, 6, 7, 8, 9, 10))]
    assert edges == [
        (date(2025, 11, 24), date(2025, 11, 30)),
        (date(2026, 4, 30), date(2026, 5, 31)),
        (date(2026, 10, 31), date(2026, 11, 24)),
    ]
    assert sorted(days_covered(whole, edges)) == days_in(previous_start, as_of)


@given(
    as_of=st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)),
    window_days=st.integers(min_value=1, max_value=800),
)
def test_every_day_of_the_two_windows_is_planned_exactly_once(as_of: date, window_days: int) -> None:
    # given any as-of date and window length
    start = as_of - timedelta(days=window_days)
    previous_start = start - timedelta(days=window_days)

    # when
    whole, edges = window_months(previous_start=previous_start, start=start, as_of=as_of)

    # then whole months and cut ranges tile (P, D] with no gap and no overlap
    assert sorted(days_covered(whole, edges)) == days_in(previous_start, as_of)
    # and no whole month straddles the boundary S between the windows
    assert [m for m in whole if m <= start < month_end(m)] == []


def test_a_nightly_plan_reads_only_the_shorter_half_of_the_month_the_windows_meet_in() -> None:
    # when: S = 2025-11-24, P = 2024-11-24
    plan = window_plan(as_of=date(2026, 11, 24), window_days=365)

    # then
    assert plan.start == date(2025, 11, 24)
    assert plan.cut == [(date(2024, 11, 24), date(2024, 11, 30))]  # the month of P
    assert plan.moved == Moved(date(2025, 11, 24), date(2025, 11, 30), +1)  # 6 days, not 24
    assert plan.as_of_month == (date(2026, 10, 31), date(2026, 11, 24))
    # every month from December 2024 to November 2026 comes from the roll-up
    assert plan.months == [date(2024 + (11 + n) // 12, (11 + n) % 12 + 1, 1) for n in range(24)]
    assert (plan.months[0], plan.months[-1]) == (date(2024, 12, 1), date(2026, 11, 1))
    assert plan.current_from == date(2025, 12, 1)  # November 2025 counts in the earlier window


def test_a_plan_moves_the_earlier_half_out_when_it_is_the_shorter() -> None:
    # when: S = 2025-11-03, so the earlier half of November 2025 is the shorter
    early = window_plan(as_of=date(2026, 11, 3), window_days=365)

    # then
    assert early.moved == Moved(date(2025, 10, 31), date(2025, 11, 3), -1)
    assert early.current_from == date(2025, 11, 1)


def test_month_helpers_know_month_lengths() -> None:
    assert [month_end(date(2024, 2, 10)), month_end(date(2025, 2, 1)), month_end(date(2025, 12, 31))] == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2025, 12, 31),
    ]
    assert month_start(date(2025, 7, 19)) == date(2025, 7, 1)
