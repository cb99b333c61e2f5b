"""Reads of the funnel for pages, the API, exports and tasks. Every one starts from
`visible_to(user)` (opportunities, history, snapshots) or `people_visible_to(user)` (reps, teams)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from accounts.models import Account, Team, User
from accounts.visibility import figures_people_visible_to as people_visible_to
from accounts.visibility import figures_teams_visible_to as teams_visible_to
from accounts.visibility import sees_everything
from funnel import rollups, walk_rollups
from funnel.domain import conversion, stages
from funnel.domain import forecast as fc
from funnel.domain.quarters import Quarter, parse_quarter, quarter_of
from funnel.models import (
    Commitment,
    ForecastSnapshot,
    Opportunity,
    SnapshotLine,
    StageChange,
    StageDefault,
    StageWalk,
)

ZERO = Decimal("0")
MONEY_FIELD = DecimalField(max_digits=24, decimal_places=6)


def fiscal_start() -> int:
    return settings.FUNNEL_FISCAL_YEAR_START_MONTH


def quarter_parse(label: str) -> Quarter:
    """`2026-Q3` under the configured fiscal start; ValueError if malformed."""
    return parse_quarter(label, start_month=fiscal_start())


def current_quarter(today: date | None = None) -> Quarter:
    return quarter_of(today or timezone.localdate(), start_month=fiscal_start())


def stage_defaults() -> dict[str, int]:
    """Stage -> default probability (%): DEFAULT_PROBABILITY overlaid with a director's settings."""
    return {**stages.DEFAULT_PROBABILITY, **dict(StageDefault.objects.values_list("stage", "probability"))}


@dataclass(frozen=True)
class Scope:
    """Whose figures: one rep, one team, or everyone the caller may see (both None); optionally
    only accounts of a region, industry or tier."""

    owner: User | None = None
    team: Team | None = None
    region: str = ""
    industry: str = ""
    tier: str = ""

    def accounts(self, queryset: QuerySet, prefix: str = "account__") -> QuerySet:
        """`queryset` narrowed to the region, industry and tier asked for (`prefix` reaches the account)."""
        wanted = {f"{prefix}{name}": getattr(self, name) for name in ("region", "industry", "tier")}
        return queryset.filter(**{key: value for key, value in wanted.items() if value})

    @property
    def label(self) -> str:
        return self.owner.username if self.owner else self.team.name if self.team else ""


