"""Contact rhythm (DOMAIN.md "Plans" → contact plan, 客户接触计划): pure date arithmetic.

Days are calendar days in the sales team's time zone: an activity at 23:30 on 3 March in
Shanghai is a contact on 3 March even though it is 15:30 UTC. No Django imports here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The calendar day of the aware `moment` in `zone`. ValueError for a naive datetime
    (its day would depend on the server's clock, not on the team's zone)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a contact moment needs a time zone")
    return moment.astimezone(zone).date()


def day_start(day: date, zone: tzinfo) -> datetime:
    """The first instant (aware, UTC) of the local `day` in `zone`: a moment falls on an earlier
    local day than `day` exactly when it is before this instant. local_day's inverse, so that
    stored timestamps can be compared with a day as they are, in an index, rather than each
    converted. Exact across clock changes (a skipped midnight, a whole skipped day), in every
    zone whose local date never goes backwards."""
    # The first whole second whose local day is `day` or later, by bisection on the UTC line:
    # clock changes fall on whole seconds, and the day begins within two days of its midnight
    # read as UTC. (Midnight with fold 0 is right in most zones, but not where a change skips
    # from before midnight to after it.)
    naive = datetime.combine(day, time.min, tzinfo=UTC)
    low, high = -2 * 86_400, 2 * 86_400  # seconds from `naive`: before the day, on or after it
    while high - low > 1:
        middle = (low + high) // 2
        if (naive + timedelta(seconds=middle)).astimezone(zone).date() < day:
            low = middle
        else:
            high = middle
    return naive + timedelta(seconds=high)


def last_contact_day(moments: Iterable[datetime], zone: tzinfo) -> date | None:
    """The latest local day among `moments` (aware datetimes), None when there are none.

    An activity logged late (entered today for last week) counts on the day it happened."""
    days = [local_day(moment, zone) for moment in moments]
    return max(days) if days else None


def next_contact_day(*, last_contact: date | None, interval_days: int, starts_on: date) -> date:
    """When the next contact is due: `interval_days` after the last contact, never before
    `starts_on` (the day the contact plan began), and `starts_on` when nobody was in touch yet.

    interval_days ≥ 1, else ValueError. Example: last contact 2026-03-03, every 14 days → 2026-03-17.
    """
    if interval_days < 1:
        raise ValueError("a contact interval is at least one day")
    if last_contact is None:
        return starts_on
    return max(last_contact + timedelta(days=interval_days), starts_on)


def is_overdue(*, due: date, today: date) -> bool:
    """Due on a day that has passed: a contact due today is not overdue until tomorrow."""
    return today > due


def days_overdue(*, due: date, today: date) -> int:
    """Whole days past `due` (0 when not overdue)."""
    return max(0, (today - due).days)
