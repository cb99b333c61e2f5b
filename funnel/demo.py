"""Demo funnel for `seed_demo`: opportunities with stage histories over the demo years, weekly
forecast snapshots for the past four quarters, and this quarter's commitments.

Deterministic for a seed and vectorised (numpy), written with the shared COPY writers
(kam.pg_copy: COPY on PostgreSQL, bulk_create elsewhere), so 1M opportunities stay fast.
Each opportunity walks the stages first contact → … → negotiation, then is signed (and maybe
paid) or lost, or is still open; each step takes 3-60 days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from django.core.management.color import no_style
from django.db import connection, models

from accounts.models import Account, Payment, User
from funnel import opportunity_rollup_sql, rollups_sql, walk_rollup_sql, walks_sql
from funnel.domain import stages as s
from funnel.domain.quarters import quarter_of, week_start
from funnel.models import Commitment, ForecastSnapshot, Opportunity, SnapshotLine, StageChange
from kam.pg_copy import model_writer

STAGE_CODES = np.array(s.STAGES, dtype=object)  # index -> code
OPEN_N = len(s.OPEN_STAGES)  # indexes 0-3 are open
SIGNED, PAID, LOST = s.STAGES.index(s.SIGNED), s.STAGES.index(s.PAID), s.STAGES.index(s.LOST)
PROB = np.array([s.DEFAULT_PROBABILITY[code] for code in s.STAGES])
CATEGORY = np.array([s.DEFAULT_CATEGORY[code] for code in s.STAGES], dtype=object)
MAX_STEPS = 6  # first contact, 3 more open stages, signed, paid
PRODUCTS = np.array(["CNC", "Automation", "Spare parts", "Service contract", "Retrofit", "Software"], dtype=object)
NEXT_STEPS = np.array(["Call the buyer", "Send the revised proposal", "Site visit", "Demo for the plant manager",
                       "Meet the CFO", ""], dtype=object)  # fmt: skip
WEEKS = 52


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def seed_funnel(
    *, seed: int, as_of: date, count: int, weeks: int = WEEKS, log: Callable[[str], None] = lambda _m: None
) -> dict[str, int]:
    """Write `count` opportunities on the accounts that have an owner, their stage history,
    snapshots of the past `weeks` weeks (default WEEKS) and commitments for the current quarter.
    Returns counts."""
    owned = Account.objects.filter(owner__isnull=False).order_by("id")
    paying = _account_funnel_stages(owned, as_of=as_of)
    # Every third key account gets no opportunity, so the whitespace list has something to say.
    left_out = list(owned.filter(category="key").values_list("id", flat=True)[::3])
    accounts = np.array(owned.exclude(pk__in=left_out).values_list("id", "owner_id"), dtype=np.int64).reshape(-1, 2)
    if count <= 0 or len(accounts) == 0:
        return {}
    rng = np.random.default_rng([seed, 10])
    n = count
    which = rng.integers(0, len(accounts), size=n)
    account_ids, owner_ids = accounts[which, 0], accounts[which, 1]

    # The walk: how far each got, and whether it closed.
    outcome = rng.choice(3, size=n, p=[0.35, 0.4, 0.25])  # 0 open, 1 won, 2 lost
    reached = rng.integers(0, OPEN_N, size=n)  # the last open stage reached
    paid = rng.random(n) < 0.5
    steps = np.where(outcome == 1, OPEN_N + 1 + paid, np.where(outcome == 2, reached + 2, reached + 1))
    path = np.tile(np.arange(MAX_STEPS), (n, 1))  # stage index per step
    path[outcome == 2, :] = np.minimum(path[outcome == 2, :], LOST)
    lost_rows = np.nonzero(outcome == 2)[0]
    path[lost_rows, reached[lost_rows] + 1] = LOST
    valid = np.arange(MAX_STEPS)[None, :] < steps[:, None]

    # Times: the walk starts up to two years back; each step lasts 3-60 days.
    start_days = rng.integers(0, 730, size=n)
    durations = rng.integers(3, 61, size=(n, MAX_STEPS))
    durations[:, 0] = 0
    offsets = np.cumsum(durations, axis=1)  # days after the start
    at_day = (-start_days)[:, None] + offsets  # days relative to as_of (0 = as_of)
    # A step that would lie in the future has not happened yet: the walk stops there.
    valid &= at_day <= 0
    steps = valid.sum(axis=1)
    final = path[np.arange(n), steps - 1]
    seconds = rng.integers(8 * 3600, 18 * 3600, size=(n, MAX_STEPS))
    last_day = at_day[np.arange(n), steps - 1]
    is_open = final < OPEN_N
    closed = ~is_open

    amount_cents = (np.round(rng.lognormal(11.5, 1.0, size=n) / 100) * 100 * 100).astype(np.int64) + 100_00
    override = np.where(is_open & (rng.random(n) < 0.1), rng.integers(1, 20, size=n) * 5, -1)
    category_override = np.where(is_open & (rng.random(n) < 0.08), "commit", None)
    probability = np.where(override >= 0, override, PROB[final])
    probability[final == LOST] = 0
    category = np.where(category_override != None, category_override, CATEGORY[final])  # noqa: E711 - numpy

    base_day = np.datetime64(as_of, "D")
    close_days = np.where(is_open, rng.integers(-10, 200, size=n), last_day + rng.integers(-15, 16, size=n))
    expected_close = base_day + close_days.astype("timedelta64[D]")
    closed_at = np.where(closed, base_day + last_day.astype("timedelta64[D]"), np.datetime64("NaT"))

    def moments(day_offsets: np.ndarray, second: np.ndarray) -> list[datetime]:
        """as_of + days + seconds, UTC, for whole arrays (numpy does the arithmetic)."""
        stamps = base_day + day_offsets.astype("timedelta64[D]") + second.astype("timedelta64[s]")
        return [moment.replace(tzinfo=UTC) for moment in stamps.astype("datetime64[us]").astype(object).tolist()]

    opp_base = _next_id(Opportunity)
    opp_ids = np.arange(opp_base, opp_base + n)
    writer = model_writer(log)
    now = datetime.now(UTC)
    stage_changed = moments(last_day, seconds[np.arange(n), steps - 1])
    # The three big tables load without their secondary indexes and foreign keys, rebuilt once at
    # the end (1M opportunities, ~4M stage changes, ~10M snapshot lines).
    with writer.bulk_mode([Opportunity, StageChange, SnapshotLine]), _walks_filled_once(first=int(opp_base)):
        writer.write(
            Opportunity,
            {
                "id": opp_ids,
                "account_id": account_ids,
                "external_id": [f"OPP-{seed}-{i:07d}" for i in range(n)],
                "name": [f"{PRODUCTS[i % len(PRODUCTS)]} #{i + 1}" for i in range(n)],
                "product_line": PRODUCTS[rng.integers(0, len(PRODUCTS), size=n)],
                "amount": amount_cents,
                "expected_close_date": expected_close,
                "owner_id": owner_ids,
                "stage": STAGE_CODES[final],
                "probability_override": pd.Series(override, dtype="Int64").mask(override < 0),
                "probability": probability,
                "category_override": list(category_override),
                "forecast_category": category,
                "next_step": np.where(is_open, NEXT_STEPS[rng.integers(0, len(NEXT_STEPS), size=n)], ""),
                "next_step_date": np.where(
                    is_open, base_day + rng.integers(1, 21, size=n).astype("timedelta64[D]"), np.datetime64("NaT")
                ),
                "lost_reason": np.where(final == LOST, "price", ""),
                "closed_at": closed_at,
                "stage_changed_at": stage_changed,
                "created_at": moments(-start_days, seconds[:, 0]),
                "updated_at": stage_changed,  # last touched when last moved: old open deals show as stalled
            },
        )

        if connection.vendor != "postgresql":
            # bulk_create stamps auto_now columns with now; the demo's deals were last touched when moved.
            Opportunity.objects.filter(pk__in=opp_ids.tolist()).update(updated_at=models.F("stage_changed_at"))

        # The history: one row per valid step (from the previous step's stage).
        rows, cols = np.nonzero(valid)
        to_stage = path[rows, cols]
        from_stage = np.where(cols > 0, path[rows, np.maximum(cols - 1, 0)], -1)
        change_base = _next_id(StageChange)
        writer.write(
            StageChange,
            {
                "id": np.arange(change_base, change_base + len(rows)),
                "opportunity_id": opp_ids[rows],
                "account_id": account_ids[rows],
                "from_stage": np.where(from_stage >= 0, STAGE_CODES[np.maximum(from_stage, 0)], ""),
                "to_stage": STAGE_CODES[to_stage],
                "changed_at": moments(at_day[rows, cols], seconds[rows, cols]),
                "changed_by_id": owner_ids[rows],
                "updated_at": now,
            },
        )

        # Weekly snapshots: each Friday, every opportunity open then, at the stage it had then.
        fridays = [week_start(as_of) - timedelta(weeks=k) + timedelta(days=4) for k in range(weeks, 0, -1)]
        ForecastSnapshot.objects.filter(week__in=[week_start(f) for f in fridays]).delete()
        line_base, lines = _next_id(SnapshotLine), 0
        for friday in fridays:
            day = (friday - as_of).days
            happened = valid & (at_day <= day)
            taken = happened.sum(axis=1)
            stage_then = path[np.arange(n), np.maximum(taken - 1, 0)]
            open_then = (taken > 0) & (stage_then < OPEN_N)
            idx = np.nonzero(open_then)[0]
            snapshot = ForecastSnapshot.objects.create(week=week_start(friday), as_of=friday, lines_count=len(idx))
            prob_then = np.where(override[idx] >= 0, override[idx], PROB[stage_then[idx]])
            cat_then = np.where(category_override[idx] != None, category_override[idx], CATEGORY[stage_then[idx]])  # noqa: E711
            writer.write(
                SnapshotLine,
                {
                    "id": np.arange(line_base + lines, line_base + lines + len(idx)),
                    "snapshot_id": snapshot.pk,
                    "opportunity_id": opp_ids[idx],
                    "account_id": account_ids[idx],
                    "owner_id": owner_ids[idx],
                    "amount": amount_cents[idx],
                    "probability": prob_then,
                    "forecast_category": cat_then,
                    "stage": STAGE_CODES[stage_then[idx]],
                    "expected_close_date": expected_close[idx],
                    "updated_at": now,
                },
            )
            lines += len(idx)

    # Commitments for the current quarter: each rep's won to date plus most of their commit deals.
    quarter = quarter_of(as_of)
    reps = User.objects.filter(pk__in=np.unique(owner_ids).tolist(), role=User.Role.REP)
    for rep in reps.order_by("pk"):
        mine = owner_ids == rep.pk
        in_quarter = (expected_close >= np.datetime64(quarter.start)) & (expected_close <= np.datetime64(quarter.end))
        figure = int(
            amount_cents[mine & in_quarter & ((category == "commit") | (final >= SIGNED) & (final != LOST))].sum()
        )
        Commitment.objects.update_or_create(
            owner=rep, quarter=quarter.label, defaults={"amount": Decimal(figure).scaleb(-2)}
        )
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Opportunity, StageChange, SnapshotLine]):
            cursor.execute(sql)
    return {"opportunities": n, "stage changes": len(rows), "snapshot lines": lines, **paying}


@contextmanager
def _walks_filled_once(*, first: int) -> Iterator[None]:
    """On PostgreSQL, load the history with the stage-walk triggers off (each COPY would fold its
    opportunities again, over a history without indexes) and fold the walks of opportunities
    from id `first` on once at the end (funnel/walks_sql.py); the snapshot lines likewise, with
    the roll-up filled from all lines at the end (funnel/rollups_sql.py); the opportunities too,
    their roll-up filled once after the accounts' audiences are (funnel/opportunity_rollup_sql.py,
    whose audience triggers stay off while rollups_sql.FILL rewrites every audience row), and the
    walk roll-up from all walks after both (funnel/walk_rollup_sql.py). Inside the seed's
    transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    table = connection.ops.quote_name(StageChange._meta.db_table)
    lines = connection.ops.quote_name(SnapshotLine._meta.db_table)
    with connection.cursor() as cursor:
        for trigger in walks_sql.TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        # The snapshot roll-up (funnel/rollups_sql.py) likewise: folded from all lines once.
        for trigger in rollups_sql.LINE_TRIGGERS:
            cursor.execute(f"ALTER TABLE {lines} DISABLE TRIGGER {trigger}")
        for rolled, triggers in opportunity_rollup_sql.TRIGGERS.items():
            for trigger in triggers:
                cursor.execute(f"ALTER TABLE {rolled} DISABLE TRIGGER {trigger}")
        # The walk roll-up (funnel/walk_rollup_sql.py) likewise: folded from all walks once, last.
        for walk_table, trigger in walk_rollup_sql.TRIGGERS:
            cursor.execute(f"ALTER TABLE {walk_table} DISABLE TRIGGER {trigger}")
    yield
    with connection.cursor() as cursor:
        for trigger in walks_sql.TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        for statement in walks_sql.FILL:
            cursor.execute(statement, [first])
        for trigger in rollups_sql.LINE_TRIGGERS:
            cursor.execute(f"ALTER TABLE {lines} ENABLE TRIGGER {trigger}")
        for statement in rollups_sql.FILL:
            cursor.execute(statement)
        for rolled, triggers in opportunity_rollup_sql.TRIGGERS.items():
            for trigger in triggers:
                cursor.execute(f"ALTER TABLE {rolled} ENABLE TRIGGER {trigger}")
        for statement in opportunity_rollup_sql.FILL:
            cursor.execute(statement)
        for walk_table, trigger in walk_rollup_sql.TRIGGERS:
            cursor.execute(f"ALTER TABLE {walk_table} ENABLE TRIGGER {trigger}")
        for statement in walk_rollup_sql.FILL:
            cursor.execute(statement)


def _account_funnel_stages(owned: models.QuerySet, *, as_of: date) -> dict[str, int]:
    """Spread the accounts over the account funnel: the generated history has every account
    ordering and paying for years (all signed). Every fifth account has paid nothing yet (it
    stays at its tier's stage, its invoices overdue: a credit risk), and every other account
    that paid this quarter paid nothing before it (its first payment falls in the quarter), so
    the quarter's conversion has movers. Payments stay one per billed order (the ERP's shape)."""
    ids = list(owned.values_list("id", flat=True))
    unpaid = ids[1::5]
    start = quarter_of(as_of).start
    paying_now = Payment.objects.filter(paid_on__gte=start, paid_on__lte=as_of).values("account_id")
    new_payers = list(owned.filter(pk__in=paying_now).exclude(pk__in=unpaid).values_list("id", flat=True)[::2])
    held = Payment.objects.filter(account_id__in=unpaid, paid_on__isnull=False).update(paid_on=None)
    held += Payment.objects.filter(account_id__in=new_payers, paid_on__lt=start).update(paid_on=None)
    return {"payments held back for the account funnel": held}
