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

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account, Order, Payment, User
from accounts.visibility import sees_everything
from funnel.domain import account_funnel as af
from funnel.domain.quarters import Quarter
from funnel.selectors import MONEY_FIELD, Scope, people_visible_to
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


def _purchases() -> QuerySet[Order]:
    # A contract is a purchase: a positive order that was not cancelled (DOMAIN.md, RFM).
    return Order.objects.filter(account=OuterRef("pk"), amount__gt=0).exclude(status=Order.Status.CANCELLED)


def _stage(day: date | None, category: str) -> Case:
    """funnel.domain.account_funnel.account_stage as SQL, as the account stood at the end of
    `day` (None: now); `category` names the annotation holding its tier category then."""
    purchases, paid = _purchases(), Payment.objects.filter(account=OuterRef("pk"), paid_on__isnull=False)
    still_open = Payment.objects.filter(account=OuterRef("pk"), paid_on__isnull=True)
    if day is not None:
        purchases, paid = purchases.filter(ordered_at__lte=day), paid.filter(paid_on__lte=day)
        # Open then: not paid by that day, among receivables that existed (their order, invoice
        # or, without either, their due date on or before it).
        still_open = (
            Payment.objects.filter(account=OuterRef("pk"))
            .filter(Q(paid_on__isnull=True) | Q(paid_on__gt=day))
            .annotate(began=Coalesce("order__ordered_at", "invoice__issued_on", "due_on"))
            .filter(began__lte=day)
        )
    signed = Q(Exists(purchases)) & Q(Exists(paid))
    return Case(
        When(signed & ~Q(Exists(still_open)), then=Value(af.QUALIFIED_SIGNED)),
        When(signed, then=Value(af.SIGNED)),
        *(When(**{category: value}, then=Value(stage)) for value, stage in af.CATEGORY_STAGE.items()),
        default=Value(af.TARGET_MARKET),
        output_field=CharField(),
    )


def _category_on(day: date | None) -> Coalesce | F:
    """The account's tier category: now, or in the newest successful run as of `day`."""
    if day is None:
        return F("category")
    scores = AccountScore.objects.filter(
        account=OuterRef("pk"), is_group=False, run__status=ScoringRun.Status.SUCCEEDED, run__as_of__lte=day
    ).order_by("-run__as_of", "-run_id")
    return Coalesce(Subquery(scores.values("category")[:1]), Value(""), output_field=CharField())


@dataclass(frozen=True)
class AccountFunnelRow:
    stage: str  # funnel.domain.account_funnel.STAGES
    at_stage: int  # accounts at this stage now
    reached: int  # accounts at this stage or a later one: the funnel's bar
    revenue: Decimal  # purchases in the period of the accounts at this stage (currency units)
    conversion: af.StageConversion  # over the period


@dataclass(frozen=True)
class AccountFunnel:
    start: date  # conversion compares the accounts as they stood the day before this
    end: date  # with how they stand at the end of this day (the period's end, or today)
    rows: list[AccountFunnelRow]


def account_funnel(*, user: User, scope: Scope, quarter: Quarter, today: date | None = None) -> AccountFunnel:
    """Accounts and their purchases in `quarter` per funnel stage (now), and stage-to-stage
    conversion over the quarter (up to `today` while it runs). Two grouped queries."""
    today = today or timezone.localdate()
    end = min(quarter.end, today)
    accounts = accounts_in_scope(user=user, scope=scope)
    revenue = (
        Order.objects.filter(account=OuterRef("pk"), ordered_at__gte=quarter.start, ordered_at__lte=quarter.end)
        .exclude(status=Order.Status.CANCELLED)
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    now_rows = (
        accounts.annotate(funnel_category=_category_on(None))
        .annotate(funnel_stage=_stage(None, "funnel_category"), revenue=Subquery(revenue, output_field=MONEY_FIELD))
        .order_by()
        .values("funnel_stage")
        .annotate(n=Count("id"), total=Sum("revenue"))
    )
    found = {row["funnel_stage"]: row for row in now_rows}
    at_stage = {stage: found.get(stage, {}).get("n", 0) for stage in af.STAGES}
    before = quarter.start - timedelta(days=1)
    moves = (
        accounts.annotate(
            category_before=_category_on(before), category_after=_category_on(None if end >= today else end)
        )
        .annotate(
            stage_before=_stage(before, "category_before"),
            stage_after=_stage(None if end >= today else end, "category_after"),
        )
        .order_by()
        .values("stage_before", "stage_after")
        .annotate(n=Count("id"))
    )
    conversions = af.conversion((row["stage_before"], row["stage_after"], row["n"]) for row in moves)
    reached = af.reached(at_stage)
    return AccountFunnel(
        start=quarter.start,
        end=end,
        rows=[
            AccountFunnelRow(
                stage,
                at_stage[stage],
                reached[stage],
                (found.get(stage, {}).get("total") or ZERO).quantize(CENT),
                conversion,
            )
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


def tiering_charts(*, user: User, scope: Scope, quarter: Quarter, today: date | None = None) -> TieringCharts:
    """The tier matrix, RFM segments and pyramid of the run current at the period's end (one
    grouped query), and the tier migrations since the run current when it began (one grouped
    query), over the accounts in scope."""
    today = today or timezone.localdate()
    run = run_as_of(min(quarter.end, today))
    previous = run_as_of(quarter.start - timedelta(days=1))
    by_tier: dict[str, list] = {}
    by_segment: dict[str, list] = {}
    by_class: dict[str, list] = {}
    migrations: list[Migration] = []
    if run is not None:
        scores = AccountScore.objects.filter(
            run=run, is_group=False, account__in=accounts_in_scope(user=user, scope=scope).values("pk")
        )
        grouped = (
            scores.order_by().values("tier", "segment", "pareto_class").annotate(n=Count("id"), revenue=Sum("monetary"))
        )
        for row in grouped:
            for key, target in ((row["tier"], by_tier), (row["segment"], by_segment), (row["pareto_class"], by_class)):
                cell = target.setdefault(key, [0, ZERO])
                cell[0] += row["n"]
                cell[1] += row["revenue"] or ZERO
        if previous is not None and previous.pk != run.pk:
            earlier = AccountScore.objects.filter(run=previous, is_group=False, account=OuterRef("account_id"))
            moved = (
                scores.annotate(
                    before=Coalesce(Subquery(earlier.values("tier")[:1]), Value(""), output_field=CharField())
                )
                .exclude(before=F("tier"))
                .order_by()
                .values("before", "tier")
                .annotate(n=Count("id"))
            )
            migrations = sorted(
                (Migration(row["before"], row["tier"], row["n"]) for row in moved),
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