def scope_resolve(
    *,
    user: User,
    owner: str | None = None,
    team: str | int | None = None,
    region: str | None = None,
    industry: str | None = None,
    tier: str | None = None,
) -> Scope:
    """The scope named by `owner` (username) or `team` (id), narrowed by account region, industry
    and tier; Http404 when the caller may not see that rep or team, or it does not exist (a
    hidden one answers like a missing one)."""
    filters = {"region": region or "", "industry": industry or "", "tier": tier or ""}
    if owner:
        found = people_visible_to(user).filter(username=owner).first()
        if found is None:
            raise Http404
        return Scope(owner=found, **filters)
    if team not in (None, ""):
        try:
            return Scope(team=teams_visible_to(user).get(pk=int(team)), **filters)
        except (Team.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
    return Scope(**filters)


def _scoped(
    queryset: QuerySet, *, user: User, scope: Scope, owner_field: str = "owner", figures: bool = True
) -> QuerySet:
    """Rows `user` may see, narrowed to the scope. For figures (`figures=True`), no scope means
    the person's own: a rep their own, a manager their teams' and their own, a director all.
    Otherwise (the board) no scope means every visible row, e.g. deals on accounts a rep serves."""
    queryset = scope.accounts(queryset.visible_to(user))
    if scope.owner is not None:
        return queryset.filter(**{owner_field: scope.owner})
    if scope.team is not None:
        return queryset.filter(**{f"{owner_field}__team": scope.team})
    if sees_everything(user) or not figures:
        return queryset
    return queryset.filter(**{f"{owner_field}__in": people_visible_to(user).values("pk")})


# ---- opportunities ----------------------------------------------------------------------------


def opportunity_list(*, user: User, filters: dict | None = None) -> QuerySet[Opportunity]:
    """The opportunities `user` may see, narrowed by `filters` (stage, owner username, account id,
    category, closing_from/closing_to ISO dates, q: name or account name contains)."""
    queryset = Opportunity.objects.visible_to(user).select_related("account", "owner")
    filters = filters or {}
    if filters.get("stage"):
        queryset = queryset.filter(stage=filters["stage"])
    if filters.get("owner"):
        queryset = queryset.filter(owner__username=filters["owner"])
    if filters.get("account"):
        queryset = queryset.filter(account_id=filters["account"])
    if filters.get("category"):
        queryset = queryset.filter(forecast_category=filters["category"])
    if filters.get("q"):
        queryset = queryset.filter(Q(name__icontains=filters["q"]) | Q(account__name__icontains=filters["q"]))
    return queryset


def stage_history(*, opportunity: Opportunity) -> list[StageChange]:
    """Its stage changes, oldest first (the caller already checked the opportunity is visible)."""
    return list(opportunity.stage_changes.select_related("changed_by").order_by("changed_at", "id"))


@dataclass(frozen=True)
class BoardColumn:
    stage: str
    label: str
    opportunities: list[Opportunity]
    amount: Decimal


def pipeline_board(*, user: User, scope: Scope | None = None, closed_since: date | None = None) -> list[BoardColumn]:
    """Stage columns for the board: every open opportunity of the scope, and those closed on or
    after `closed_since` (default: 30 days ago) so the won and lost columns stay short."""
    from funnel.models import Stage

    closed_since = closed_since or timezone.localdate() - timedelta(days=30)
    rows = _scoped(
        Opportunity.objects.select_related("account", "owner"), user=user, scope=scope or Scope(), figures=False
    )
    rows = rows.filter(Q(stage__in=stages.OPEN_STAGES) | Q(closed_at__gte=closed_since)).order_by(
        "expected_close_date", "id"
    )
    by_stage: dict[str, list[Opportunity]] = {stage: [] for stage in stages.STAGES}
    for row in rows:
        by_stage[row.stage].append(row)
    return [
        BoardColumn(value, label, by_stage[value], sum((o.amount for o in by_stage[value]), ZERO))
        for value, label in Stage.choices
    ]


# ---- forecast ---------------------------------------------------------------------------------


def forecast_figures(*, user: User, quarter: Quarter, scope: Scope, as_of: date | None = None) -> fc.Figures:
    """Won to date, commit, best case and weighted pipeline for `quarter`, computed in the
    database (two aggregate queries) under the rules of funnel.domain.forecast."""
    base = _scoped(Opportunity.objects.all(), user=user, scope=scope)
    won_rows = base.filter(stage__in=stages.WON_STAGES, closed_at__gte=quarter.start, closed_at__lte=quarter.end)
    if as_of is not None:
        won_rows = won_rows.filter(closed_at__lte=as_of)
    won = won_rows.aggregate(s=Sum("amount"))["s"] or ZERO
    open_rows = base.filter(
        stage__in=stages.OPEN_STAGES, expected_close_date__gte=quarter.start, expected_close_date__lte=quarter.end
    )
    sums = open_rows.aggregate(
        commit=Sum("amount", filter=Q(forecast_category=stages.COMMIT)),
        best=Sum("amount", filter=Q(forecast_category=stages.BEST_CASE)),
        weighted=Sum(ExpressionWrapper(F("amount") * F("probability"), output_field=MONEY_FIELD)),
    )
    return fc.figures_from_sums(
        won=won,
        commit_open=sums["commit"] or ZERO,
        best_case_open=sums["best"] or ZERO,
        weighted_open=(sums["weighted"] or ZERO) / 100,
    )


@dataclass(frozen=True)
class WeekAccuracy:
    week: date
    as_of: date
    won_to_date: Decimal
    weighted: Decimal  # the weighted forecast at that week
    commit: Decimal
    accuracy: Decimal | None  # of the weighted forecast; None until the quarter ends or when actual is 0
    bias: Decimal | None
    commit_accuracy: Decimal | None
    commit_bias: Decimal | None


@dataclass(frozen=True)
class QuarterAccuracy:
    quarter: str
    actual: Decimal  # won in the quarter (so far, until it ends)
    final: bool  # the quarter has ended: actual is known
    undefined: bool  # final and nothing was won: accuracy and bias do not exist
    weeks: list[WeekAccuracy]


def forecast_accuracy(*, user: User, quarter: Quarter, scope: Scope, today: date | None = None) -> QuarterAccuracy:
    """For every weekly snapshot in `quarter`: the weighted forecast and commit at that week
    (snapshot lines closing in the quarter, plus won to date at the snapshot's day), against the
    actual; accuracy and bias as in funnel.domain.forecast. Three queries."""
    won = (
        _scoped(Opportunity.objects.all(), user=user, scope=scope)
        .filter(stage__in=stages.WON_STAGES, closed_at__gte=quarter.start, closed_at__lte=quarter.end)
        .values_list("closed_at", "amount")
    )
    return _accuracy_with_won(user=user, quarter=quarter, scope=scope, won=sorted(won), today=today)


def _accuracy_with_won(
    *, user: User, quarter: Quarter, scope: Scope, won: list[tuple[date, Decimal]], today: date | None
) -> QuarterAccuracy:
    """forecast_accuracy given the quarter's won amounts as (closing day, amount), by day (one
    per deal, or summed per day: the sums are the same). Two queries."""
    today = today or timezone.localdate()
    final = today > quarter.end
    actual = sum((amount for _day, amount in won), ZERO)
    snapshots = list(ForecastSnapshot.objects.filter(as_of__gte=quarter.start, as_of__lte=quarter.end).order_by("week"))
    if rollups.applies(scope):
        # The lines' sums per audience (funnel/rollups_sql.py): the same figures, from a few
        # thousand rows instead of the quarter's lines.
        lines = rollups.snapshot_sums(
            user=user, scope=scope, closing=[(s.pk, quarter.start, quarter.end) for s in snapshots]
        )
    else:
        lines = _snapshot_line_sums(user=user, scope=scope, quarter=quarter, snapshots=snapshots)
    return _accuracy_from(quarter=quarter, snapshots=snapshots, lines=lines, won=won, actual=actual, final=final)


def _snapshot_line_sums(*, user: User, scope: Scope, quarter: Quarter, snapshots: list[ForecastSnapshot]) -> QuerySet:
    """Per snapshot, the commit, best-case and weighted sums of its lines closing in `quarter`."""
    return (
        _scoped(SnapshotLine.objects.all(), user=user, scope=scope)
        .filter(
            snapshot__in=snapshots,
            expected_close_date__gte=quarter.start,
            expected_close_date__lte=quarter.end,
        )
        .values("snapshot_id")
        .annotate(
            commit=Sum("amount", filter=Q(forecast_category=stages.COMMIT)),
            best=Sum("amount", filter=Q(forecast_category=stages.BEST_CASE)),
            weighted=Sum(ExpressionWrapper(F("amount") * F("probability"), output_field=MONEY_FIELD)),
        )
    )


def _accuracy_from(
    *,
    quarter: Quarter,
    snapshots: list[ForecastSnapshot],
    lines,  # noqa: ANN001 - rows (dicts) per snapshot
    won: list[tuple[date, Decimal]],
    actual: Decimal,
    final: bool,
) -> QuarterAccuracy:
    per_snapshot = {row["snapshot_id"]: row for row in lines}
    weeks = []
    for snapshot in snapshots:
        row = per_snapshot.get(snapshot.pk, {})
        to_date = sum((amount for day, amount in won if day <= snapshot.as_of), ZERO)
        figures = fc.figures_from_sums(
            won=to_date,
            commit_open=row.get("commit") or ZERO,
            best_case_open=row.get("best") or ZERO,
            weighted_open=(row.get("weighted") or ZERO) / 100,
        )
        judged = final and actual > 0
        weeks.append(
            WeekAccuracy(
                week=snapshot.week,
                as_of=snapshot.as_of,
                won_to_date=figures.won,
                weighted=figures.weighted,
                commit=figures.commit,
                accuracy=fc.accuracy(forecast=figures.weighted, actual=actual) if judged else None,
                bias=fc.bias(forecast=figures.weighted, actual=actual) if judged else None,
                commit_accuracy=fc.accuracy(forecast=figures.commit, actual=actual) if judged else None,
                commit_bias=fc.bias(forecast=figures.commit, actual=actual) if judged else None,
            )
        )
    return QuarterAccuracy(quarter.label, actual, final, final and actual <= 0, weeks)


def commitments(*, user: User, quarter: Quarter, scope: Scope) -> list[Commitment]:
    """The commitments for `quarter` of the reps in scope that `user` may see."""
    people = people_visible_to(user)
    if scope.owner is not None:
        people = people.filter(pk=scope.owner.pk)
    elif scope.team is not None:
        people = people.filter(team=scope.team)
    return list(
        Commitment.objects.filter(quarter=quarter.label, owner__in=people.values("pk")).select_related(
            "owner", "adjusted_by"
        )
    )


# ---- dashboard ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageRow:
    stage: str
    label: str
    count: int
    amount: Decimal
    weighted: Decimal


def sales_funnel(*, user: User, scope: Scope, quarter: Quarter | None = None) -> list[StageRow]:
    """Count, amount and weighted amount per stage (every stage, zeros included), one query:
    the whole open pipeline, and with `quarter` the won and lost ones closed in it."""
    from funnel.models import Stage

    rows = _scoped(Opportunity.objects.all(), user=user, scope=scope)
    if quarter is not None:
        rows = rows.filter(
            Q(stage__in=stages.OPEN_STAGES)
            | Q(stage__in=stages.CLOSED_STAGES, closed_at__gte=quarter.start, closed_at__lte=quarter.end)
        )
    found = {
        row["stage"]: row
        for row in rows.values("stage").annotate(
            n=Count("id"),
            total=Sum("amount"),
            weighted=Sum(ExpressionWrapper(F("amount") * F("probability"), output_field=MONEY_FIELD)),
        )
    }
    return [
        StageRow(
            value,
            str(label),
            found.get(value, {}).get("n", 0),
            (found.get(value, {}).get("total") or ZERO).quantize(fc.CENT),
            ((found.get(value, {}).get("weighted") or ZERO) / 100).quantize(fc.CENT),
        )
        for value, label in Stage.choices
    ]


def stalled_deals(*, user: User, scope: Scope, days: int | None = None, now=None) -> list[Opportunity]:  # noqa: ANN001
    """Open opportunities with no change and no stage change in `days` (FUNNEL_STALLED_DAYS)."""
    days = settings.FUNNEL_STALLED_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return list(
        _scoped(Opportunity.objects.select_related("account", "owner"), user=user, scope=scope)
        .filter(stage__in=stages.OPEN_STAGES)
        .annotate(last_activity=Greatest("updated_at", Coalesce("stage_changed_at", "updated_at")))
        .filter(last_activity__lt=cutoff)
        .order_by("last_activity", "id")[:200]
    )


def whitespace(*, user: User, scope: Scope) -> list[Account]:
    """Key accounts (category key) the caller sees, in scope by account owner, with no open opportunity."""
    accounts = scope.accounts(Account.objects.visible_to(user).filter(category="key"), prefix="")
    if scope.owner is not None:
        accounts = accounts.filter(owner=scope.owner)
    elif scope.team is not None:
        accounts = accounts.filter(owner__team=scope.team)
    elif not sees_everything(user):
        accounts = accounts.filter(owner__in=people_visible_to(user).values("pk"))
    # NOT EXISTS, an anti-join on (account, stage): a NOT IN over ~400k open deals' account ids
    # outgrows work_mem at 1M opportunities and is then checked row by row (minutes).
    open_deals = Opportunity.objects.filter(account=OuterRef("pk"), stage__in=stages.OPEN_STAGES)
    return list(accounts.filter(~Exists(open_deals)).select_related("owner").order_by("name")[:500])


def weighted_by_quarter(*, user: User, scope: Scope, quarters: list[Quarter]) -> list[tuple[str, Decimal]]:
    """Weighted pipeline (won + Σ amount × probability of open ones) for each quarter."""
    return [(q.label, forecast_figures(user=user, quarter=q, scope=scope).weighted) for q in quarters]


@contextmanager
def _big_reads() -> Iterator[None]:
    """On PostgreSQL, a transaction whose statements run without JIT (compiling costs more than
    it saves in one-off sums over 1M opportunities) and with 64MB to group in: the opportunity
    pass's few hundred groups, which the planner guesses at 100,000, are then hashed instead of
    sorted on disk. Elsewhere nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        yield


def stage_statistics(
    *,
    user: User,
    scope: Scope,
    since: date | None = None,
    now=None,  # noqa: ANN001
) -> list[conversion.StageStatistics]:
    """Conversion, average time in stage and the data-driven probability (won / reached) per
    stage, over the opportunities in scope that began on or after `since` (default: four
    quarters before the current one), with the open visits closed at `now` (default: the current
    instant) truncated to whole seconds. One query: on PostgreSQL the walk roll-up when
    funnel.rollups.applies(scope) (funnel/walk_rollups.py), else the sums of the opportunities'
    stage walks (funnel.models.StageWalk); elsewhere the history is read in order and folded by
    funnel.domain.conversion, with the same result."""
    with _big_reads():
        return _stage_statistics(user=user, scope=scope, since=since, now=now)


def _stage_statistics(*, user: User, scope: Scope, since: date | None, now) -> list[conversion.StageStatistics]:  # noqa: ANN001
    # Whole seconds: the open visits then sum exactly from the walk roll-up (funnel/walk_rollups.py),
    # and every path closes them with the same instant.
    now = (now or timezone.now()).replace(microsecond=0)
    if since is None:
        quarter = current_quarter(timezone.localdate(now))
        for _step in range(4):
            quarter = quarter.previous()
        since = quarter.start
    opportunities = _scoped(Opportunity.objects.all(), user=user, scope=scope).filter(created_at__date__gte=since)
    if rollups.applies(scope):
        found = walk_rollups.stage_statistics(user=user, scope=scope, opportunities=opportunities, since=since, now=now)
        if found is not None:
            return found
    if connection.vendor == "postgresql":
        return _stage_statistics_sql(opportunities, now=now)
    return _stage_statistics_python(opportunities, now=now)


def _stage_statistics_python(opportunities: QuerySet, *, now) -> list[conversion.StageStatistics]:  # noqa: ANN001
    rows = (
        StageChange.objects.filter(opportunity__in=opportunities.values("pk"))
        .order_by("opportunity_id", "changed_at", "id")
        .values_list("opportunity_id", "to_stage", "changed_at")
    )

    def walks():  # noqa: ANN202 - one opportunity's walk at a time
        current, walk = None, []
        for opportunity_id, stage, at in rows.iterator(chunk_size=10_000):
            if opportunity_id != current:
                if walk:
                    yield walk
                current, walk = opportunity_id, []
            walk.append((stage, at))
        if walk:
            yield walk

    return conversion.stage_statistics(walks(), now=now)


def _stage_statistics_sql(opportunities: QuerySet, *, now) -> list[conversion.StageStatistics]:  # noqa: ANN001
    """funnel.domain.conversion's rules in one PostgreSQL statement over the opportunities'
    walks (funnel.models.StageWalk: visits and seconds of finished visits per stage, furthest
    step, last stage and when it began, kept by triggers on the history).

    Shape (issue 10): one short row per opportunity in scope, summed into one row (five sums per
    stage) with no sort and no read of the history; the open visit of each walk is closed here
    with `now` (whole seconds, never negative), as LEAD over the history would."""
    qn = connection.ops.quote_name
    inner_sql, inner_params = opportunities.order_by().values_list("pk", "stage").query.sql_with_params()
    order = {stage: conversion.ORDER.index(stage) if stage in conversion.ORDER else -1 for stage in stages.STAGES}
    advanced = {stage: f"w.visits_{stage} > 0 AND w.furthest > {order[stage]}" for stage in conversion.ORDER}
    sums = ", ".join(
        f"count(*) FILTER (WHERE w.visits_{stage} > 0), "
        f"count(*) FILTER (WHERE {advanced.get(stage, 'false')}), "
        f"count(*) FILTER (WHERE w.visits_{stage} > 0 AND o.stage IN (%s, %s)), COALESCE(sum(w.visits_{stage}), 0), "
        f"COALESCE(sum(w.seconds_{stage}), 0) + COALESCE(sum(GREATEST(0, FLOOR(EXTRACT(EPOCH FROM (%s - w.last_at)))))"
        f" FILTER (WHERE w.last_stage = %s), 0)"
        for stage in stages.STAGES
    )
    sql = f"""
        SELECT {sums}
        FROM {qn(StageWalk._meta.db_table)} w JOIN ({inner_sql}) AS o (id, stage) ON o.id = w.opportunity_id
    """  # noqa: S608 - identifiers from _meta and stage codes, values bound
    params = [*(value for stage in stages.STAGES for value in (*stages.WON_STAGES, now, stage)), *inner_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = [int(v) for v in cursor.fetchone()]
    return [conversion.StageStatistics(stage, *row[5 * i : 5 * i + 5]) for i, stage in enumerate(stages.STAGES)]


AGEING_BUCKETS = ("current", "1-30", "31-60", "61-90", "over 90")


@dataclass(frozen=True)
class AgeingRow:
    owner: str
    buckets: tuple[Decimal, ...]  # one per AGEING_BUCKETS

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


def receivables_ageing(*, user: User, scope: Scope, today: date | None = None) -> list[AgeingRow]:
    """Unpaid receivables (the ERP's payments without a paid date) of the accounts in scope, per
    account owner, by days overdue: not yet due, 1-30, 31-60, 61-90, over 90. One query."""
    from accounts.models import Payment

    today = today or timezone.localdate()
    payments = scope.accounts(Payment.objects.visible_to(user).filter(paid_on__isnull=True))
    if scope.owner is not None:
        payments = payments.filter(account__owner=scope.owner)
    elif scope.team is not None:
        payments = payments.filter(account__owner__team=scope.team)
    elif not sees_everything(user):
        payments = payments.filter(account__owner__in=people_visible_to(user).values("pk"))

    def overdue(low: int, high: int | None) -> Q:
        """low..high days overdue (days overdue = today - due date)."""
        condition = Q(due_on__lte=today - timedelta(days=low))
        return condition & Q(due_on__gte=today - timedelta(days=high)) if high is not None else condition

    sums = {"b0": Sum("amount", filter=Q(due_on__gte=today))}
    for i, (low, high) in enumerate([(1, 30), (31, 60), (61, 90), (91, None)], start=1):
        sums[f"b{i}"] = Sum("amount", filter=overdue(low, high))
    rows = payments.values("account__owner__username").annotate(**sums).order_by("account__owner__username")
    return [
        AgeingRow(
            row["account__owner__username"] or "", tuple((row[f"b{i}"] or ZERO).quantize(fc.CENT) for i in range(5))
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Dashboard:
    """Everything the manager dashboard shows, for one scope and quarter; the page, its chart
    data and its CSV exports all come from here, so they cannot disagree."""

    quarter: Quarter
    scope: Scope
    figures: fc.Figures
    funnel: list[StageRow]
    weighted_by_quarter: list[tuple[str, Decimal]]
    accuracy: QuarterAccuracy
    stalled: list[Opportunity]
    whitespace: list[Account]
    stages: list[conversion.StageStatistics]
    ageing: list[AgeingRow]
    commitments: list[Commitment]
    data_driven: Decimal  # the forecast from the stages' historical win rates
    # The account charts and accuracy per rep (funnel/selectors_accounts.py, selectors_reps.py).
    account_funnel: Any = None  # selectors_accounts.AccountFunnel
    tiering: Any = None  # selectors_accounts.TieringCharts
    rep_accuracy: list = field(default_factory=list)  # [selectors_reps.RepQuarter]

    def table(self, chart: str) -> tuple[list[str], list[list[object]]]:
        """(header, rows) of one chart's table; KeyError for an unknown chart."""
        if chart == "funnel":
            return ["stage", "count", "amount", "weighted"], [
                [r.label, r.count, r.amount, r.weighted] for r in self.funnel
            ]
        if chart == "weighted":
            return ["quarter", "weighted"], [[label, value] for label, value in self.weighted_by_quarter]
        if chart == "forecast":
            return ["week", "weighted", "commit", "won_to_date", "actual", "accuracy", "bias"], [
                [w.week, w.weighted, w.commit, w.won_to_date, self.accuracy.actual, w.accuracy, w.bias]
                for w in self.accuracy.weeks
            ]
        if chart == "stalled":
            return ["opportunity", "account", "owner", "stage", "amount", "last_change"], [
                [o.name, o.account.name, str(o.owner or ""), o.get_stage_display(), o.amount, o.last_activity.date()]
                for o in self.stalled
            ]
        if chart == "conversion":
            return ["stage", "reached", "conversion", "win_rate", "average_days"], [
                [r.stage, r.reached, r.conversion, r.win_rate, r.average_days] for r in self.stages
            ]
        if chart == "ageing":
            return ["owner", *AGEING_BUCKETS, "total"], [[r.owner, *r.buckets, r.total] for r in self.ageing]
        if chart == "commitments":
            return ["rep", "quarter", "commit", "manager_adjustment"], [
                [c.owner.username, c.quarter, c.amount, c.manager_amount] for c in self.commitments
            ]
        if chart == "whitespace":
            return ["account", "tier", "owner"], [[a.name, a.tier, str(a.owner or "")] for a in self.whitespace]
        from funnel.charts import extra_table

        return extra_table(self, chart)


def data_driven_forecast(
    *, user: User, quarter: Quarter, scope: Scope, won: Decimal, statistics: list[conversion.StageStatistics]
) -> Decimal:
    """Won + Σ amount × the stage's data-driven win rate (won / reached, last four quarters) of
    the open opportunities closing in `quarter`: the forecast the history would make, beside the
    reps' own weighted figure. A stage nobody reached counts 0. One query."""
    open_sums = (
        _scoped(Opportunity.objects.all(), user=user, scope=scope)
        .filter(
            stage__in=stages.OPEN_STAGES, expected_close_date__gte=quarter.start, expected_close_date__lte=quarter.end
        )
        .values_list("stage")
        .annotate(total=Sum("amount"))
    )
    return _data_driven_from(won=won, open_by_stage=dict(open_sums), statistics=statistics)


def _data_driven_from(
    *, won: Decimal, open_by_stage: dict[str, Decimal], statistics: list[conversion.StageStatistics]
) -> Decimal:
    """Won + Σ open amount per stage × that stage's win rate, to the cent."""
    rates = {row.stage: row.win_rate or Decimal(0) for row in statistics}
    expected = sum((total * rates[stage] for stage, total in open_by_stage.items()), Decimal(0))
    return (won + expected).quantize(fc.CENT)


# In one transaction (begin, the JIT and work_mem settings, commit) the opportunities once and
# the stage walks; then snapshots, snapshot lines, stalled deals, whitespace, receivables,
# commitments (11), then the account funnel, the tiering charts and accuracy per rep (12:
# funnel.charts) (funnel/tests/test_folded.py holds the dashboard to it).
DASHBOARD_QUERIES = 23
# Of those, the statements only PostgreSQL gets: the settings (work_mem, JIT) around the
# opportunity pass and stage walks, and around the account funnel; SQLite reads the same figures without them.
DASHBOARD_POSTGRES_ONLY_QUERIES = 4

CHARTS = ("funnel", "weighted", "forecast", "stalled", "whitespace", "conversion", "ageing", "commitments")
# funnel/charts.py: the account funnel, accuracy per rep, the tier matrix and migrations, RFM, pyramid.
ALL_CHARTS = (*CHARTS, "accounts", "rep_accuracy", "tiers", "migrations", "segments", "pyramid")


def dashboard(*, user: User, scope: Scope, quarter: Quarter) -> Dashboard:
    """The manager dashboard's data in a fixed number of queries whatever the data size
    (DASHBOARD_QUERIES): the live opportunities are read once for the funnel, the forecast of
    four quarters, the quarter's won amounts and open amounts per stage (funnel.folded)."""
    from funnel.folded import pipeline_sums

    quarters = [quarter.previous(), quarter, quarter.next(), quarter.next().next()]
    with _big_reads():
        sums = pipeline_sums(user=user, scope=scope, quarter=quarter, quarters=quarters)
        statistics = _stage_statistics(user=user, scope=scope, since=None, now=None)
    figures = sums.figures[quarter.label]
    return Dashboard(
        quarter=quarter,
        scope=scope,
        figures=figures,
        funnel=sums.funnel,
        weighted_by_quarter=[(q.label, sums.figures[q.label].weighted) for q in quarters],
        accuracy=_accuracy_with_won(user=user, quarter=quarter, scope=scope, won=sums.won_by_day, today=None),
        stalled=stalled_deals(user=user, scope=scope),
        whitespace=whitespace(user=user, scope=scope),
        stages=statistics,
        ageing=receivables_ageing(user=user, scope=scope),
        commitments=commitments(user=user, quarter=quarter, scope=scope),
        data_driven=_data_driven_from(won=figures.won, open_by_stage=sums.open_by_stage, statistics=statistics),
        **_account_charts(user=user, scope=scope, quarter=quarter),
    )


def _account_charts(*, user: User, scope: Scope, quarter: Quarter) -> dict[str, Any]:
    from funnel.selectors_accounts import account_funnel, tiering_charts
    from funnel.selectors_reps import rep_accuracy

    return {
        "account_funnel": account_funnel(user=user, scope=scope, quarter=quarter),
        "tiering": tiering_charts(user=user, scope=scope, quarter=quarter),
        "rep_accuracy": rep_accuracy(user=user, scope=scope, quarter=quarter),
    }
