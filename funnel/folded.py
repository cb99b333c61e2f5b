"""The manager dashboard's opportunity figures in one pass over the scope's opportunities
(issue 10: a fixed, small number of queries at 1M opportunities).

The dashboard used to ask the database once per figure: the forecast of each of four quarters
(two aggregates each), the funnel, the won deals of the quarter and the open amounts per stage,
each query rebuilding the caller's visible-account set and re-reading the same rows. Here one
grouped query reads every row once, keyed by (stage, forecast category, which of the quarters
the deal falls in, day won when won in the quarter shown); a few hundred groups come back and
Python adds them up under the same rules as funnel.selectors (exact decimals, so the figures
are the ones the separate selectors give; funnel/tests/test_folded.py checks it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, DateField, ExpressionWrapper, F, IntegerField, Q, Sum, Value, When

from accounts.models import User
from funnel import rollups
from funnel.domain import forecast as fc
from funnel.domain import stages
from funnel.domain.quarters import Quarter
from funnel.models import Opportunity, Stage

ZERO = Decimal("0")


@dataclass(frozen=True)
class PipelineSums:
    """What the dashboard needs from the live opportunities of a scope, for a quarter shown."""

    funnel: list  # list[selectors.StageRow], every stage in Stage order
    figures: dict[str, fc.Figures]  # by quarter label, for every quarter asked
    won_by_day: list[tuple[date, Decimal]]  # won in the quarter shown: Σ amount per closing day, by day
    open_by_stage: dict[str, Decimal]  # Σ amount of open deals closing in the quarter shown, per open stage


def _quarter_index(field: str, quarters: list[Quarter]) -> Case:
    """0-based index of the quarter `field` falls in, -1 outside all of them (or NULL)."""
    return Case(
        *(When(**{f"{field}__gte": q.start, f"{field}__lte": q.end}, then=Value(i)) for i, q in enumerate(quarters)),
        default=Value(-1),
        output_field=IntegerField(),
    )


def _live(*, user: User, scope: object, quarter: Quarter, every: list[Quarter], first: date, last: date) -> Iterable:
    """The scope's deals grouped by (stage, forecast category, q: index in `every` or -1,
    won_day: the closing day of a deal won in `quarter`, else None) -> n, total, weighted, from
    the opportunities: every open deal and the closed ones closed from `first` to `last`."""
    from funnel.selectors import MONEY_FIELD, _scoped

    opens = Q(stage__in=stages.OPEN_STAGES)
    rows = _scoped(Opportunity.objects.all(), user=user, scope=scope).filter(
        opens | Q(stage__in=stages.CLOSED_STAGES, closed_at__gte=first, closed_at__lte=last)
    )
    return (
        rows.annotate(
            # Open deals fall in a quarter by expected close date, closed ones by closing date.
            q=Case(
                When(opens, then=_quarter_index("expected_close_date", every)),
                default=_quarter_index("closed_at", every),
            ),
            won_day=Case(
                When(
                    stage__in=stages.WON_STAGES,
                    closed_at__gte=quarter.start,
                    closed_at__lte=quarter.end,
                    then=F("closed_at"),
                ),
                default=None,
                output_field=DateField(),
            ),
        )
        .order_by()
        .values("stage", "forecast_category", "q", "won_day")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            weighted=Sum(ExpressionWrapper(F("amount") * F("probability"), output_field=MONEY_FIELD)),
        )
    )


def _from_rollup(
    *, user: User, scope: object, quarter: Quarter, every: list[Quarter], first: date, last: date
) -> list[dict]:
    """_live's groups from the opportunity roll-up (funnel.rollups.opportunity_sums): its days
    placed in the quarters here (an open deal's close month, a won deal's closing day, a lost
    deal's closing month all fall in the quarter their date does: quarters are whole months)."""

    def index(day: date | None) -> int:
        return next((i for i, q in enumerate(every) if day is not None and q.start <= day <= q.end), -1)

    return [
        {
            "stage": stage,
            "forecast_category": category,
            "q": index(day),
            "won_day": day if stage in stages.WON_STAGES and quarter.contains(day) else None,
            "n": n,
            "total": total,
            "weighted": weighted,
        }
        for stage, category, day, n, total, weighted in rollups.opportunity_sums(
            user=user, scope=scope, first=first, last=last
        )
    ]


def pipeline_sums(*, user: User, scope: object, quarter: Quarter, quarters: list[Quarter]) -> PipelineSums:
    """The funnel of `quarter` (selectors.sales_funnel), the forecast figures of each of
    `quarters` (selectors.forecast_figures), the won amounts per day of `quarter` (the actual
    that selectors.forecast_accuracy accumulates) and the open amounts per stage closing in
    `quarter` (selectors.data_driven_forecast) for the opportunities of `scope` that `user` may
    see. One query (of the opportunity roll-up where funnel.rollups.applies, else of the
    opportunities); money as Decimal, weighted sums divided by 100 as those selectors do."""
    from funnel.selectors import StageRow

    shown = quarters.index(quarter) if quarter in quarters else None
    every = [*quarters, quarter] if shown is None else quarters
    shown = len(quarters) if shown is None else shown
    first, last = min(q.start for q in every), max(q.end for q in every)
    if rollups.applies(scope):
        # The deals' sums per audience (funnel/opportunity_rollup_sql.py): the same groups, from a
        # few thousand pre-summed rows instead of the scope's deals.
        grouped = _from_rollup(user=user, scope=scope, quarter=quarter, every=every, first=first, last=last)
    else:
        grouped = _live(user=user, scope=scope, quarter=quarter, every=every, first=first, last=last)
    funnel = {stage: [0, ZERO, ZERO] for stage in stages.STAGES}
    won = [ZERO] * len(every)
    commit, best, weighted = [ZERO] * len(every), [ZERO] * len(every), [ZERO] * len(every)
    by_day: dict[date, Decimal] = {}
    open_by_stage = dict.fromkeys(stages.OPEN_STAGES, ZERO)
    for row in grouped:
        stage, q, total, product = row["stage"], row["q"], row["total"] or ZERO, row["weighted"] or ZERO
        is_open = stage in stages.OPEN_STAGES
        if is_open or q == shown:  # the funnel: the whole open pipeline, and what closed in the quarter
            counted = funnel[stage]
            counted[0] += row["n"]
            counted[1] += total
            counted[2] += product
        if q < 0:
            continue
        if is_open:
            weighted[q] += product
            if row["forecast_category"] == stages.COMMIT:
                commit[q] += total
            elif row["forecast_category"] == stages.BEST_CASE:
                best[q] += total
            if q == shown:
                open_by_stage[stage] += total
        elif stage in stages.WON_STAGES:
            won[q] += total
            if row["won_day"] is not None:
                by_day[row["won_day"]] = by_day.get(row["won_day"], ZERO) + total
    return PipelineSums(
        funnel=[
            StageRow(
                value,
                str(label),
                funnel[value][0],
                funnel[value][1].quantize(fc.CENT),
                (funnel[value][2] / 100).quantize(fc.CENT),
            )
            for value, label in Stage.choices
        ],
        figures={
            q.label: fc.figures_from_sums(
                won=won[i], commit_open=commit[i], best_case_open=best[i], weighted_open=weighted[i] / 100
            )
            for i, q in enumerate(every)
        },
        won_by_day=sorted(by_day.items()),
        open_by_stage=open_by_stage,
    )
