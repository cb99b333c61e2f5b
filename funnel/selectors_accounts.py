"""The dashboard's account charts (issue 10): the account funnel and its conversion over the
period, the tier matrix heatmap, tier migrations, RFM segments and revenue by pyramid class.

Every chart reads the accounts of the dashboard's scope (`accounts_in_scope`: visible to the
person, the rep's or team's by owner, narrowed by region, industry and tier) and counts in the
database with one grouped query; rules are in funnel.domain.account_funnel. The tiering charts
read the scoring run that was current when the period ended (the newest successful run as of
then), migrations compare it with the one current when the period began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import CharField, Count, F, FilteredRelation, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account, Invoice, Order, Payment, User
from accounts.visibility import sees_everything
from funnel.domain import account_funnel as af
from funnel.domain.quarters import Quarter
from funnel.selectors import Scope, people_visible_to
from tiering.domain.matrix import LETTERS, TIER_CATEGORY
from tiering.domain.rfm import SEGMENTS
from tiering.models import AccountScore, ScoringRun

ZERO = Decimal("0")
CENT = Decimal("0.01")
PARETO_CLASSES = ("A", "B", "C")


def accounts_in_scope(*, user: User, scope: Scope) -> QuerySet[Account]:
    """The accounts whose figures the dashboard shows: visible to `user`, owned by the scope's
    rep or a member of its team, or without a scope by the people `user` sees (a director: all);
    narrowed to the scope's region, industry and tier."""
    accounts = scope.accounts(Account.objects.visible_to(user), prefix="")
    if scope.owner is not None:
        return accounts.filter(owner=scope.owner)
    if scope.team is not None:
        return accounts.filter(owner__team=scope.team)
    if sees_everything(user):
        return accounts
    return accounts.filter(owner__in=people_visible_to(user).values("pk"))


# ---- the account funnel ----------------------------------------------------------------------


def _stage_sql(*, category: str, signed: str, fully_paid: str) -> str:
    """funnel.domain.account_funnel.account_stage as a SQL CASE over three SQL expressions."""
    by_category = " ".join(f"WHEN {category} = '{value}' THEN '{stage}'" for value, stage in af.CATEGORY_STAGE.items())
    return (
        f"CASE WHEN ({signed}) AND ({fully_paid}) THEN '{af.QUALIFIED_SIGNED}' WHEN ({signed}) THEN '{af.SIGNED}' "
        f"{by_category} ELSE '{af.TARGET_MARKET}' END"
    )


@dataclass(frozen=True)
class AccountFunnelRow:
    stage: str  # funnel.domain.account_funnel.STAGES
    at_stage: int  # accounts at this stage now
    reached: int  # accounts at this stage or a later one: the funnel's bar
    revenue: Decimal  # orders in the period of the accounts at this stage (currency units)
    conversion: af.StageConversion  # over the period


@dataclass(frozen=True)
class AccountFunnel:
    start: date  # conversion compares the accounts as they stood the day before this
    end: date  # with how they stand at the end of this day (the period's end, or today)
    rows: list[AccountFunnelRow]


def facts_apply() -> bool:
    """Whether the account facts kept by triggers (funnel/facts_sql.py) are there: PostgreSQL."""
    return connection.vendor == "postgresql"


def _scores_joined() -> str:
    """The account's score in the run current the day before the period (s0) and at its end (s1):
    on PostgreSQL an index-only probe each (tiering/0007's covering index)."""
    scores = connection.ops.quote_name(AccountScore._meta.db_table)
    return f"""
        LEFT JOIN {scores} s0 ON s0.account_id = a.id AND s0.run_id = %s AND NOT s0.is_group
        LEFT JOIN {scores} s1 ON s1.account_id = a.id AND s1.run_id = %s AND NOT s1.is_group
    """


