"""Visits (拜访): the follow-up rhythm per account category and "not visited for too long". Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from plans.domain.contacts import day_start

# Days between visits per account category (key accounts most often); an account may override.
VISIT_INTERVAL_DAYS = {"key": 30, "normal": 60, "possible": 90, "unattractive": 180}
DEFAULT_INTERVAL_DAYS = 90  # an account no run has placed yet


def visit_interval(*, category: str, override: int | None = None, intervals: dict[str, int] | None = None) -> int:
    """The days between visits: the account's own when set, else its category's (from
    `intervals`, a director's settings overlaid by `intervals_with`; VISIT_INTERVAL_DAYS when
    None). ValueError for an override below one day."""
    if override is not None:
        if override < 1:
            raise ValueError("a visit interval is at least one day")
        return override
    return (VISIT_INTERVAL_DAYS if intervals is None else intervals).get(category, DEFAULT_INTERVAL_DAYS)


def next_visit_day(*, last_visit: date | None, interval_days: int, today: date) -> date:
    """When the next visit should be: `interval_days` after the last one, but never in the past
    (an overdue visit is planned for today); today when there never was one."""
    if last_visit is None:
        return today
    return max(last_visit + timedelta(days=interval_days), today)


def not_visited_for_too_long(*, last_visit: date | None, interval_days: int, today: date) -> bool:
    """No visit within the interval: more than `interval_days` since the last (or never)."""
    return last_visit is None or (today - last_visit).days > interval_days


def intervals_with(settings: dict[str, int]) -> dict[str, int]:
    """The interval per category: VISIT_INTERVAL_DAYS overlaid with a director's `settings`
    (category -> days, from plans.models.VisitCategoryInterval)."""
    return {**VISIT_INTERVAL_DAYS, **settings}


# --- visit completion rate --------------------------------------------------------------------

RATE_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


def rate_period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a month ("2026-11") or a quarter ("2026-Q4", calendar quarters).
    ValueError for anything else."""
    match = RATE_PERIOD.match(period)
    if match is None:
        raise ValueError(f"a period is a month (2026-11) or a quarter (2026-Q4), not {period!r}")
    year = int(match[1])
    first_month = int(match[2]) if match[2] else 3 * (int(match[3]) - 1) + 1
    months = 1 if match[2] else 3
    start = date(year, first_month, 1)
    after_month = first_month + months
    after = date(year + 1, after_month - 12, 1) if after_month > 12 else date(year, after_month, 1)
    return start, after - timedelta(days=1)


@dataclass(frozen=True)
class VisitCount:
    """One row of the grouped query: `n` visits of `owner` with `status`, planned for `planned_on`
    (the visit's final day: moving a visit changes this day, it never adds a visit)."""

    owner: int
    status: str  # "planned", "done" or "skipped" (plans.models.Visit.Status)
    planned_on: date
    n: int


@dataclass(frozen=True)
class Completion:
    """A rep's (or a team's) visits in a period. `due` = done + skipped + missed; `rate` is
    done / due (0..1, None when nothing fell due)."""

    key: object  # the rep's or the team's id
    due: int
    done: int
    skipped: int
    missed: int  # still planned after its day
    rate: Decimal | None


def completion(*, key: object, rows: Iterable[VisitCount], start: date, end: date, today: date) -> Completion:
    """The visit completion rate of `rows` (one rep's or one team's) for the period
    `start`..`end` (inclusive days), as of `today`.

    A visit counts when its final planned day falls in the period and is due: on or before
    `today` (a visit planned for later this month has not fallen due yet), or done already
    (checked in early). A visit moved to another day counts once, on its final day (a move
    keeps one row and changes its day). Done = checked in (plans.services.visit_check_in).
    A visit skipped with a reason is due and not done; a planned visit whose day has passed is
    due and missed. Rate = done / due, rounded to 4 places; None when nothing fell due.
    """
    done = skipped = missed = 0
    last = min(end, today)
    for row in rows:
        if not start <= row.planned_on <= end:
            continue
        if row.status == "done":
            done += row.n
        elif row.planned_on > last:
            continue  # not due yet
        elif row.status == "skipped":
            skipped += row.n
        elif row.planned_on < today:  # today's visit is not missed before the day ends
            missed += row.n
    due = done + skipped + missed
    rate = (Decimal(done) / Decimal(due)).quantize(Decimal("0.0001")) if due else None
    return Completion(key, due, done, skipped, missed, rate)


def completion_rates(
    *, rows: Iterable[VisitCount], teams: dict[int, int | None], start: date, end: date, today: date
) -> tuple[list[Completion], list[Completion]]:
    """Per rep and per team: `teams` maps every rep to report (rep id -> team id or None) and
    decides the reps listed (a rep without visits has due 0). Teams are summed from their reps'
    rows (a rep with no team is in no team). Returns (per rep in `teams` order, per team by id)."""
    by_rep: dict[int, list[VisitCount]] = {rep: [] for rep in teams}
    for row in rows:
        if row.owner in by_rep:
            by_rep[row.owner].append(row)
    per_rep = [completion(key=rep, rows=by_rep[rep], start=start, end=end, today=today) for rep in teams]
    by_team: dict[int, list[VisitCount]] = {}
    for rep, team in teams.items():
        if team is not None:
            by_team.setdefault(team, []).extend(by_rep[rep])
    per_team = [completion(key=team, rows=by_team[team], start=start, end=end, today=today) for team in sorted(by_team)]
    return per_rep, per_team


def not_visited_cutoff(*, today: date, interval_days: int, zone: tzinfo) -> datetime:
    """The instant before which a last visit is "too long ago" for `interval_days` as of the
    local `today` in `zone`: for a visit at `moment`, `moment < cutoff` exactly when
    not_visited_for_too_long(last_visit=local_day(moment, zone), …) holds (more than the
    interval since its local day). So the accounts flagged are an index range of the stored
    visit timestamp, one per interval, with no day stored (plans.selectors.not_visited)."""
    # Flagged: today - last day > interval, i.e. the last day is before today - interval.
    return day_start(today - timedelta(days=interval_days), zone)
