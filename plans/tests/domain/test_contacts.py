"""Contact rhythm: local days, last contact, next contact, overdue (no database)."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plans.domain.contacts import day_start, days_overdue, is_overdue, last_contact_day, local_day, next_contact_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def test_a_late_evening_in_shanghai_is_that_day_although_utc_is_still_the_day_before() -> None:
    # given 23:30 on 3 March in Shanghai (15:30 UTC)
    moment = datetime(2026, 3, 3, 15, 30, tzinfo=UTC)
    # then the contact is on 3 March there, and still 3 March in UTC
    assert local_day(moment, SHANGHAI) == date(2026, 3, 3)
    assert local_day(datetime(2026, 3, 3, 16, 0, tzinfo=UTC), SHANGHAI) == date(2026, 3, 4)
    assert local_day(datetime(2026, 3, 3, 15, 59, 59, tzinfo=UTC), SHANGHAI) == date(2026, 3, 3)


def test_midnight_belongs_to_the_day_it_starts() -> None:
    assert local_day(datetime(2026, 3, 4, 0, 0, tzinfo=SHANGHAI), SHANGHAI) == date(2026, 3, 4)
    assert local_day(datetime(2026, 3, 3, 23, 59, 59, 999999, tzinfo=SHANGHAI), SHANGHAI) == date(2026, 3, 3)


def test_a_moment_given_in_another_zone_counts_on_the_team_zone_day() -> None:
    # 20:00 on 3 March in New York (EST, UTC-5) is 09:00 on 4 March in Shanghai
    assert local_day(datetime(2026, 3, 3, 20, 0, tzinfo=NEW_YORK), SHANGHAI) == date(2026, 3, 4)
    # across the US daylight-saving change (8 March 2026): 20:00 EDT is UTC-4 → 08:00 next day
    assert local_day(datetime(2026, 3, 9, 20, 0, tzinfo=NEW_YORK), SHANGHAI) == date(2026, 3, 10)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        local_day(datetime(2026, 3, 3, 10, 0), SHANGHAI)  # noqa: DTZ001 - the point of the test


def test_the_last_contact_is_the_latest_day_whatever_order_they_were_logged_in() -> None:
    # given an activity logged late (entered after a newer one)
    moments = [
        datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI),
        datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI),  # logged late: it happened earlier
        datetime(2026, 3, 10, 1, 0, tzinfo=timezone(timedelta(hours=-8))),  # 17:00 on 10 March in Shanghai
    ]
    assert last_contact_day(moments, SHANGHAI) == date(2026, 3, 10)
    assert last_contact_day([], SHANGHAI) is None


@pytest.mark.parametrize(
    ("last", "interval", "starts", "expected"),
    [
        (date(2026, 3, 3), 14, date(2026, 1, 1), date(2026, 3, 17)),
        (date(2026, 2, 28), 1, date(2026, 1, 1), date(2026, 3, 1)),  # across a month end
        (date(2028, 2, 28), 1, date(2028, 1, 1), date(2028, 2, 29)),  # a leap day
        (date(2026, 12, 20), 30, date(2026, 1, 1), date(2027, 1, 19)),  # across a year end
        (None, 30, date(2026, 5, 6), date(2026, 5, 6)),  # nobody in touch yet: due from the start
        (date(2025, 1, 10), 30, date(2026, 5, 6), date(2026, 5, 6)),  # long ago: due when the plan starts
        (date(2026, 5, 1), 30, date(2026, 5, 6), date(2026, 5, 31)),  # just before the start: the rhythm holds
    ],
)
def test_the_next_contact_is_the_interval_after_the_last(last, interval, starts, expected) -> None:  # noqa: ANN001
    assert next_contact_day(last_contact=last, interval_days=interval, starts_on=starts) == expected


def test_an_interval_below_one_day_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        next_contact_day(last_contact=None, interval_days=0, starts_on=date(2026, 1, 1))


def test_a_contact_due_today_is_overdue_only_from_tomorrow() -> None:
    due = date(2026, 3, 17)
    assert (is_overdue(due=due, today=date(2026, 3, 16)), days_overdue(due=due, today=date(2026, 3, 16))) == (False, 0)
    assert (is_overdue(due=due, today=due), days_overdue(due=due, today=due)) == (False, 0)
    assert (is_overdue(due=due, today=date(2026, 3, 18)), days_overdue(due=due, today=date(2026, 3, 18))) == (True, 1)


# Zones whose clocks change at or across midnight (São Paulo and Havana skipped midnight,
# Santiago changes at 24:00, Lord Howe by half an hour, Apia skipped 30 December 2011 whole),
# besides the usual.
ZONES = [
    "UTC",
    "Asia/Shanghai",
    "America/New_York",
    "Europe/London",
    "America/Sao_Paulo",
    "America/Havana",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Asia/Kathmandu",
]
moments = st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))


@given(moment=moments, zone=st.sampled_from(ZONES), shift=st.integers(-2, 2))
def test_a_moment_is_on_an_earlier_day_exactly_when_it_is_before_that_days_start(moment, zone, shift) -> None:  # noqa: ANN001
    # given a moment and a day around its own local day, in a zone
    zone = ZoneInfo(zone)
    day = local_day(moment, zone) + timedelta(days=shift)
    start = day_start(day, zone)
    # then the moment's local day is earlier exactly when the moment is before the day's start,
    # and the start itself is on that day (or on a later one, when the whole day was skipped)
    assert (local_day(moment, zone) < day) == (moment < start)
    assert local_day(start, zone) >= day
    assert local_day(start - timedelta(microseconds=1), zone) < day


def test_a_day_starts_at_its_local_midnight_or_where_a_clock_change_skipped_it() -> None:
    # Shanghai: midnight, 16:00 UTC the evening before
    assert day_start(date(2026, 3, 4), SHANGHAI) == datetime(2026, 3, 3, 16, tzinfo=UTC)
    # São Paulo skipped 00:00-01:00 on 4 November 2018: the day began at 01:00 local (03:00 UTC)
    assert day_start(date(2018, 11, 4), ZoneInfo("America/Sao_Paulo")) == datetime(2018, 11, 4, 3, tzinfo=UTC)
    # Apia skipped 30 December 2011: it "began" with the 31st, at 10:00 UTC on the 30th
    apia = ZoneInfo("Pacific/Apia")
    assert day_start(date(2011, 12, 30), apia) == day_start(date(2011, 12, 31), apia)
    assert day_start(date(2011, 12, 31), apia) == datetime(2011, 12, 30, 10, tzinfo=UTC)