def _funnel_live(
    accounts_sql: str, accounts_params: tuple, *, quarter: Quarter, before: date, end: date, ended: bool
) -> tuple[str, list]:
    """The account funnel's grouped query aggregating each account's orders and receivables
    (SQLite, and the meaning the facts reproduce): its SQL, and its parameters up to the
    score joins'. Not `ended`: the period runs, its stage at the end is now."""
    qn = connection.ops.quote_name

    def open_on(day: str) -> str:
        return (
            f"SUM(CASE WHEN (p.paid_on IS NULL OR p.paid_on > {day}) "
            f"AND COALESCE(o.ordered_at, i.issued_on, p.due_on) <= {day} THEN 1 ELSE 0 END)"
        )

    def signed_on(day: str | None) -> str:
        if day is None:
            return "ord.first_purchase IS NOT NULL AND paid.first_paid IS NOT NULL"
        return f"ord.first_purchase <= {day} AND paid.first_paid <= {day}"

    now = _stage_sql(category="a.category", signed=signed_on(None), fully_paid="COALESCE(pay.open_now, 0) = 0")
    at_start = _stage_sql(
        category="COALESCE(s0.category, '')", signed=signed_on("%s"), fully_paid="COALESCE(pay.open_before, 0) = 0"
    )
    at_end = (
        _stage_sql(
            category="COALESCE(s1.category, '')", signed=signed_on("%s"), fully_paid="COALESCE(pay.open_end, 0) = 0"
        )
        if ended
        else now
    )
    sql = f"""
        WITH a AS ({accounts_sql}),
        ord AS (
            SELECT account_id,
                   MIN(CASE WHEN amount > 0 THEN ordered_at END) AS first_purchase,
                   SUM(CASE WHEN ordered_at >= %s AND ordered_at <= %s THEN amount ELSE 0 END) AS revenue
            FROM {qn(Order._meta.db_table)} JOIN a ON a.id = account_id
            WHERE status <> %s
            GROUP BY account_id
        ),
        paid AS (
            SELECT account_id, MIN(paid_on) AS first_paid
            FROM {qn(Payment._meta.db_table)} JOIN a ON a.id = account_id
            WHERE paid_on IS NOT NULL
            GROUP BY account_id
        ),
        pay AS (
            -- only receivables that may be open on one of the days: unpaid, or paid after the first
            SELECT p.account_id,
                   SUM(CASE WHEN p.paid_on IS NULL THEN 1 ELSE 0 END) AS open_now,
                   {open_on("%s")} AS open_before, {open_on("%s")} AS open_end
            FROM {qn(Payment._meta.db_table)} p
            JOIN a ON a.id = p.account_id
            LEFT JOIN {qn(Order._meta.db_table)} o ON o.id = p.order_id
            LEFT JOIN {qn(Invoice._meta.db_table)} i ON i.id = p.invoice_id
            WHERE (p.paid_on IS NULL OR p.paid_on > %s)
            GROUP BY p.account_id
        )
        SELECT {now}, {at_start}, {at_end}, COUNT(*), SUM(COALESCE(ord.revenue, 0))
        FROM a
        LEFT JOIN ord ON ord.account_id = a.id
        LEFT JOIN paid ON paid.account_id = a.id
        LEFT JOIN pay ON pay.account_id = a.id
        {_scores_joined()}
        GROUP BY 1, 2, 3
    """  # noqa: S608 - identifiers from _meta and constants, values bound
    params = [
        *accounts_params,
        quarter.start,
        quarter.end,
        Order.Status.CANCELLED,
        *([before] * 2 + [end] * 2),  # open receivables on each day
        before,  # which may be open
        *([before] * 4),  # signed the day before the period (twice in the CASE)
        *([end] * 4 if ended else []),  # signed at its end
    ]
    return sql, params


def _funnel_from_facts(
    accounts_sql: str, accounts_params: tuple, *, quarter: Quarter, before: date, end: date, ended: bool
) -> tuple[str, list]:
    """As `_funnel_live`, reading each account's first purchase, first payment and open
    receivables from its row of the facts kept by triggers (funnel/facts_sql.py, PostgreSQL):
    the same stages; only the period's orders are read, for the revenue."""

    def signed_on(day: str | None) -> str:
        if day is None:
            return "f.first_purchase IS NOT NULL AND f.first_paid IS NOT NULL"
        return f"f.first_purchase <= {day} AND f.first_paid <= {day}"

    def fully_paid_on(day: str) -> str:  # no row: nothing was ever open
        return f"NOT COALESCE(f.open_days @> {day}::date, false)"

    now = _stage_sql(category="a.category", signed=signed_on(None), fully_paid="COALESCE(f.unpaid, 0) = 0")
    at_start = _stage_sql(category="COALESCE(s0.category, '')", signed=signed_on("%s"), fully_paid=fully_paid_on("%s"))
    at_end = (
        _stage_sql(category="COALESCE(s1.category, '')", signed=signed_on("%s"), fully_paid=fully_paid_on("%s"))
        if ended
        else now
    )
    orders = connection.ops.quote_name(Order._meta.db_table)
    sql = f"""
        SELECT {now}, {at_start}, {at_end}, COUNT(*), SUM(COALESCE(ord.revenue, 0))
        FROM ({accounts_sql}) AS a
        LEFT JOIN funnel_accountfacts f ON f.account_id = a.id
        -- the period's orders of every account (a few thousand: a BRIN range), then joined
        LEFT JOIN (
            SELECT account_id, SUM(amount) AS revenue
            FROM {orders}
            WHERE ordered_at >= %s AND ordered_at <= %s AND status <> %s
            GROUP BY account_id
        ) AS ord ON ord.account_id = a.id
        {_scores_joined()}
        GROUP BY 1, 2, 3
    """  # noqa: S608 - identifiers from _meta and constants, values bound
    # each CASE names its day twice when signed (and fully paid) and once more when fully paid
    days = [*([before] * 5), *([end] * 5 if ended else [])]
    return sql, [*days, *accounts_params, quarter.start, quarter.end, Order.Status.CANCELLED]


