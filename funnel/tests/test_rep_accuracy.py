"""Forecast accuracy and bias per rep across quarters (funnel/selectors_reps.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from funnel.domain.quarters import Quarter
from funnel.models import ForecastSnapshot, Opportunity, SnapshotLine
from funnel.selectors import Scope
from funnel.selectors_reps import rep_accuracy
from funnel.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)


def line(snapshot: ForecastSnapshot, deal: Opportunity, amount: str, probability: int, closing: date) -> None:
    SnapshotLine.objects.create(
        snapshot=snapshot,
        opportunity=deal,
        account=deal.account,
        owner=deal.owner,
        amount=Decimal(amount),
        probability=probability,
        forecast_category="pipeline",
        stage="proposal",
        expected_close_date=closing,
    )


def won(account, owner, amount: str, closed: date) -> Opportunity:  # noqa: ANN001
    deal = make_opportunity(account, owner, amount=amount, stage="signed")
    Opportunity.objects.filter(pk=deal.pk).update(closed_at=closed)
    return deal


@pytest.fixture
def forecasts(world):  # noqa: ANN001, ANN201
    # Q3's first snapshot (6 July): rep1 expects 10,000 × 50% in Q3 (and 9,999 in Q4: not Q3's)
    first = ForecastSnapshot.objects.create(week=date(2026, 7, 6), as_of=date(2026, 7, 10))
    later = ForecastSnapshot.objects.create(week=date(2026, 7, 13), as_of=date(2026, 7, 17))
    deal = make_opportunity(world.account, stage="proposal")
    line(first, deal, "10000.00", 50, date(2026, 8, 15))
    line(first, make_opportunity(world.account, stage="proposal"), "9999.00", 100, date(2026, 10, 15))
    line(later, deal, "10000.00", 90, date(2026, 8, 15))  # a later week: not the quarter's forecast
    won(world.account, world.owner, "1000.00", date(2026, 7, 2))  # won before the snapshot: in its forecast
    won(world.account, world.owner, "3000.00", date(2026, 8, 1))
    # rep4, the other team: forecast 2,000 × 100%, nothing won
    other = make_opportunity(world.other_account, stage="proposal")
    line(first, other, "2000.00", 100, date(2026, 9, 1))
    return world


def test_each_rep_is_judged_on_the_quarters_first_weekly_forecast(forecasts) -> None:  # noqa: ANN001
    # when the director looks at the four quarters up to 2026-Q3, after it ended
    rows = rep_accuracy(user=forecasts.director, scope=Scope(), quarter=Quarter(2026, 3), today=TODAY)
    table = [(r.rep, r.quarter, r.forecast, r.actual, r.accuracy, r.bias) for r in rows]
    # then rep1: 1,000 won by 10 July + 5,000 weighted = 6,000 against 4,000 won: accuracy
    # 1 - 2,000/4,000, bias +0.5; rep4: nothing won, so neither exists; no snapshot, no forecast
    assert table == [
        ("rep1", "2025-Q4", None, Decimal("0.00"), None, None),
        ("rep1", "2026-Q1", None, Decimal("0.00"), None, None),
        ("rep1", "2026-Q2", None, Decimal("0.00"), None, None),
        ("rep1", "2026-Q3", Decimal("6000.00"), Decimal("4000.00"), Decimal("0.5000"), Decimal("0.5000")),
        ("rep4", "2025-Q4", None, Decimal("0.00"), None, None),
        ("rep4", "2026-Q1", None, Decimal("0.00"), None, None),
        ("rep4", "2026-Q2", None, Decimal("0.00"), None, None),
        ("rep4", "2026-Q3", Decimal("2000.00"), Decimal("0.00"), None, None),
    ]


def test_a_manager_sees_their_team_and_a_running_quarter_is_not_judged(forecasts) -> None:  # noqa: ANN001
    rows = rep_accuracy(user=forecasts.manager, scope=Scope(), quarter=Quarter(2026, 3), today=date(2026, 9, 1))
    assert {r.rep for r in rows} == {"rep1"}
    q3 = rows[-1]
    assert (q3.forecast, q3.actual, q3.accuracy, q3.bias) == (Decimal("6000.00"), Decimal("4000.00"), None, None)


def test_the_accounts_region_narrows_the_figures(forecasts) -> None:  # noqa: ANN001
    from accounts.models import Account

    Account.objects.filter(pk=forecasts.other_account.pk).update(region="North China")
    rows = rep_accuracy(
        user=forecasts.director, scope=Scope(region="North China"), quarter=Quarter(2026, 3), today=TODAY
    )
    assert {r.rep for r in rows} == {"rep4"}
