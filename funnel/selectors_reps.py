"""Forecast accuracy and bias per rep across quarters (issue 10's dashboard).

For each rep in scope and each of the four quarters ending with the chosen one, the forecast is
the weighted forecast of the quarter's first weekly snapshot (won to date at that snapshot's day
+ Σ amount × probability / 100 of its lines closing in the quarter: what the rep expected as the
quarter began), the actual is won in the quarter; accuracy and bias as in
funnel.domain.forecast, judged once the quarter has ended (None before, and when nothing was
won). Four queries whatever the number of reps: the snapshots, the lines, the won deals, the reps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, ExpressionWrapper, F, Q, Sum, Value, When
from django.utils import timezone

from accounts.models import User
from funnel import rollups
from funnel.domain import forecast as fc
from funnel.domain import stages
from funnel.domain.quarters import Quarter
from funnel.models import ForecastSnapshot, Opportunity, SnapshotLine
from funnel.selectors import MONEY_FIELD, Scope, _scoped, people_visible_to

ZERO = Decimal("0")
QUARTERS = 4


@dataclass(frozen=True)
class RepQuarter:
    rep: str  # username
    quarter: str  # label, e.g. "2026-Q3"
    forecast: Decimal | None  # None: no snapshot in the quarter
    actual: Decimal  # won in the quarter (to date while it runs)
    accuracy: Decimal | None
    bias: Decimal | None


def rep_accuracy(*, user: User, scope: Scope, quarter: Quarter, today: date | None = None) -> list[RepQuarter]:
    """One row per rep with a forecast or a win and per quarter (oldest first), reps by name."""
    today = today or timezone.localdate()
    quarters = [quarter]
    for _step in range(QUARTERS - 1):
        quarters.insert(0, quarters[0].previous())
    first: dict[str, ForecastSnapshot] = {}
    for snapshot in ForecastSnapshot.objects.filter(as_of__gte=quarters[0].start, as_of__lte=quarter.end).order_by(
        "as_of", "week"
    ):
        first.setdefault(next(q.label for q in quarters if q.contains(snapshot.as_of)), snapshot)
    in_quarter = {q.label: q for q in quarters}

    forecasts: dict[tuple[int, str], Decimal] = {}
    if first and rollups.applies(scope):
        # The lines' sums per audience (funnel/rollups_sql.py): the same figures, fewer rows.
        sums = rollups.snapshot_sums(
            user=user,
            scope=scope,
            closing=[(s.pk, in_quarter[label].start, in_quarter[label].end) for label, s in first.items()],
            per_owner=True,
        )
        labels = {snapshot.pk: label for label, snapshot in first.items()}
        forecasts = {(row["owner_id"], labels[row["snapshot_id"]]): row["weighted"] / 100 for row in sums}
    elif first:
        closing = Q()
        for label, snapshot in first.items():
            q = in_quarter[label]
            closing |= Q(snapshot=snapshot, expected_close_date__gte=q.start, expected_close_date__lte=q.end)
        labels = {snapshot.pk: label for label, snapshot in first.items()}
        lines = (
            _scoped(SnapshotLine.objects.all(), user=user, scope=scope)
            .filter(closing)
            .values("owner_id", "snapshot_id")
            .annotate(weighted=Sum(ExpressionWrapper(F("amount") * F("probability"), output_field=MONEY_FIELD)))
            .order_by()
        )
        forecasts = {(row["owner_id"], labels[row["snapshot_id"]]): (row["weighted"] or ZERO) / 100 for row in lines}

    early_spans = [(in_quarter[label].start, snapshot.as_of) for label, snapshot in first.items()]
    if rollups.applies(scope):
        # The deals' sums per audience (funnel/opportunity_rollup_sql.py): won per day, fewer rows.
        won = rollups.won_per_owner(
            user=user, scope=scope, quarters=[(q.label, q.start, q.end) for q in quarters], early=early_spans
        )
    else:
        which = Case(
            *(When(closed_at__gte=q.start, closed_at__lte=q.end, then=Value(q.label)) for q in quarters),
            output_field=CharField(),
        )
        early = Q()
        for start, as_of in early_spans:
            early |= Q(closed_at__gte=start, closed_at__lte=as_of)
        won = (
            _scoped(Opportunity.objects.all(), user=user, scope=scope)
            .filter(stage__in=stages.WON_STAGES, closed_at__gte=quarters[0].start, closed_at__lte=quarter.end)
            .annotate(quarter_label=which)
            .values("owner_id", "quarter_label")
            .annotate(total=Sum("amount"), early=Sum("amount", filter=early) if first else Value(ZERO))
            .order_by()
        )
    actuals = {(row["owner_id"], row["quarter_label"]): row for row in won}

    owners = {owner for owner, _label in [*forecasts, *actuals] if owner is not None}
    # -1 (no one) keeps the query asked when nobody has figures: the dashboard's count stays fixed.
    people = people_visible_to(user).filter(pk__in=owners or {-1}).order_by("username").values_list("pk", "username")
    rows = []
    for pk, username in people:
        for q in quarters:
            found = actuals.get((pk, q.label), {})
            actual = (found.get("total") or ZERO).quantize(fc.CENT)
            forecast = None
            if q.label in first:
                forecast = fc.figures_from_sums(
                    won=found.get("early") or ZERO,
                    commit_open=ZERO,
                    best_case_open=ZERO,
                    weighted_open=forecasts.get((pk, q.label), ZERO),
                ).weighted
            judged = forecast is not None and today > q.end
            rows.append(
                RepQuarter(
                    rep=username,
                    quarter=q.label,
                    forecast=forecast,
                    actual=actual,
                    accuracy=fc.accuracy(forecast=forecast, actual=actual) if judged else None,
                    bias=fc.bias(forecast=forecast, actual=actual) if judged else None,
                )
            )
    return rows