def account_funnel(*, user: User, scope: Scope, quarter: Quarter, today: date | None = None) -> AccountFunnel:
    """Accounts and their orders in `quarter` (not cancelled, credit notes netted) per funnel
    stage now, and stage-to-stage conversion over the quarter (up to `today` while it runs).

    One grouped query: each account's first purchase, first payment and open receivables (now
    and on both days) are read from its row of the account facts kept by triggers on
    PostgreSQL (funnel/facts_sql.py; only the period's orders are read, for the revenue), and
    aggregated per account and joined elsewhere, never looked up account by account;
    its category on a past day is the one in the run current then (`run_as_of`: untiered when
    that run did not place it). A receivable is open on a day when it is unpaid then and existed
    (its order's date, else its invoice's, else its due date, on or before that day)."""
    today = today or timezone.localdate()
    end = min(quarter.end, today)
    before = quarter.start - timedelta(days=1)
    ended = end < today
    runs = (run_as_of(before), run_as_of(end) if ended else None)
    accounts_sql, accounts_params = (
        accounts_in_scope(user=user, scope=scope).order_by().values("id", "category").query.sql_with_params()
    )
    build = _funnel_from_facts if facts_apply() else _funnel_live
    sql, params = build(accounts_sql, accounts_params, quarter=quarter, before=before, end=end, ended=ended)
    params = [
        *params,
        getattr(runs[0], "pk", None),
        getattr(runs[1], "pk", None),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # JIT-compiling this one-off query costs seconds and saves less (as tiering/window_figures.py).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        grouped = cursor.fetchall()
    at_stage = dict.fromkeys(af.STAGES, 0)
    revenue = dict.fromkeys(af.STAGES, ZERO)
    for stage_now, _start, _end, count, total in grouped:
        at_stage[stage_now] += count
        revenue[stage_now] += Decimal(total or 0)
    conversions = af.conversion((stage_start, stage_end, count) for _now, stage_start, stage_end, count, _t in grouped)
    reached = af.reached(at_stage)
    return AccountFunnel(
        start=quarter.start,
        end=end,
        rows=[
            AccountFunnelRow(stage, at_stage[stage], reached[stage], revenue[stage].quantize(CENT), conversion)
            for stage, conversion in zip(af.STAGES, conversions, strict=True)
        ],
    )


# ---- tiering: matrix, segments, pyramid, migrations ------------------------------------------


def run_as_of(day: date) -> ScoringRun | None:
    """The run that was current at the end of `day`: the newest successful one as of then."""
    runs = ScoringRun.objects.filter(status=ScoringRun.Status.SUCCEEDED, as_of__lte=day)
    return runs.order_by("-as_of", "-id").first()


@dataclass(frozen=True)
class Cell:
    label: str  # a tier, an RFM segment or a pyramid class
    accounts: int
    revenue: Decimal  # window revenue (the run's monetary), currency units


@dataclass(frozen=True)
class Migration:
    before: str  # the tier in the earlier run, "" when it had not tiered the account
    after: str
    accounts: int


@dataclass(frozen=True)
class TieringCharts:
    run: ScoringRun | None  # current at the period's end; None: no run by then
    previous: ScoringRun | None  # current when the period began
    matrix: list[list[Cell]]  # 3 rows (A, B, C) × 6 positions, zeros included
    segments: list[Cell]  # every RFM segment in SEGMENTS order, zeros included
    pyramid: list[Cell]  # pyramid classes A, B, C
    migrations: list[Migration]  # accounts whose tier changed, most first


def _tier_groups(*, user: User, scope: Scope, run: ScoringRun, previous: ScoringRun | None) -> list[dict]:
    """The scores of `run` over the accounts in scope grouped by tier, segment, pyramid class and
    the tier in `previous` ("" where it did not place the account; the run's own tier without
    `previous`): dicts of tier, segment, pareto_class, before, n and revenue (Σ monetary, Decimal).

    On PostgreSQL one statement that starts from the accounts in scope and probes each one's
    score in each run through tiering/0007's covering index (run, account; no table visit);
    elsewhere the ORM's grouped query, its Decimal sums converted by Django."""
    in_scope = accounts_in_scope(user=user, scope=scope)
    if not scores_covered():
        scores = AccountScore.objects.filter(run=run, is_group=False, account__in=in_scope.values("pk"))
        if previous is not None:
            # A join on the account's score in the earlier run (one at most: unique per account,
            # run and kind). The matrix and the migrations come from the same groups.
            earlier = FilteredRelation(
                "account__scores", condition=Q(account__scores__run=previous, account__scores__is_group=False)
            )
            scores = scores.annotate(earlier=earlier).annotate(
                before=Coalesce(F("earlier__tier"), Value(""), output_field=CharField())
            )
        else:
            scores = scores.annotate(before=F("tier"))
        return list(
            scores.order_by()
            .values("tier", "segment", "pareto_class", "before")
            .annotate(n=Count("id"), revenue=Sum("monetary"))
        )
    accounts_sql, accounts_params = in_scope.order_by().values("id").query.sql_with_params()
    scores = connection.ops.quote_name(AccountScore._meta.db_table)
    earlier = f"LEFT JOIN {scores} p ON p.account_id = a.id AND p.run_id = %s AND NOT p.is_group" if previous else ""
    sql = f"""
        SELECT s.tier, s.segment, s.pareto_class, {"COALESCE(p.tier, '')" if previous else "s.tier"},
               COUNT(*), SUM(s.monetary)
        FROM ({accounts_sql}) AS a
        JOIN {scores} s ON s.account_id = a.id AND s.run_id = %s AND NOT s.is_group
        {earlier}
        GROUP BY 1, 2, 3, 4
    """  # noqa: S608 - identifiers from _meta, values bound
    params = [*accounts_params, run.pk, *([previous.pk] if previous else [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = ("tier", "segment", "pareto_class", "before", "n", "revenue")
        return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]


def scores_covered() -> bool:
    """Whether tiering/0007's covering index of the scores (run, account) is there: PostgreSQL."""
    return connection.vendor == "postgresql"


def tiering_charts(*, user: User, scope: Scope, quarter: Quarter, today: date | None = None) -> TieringCharts:
    """The tier matrix, RFM segments and pyramid of the run current at the period's end, and
    the tier migrations since the run current when it began, over the accounts in scope: one
    grouped query (by tier, segment, pyramid class and the earlier tier, `_tier_groups`)."""
    today = today or timezone.localdate()
    run = run_as_of(min(quarter.end, today))
    previous = run_as_of(quarter.start - timedelta(days=1))
    by_tier: dict[str, list] = {}
    by_segment: dict[str, list] = {}
    by_class: dict[str, list] = {}
    migrations: list[Migration] = []
    if run is not None:
        moves = previous is not None and previous.pk != run.pk
        grouped = _tier_groups(user=user, scope=scope, run=run, previous=previous if moves else None)
        moved: dict[tuple[str, str], int] = {}
        for row in grouped:
            for key, target in ((row["tier"], by_tier), (row["segment"], by_segment), (row["pareto_class"], by_class)):
                cell = target.setdefault(key, [0, ZERO])
                cell[0] += row["n"]
                cell[1] += row["revenue"] or ZERO
            if moves and row["before"] != row["tier"]:
                moved[row["before"], row["tier"]] = moved.get((row["before"], row["tier"]), 0) + row["n"]
        migrations = sorted(
            (Migration(before, after, n) for (before, after), n in moved.items()),
            key=lambda m: (-m.accounts, m.before, m.after),
        )

    def cell(label: str, found: dict[str, list]) -> Cell:
        n, revenue = found.get(label, (0, ZERO))
        return Cell(label, n, Decimal(revenue).quantize(CENT))

    return TieringCharts(
        run=run,
        previous=previous if previous is not None and run is not None and previous.pk != run.pk else None,
        matrix=[[cell(f"{letter}{position}", by_tier) for position in range(1, 7)] for letter in LETTERS],
        segments=[cell(segment, by_segment) for segment in SEGMENTS],
        pyramid=[cell(label, by_class) for label in PARETO_CLASSES],
        migrations=migrations,
    )


def tier_category(tier: str) -> str:
    """The category of a tier ("" for none)."""
    return TIER_CATEGORY.get(tier, "")
