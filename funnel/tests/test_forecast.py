"""Forecast figures and accuracy in the database on a hand-made quarter (the same one as the
domain tests), weekly snapshots (idempotent, beat task and command) and commitments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funnel import selectors, services
from funnel.domain.forecast import Deal, forecast
from funnel.domain.quarters import Quarter
from funnel.models import Commitment, ForecastSnapshot, Opportunity, SnapshotLine
from funnel.tasks import weekly_snapshot
from funnel.tests.domain.test_forecast import DEALS
from funnel.tests.factories import make_opportunity
from kam.testing import token_client

pytestmark = pytest.mark.django_db

Q3 = Quarter(2026, 3)


def _load(world, deals=DEALS) -> None:  # noqa: ANN001
    """The domain test's deals as rep1's opportunities (category and probability as given)."""
    for i, deal in enumerate(deals):
        make_opportunity(
            world.account,
            name=f"hand-made {i}",
            stage=deal.stage,
            amount=deal.amount,
            expected_close_date=deal.expected_close,
            closed_at=deal.closed_at,
            probability_override=deal.probability,
            category_override=deal.category,
        )


def test_the_database_computes_the_domains_figures(world) -> None:  # noqa: ANN001
    _load(world)
    scope = selectors.Scope(owner=world.owner)
    assert selectors.forecast_figures(user=world.manager, quarter=Q3, scope=scope) == forecast(DEALS, quarter=Q3)
    answer = token_client(world.manager).get("/api/v1/forecast/", {"quarter": "2026-Q3", "owner": "rep1"}).json()
    assert answer == {
        "quarter": "2026-Q3",
        "owner": "rep1",
        "team": None,
        "won": "150000.00",
        "commit": "230000.00",
        "best_case": "300000.00",
        "weighted": "250234.57",
    }


def test_a_fiscal_year_moves_the_quarter(world, settings) -> None:  # noqa: ANN001
    settings.FUNNEL_FISCAL_YEAR_START_MONTH = 4
    _load(world)
    # fiscal 2026-Q2 is July-September 2026: the same months as calendar Q3
    answer = token_client(world.owner).get("/api/v1/forecast/", {"quarter": "2026-Q2"}).json()
    assert (answer["won"], answer["weighted"]) == ("150000.00", "250234.57")


def _snapshot(week: date, as_of: date, rows: list[tuple[str, int, str, date]], world) -> ForecastSnapshot:  # noqa: ANN001
    snapshot = ForecastSnapshot.objects.create(week=week, as_of=as_of)
    for amount, probability, category, close in rows:
        opportunity = make_opportunity(world.account, stage="proposal", expected_close_date=close)
        SnapshotLine.objects.create(
            snapshot=snapshot,
            opportunity=opportunity,
            account=world.account,
            owner=world.owner,
            amount=Decimal(amount),
            probability=probability,
            forecast_category=category,
            stage="proposal",
            expected_close_date=close,
        )
    return snapshot


def test_accuracy_and_bias_per_week_on_a_hand_made_quarter(world) -> None:  # noqa: ANN001
    # given: won 100,000 on 18 July and 50,000 on 30 August (actual 150,000)
    make_opportunity(world.account, stage="signed", amount="100000.00", closed_at=date(2026, 7, 18))
    make_opportunity(world.account, stage="paid", amount="50000.00", closed_at=date(2026, 8, 30))
    # week of 13 July (Friday 17th): nothing won yet, open 200,000 @ 50% commit + 100,000 @ 20%
    _snapshot(
        date(2026, 7, 13),
        date(2026, 7, 17),
        [("200000.00", 50, "commit", date(2026, 8, 31)), ("100000.00", 20, "pipeline", date(2026, 9, 1))],
        world,
    )
    # week of 24 August (Friday 28th): 100,000 won, open 80,000 @ 75% commit; a Q4 deal is ignored
    _snapshot(
        date(2026, 8, 24),
        date(2026, 8, 28),
        [("80000.00", 75, "commit", date(2026, 9, 15)), ("999999.00", 90, "commit", date(2026, 10, 2))],
        world,
    )
    # when the quarter has ended
    result = selectors.forecast_accuracy(
        user=world.manager, quarter=Q3, scope=selectors.Scope(owner=world.owner), today=date(2026, 10, 5)
    )
    # then, week 1: weighted 120,000, commit 200,000; week 2: weighted 160,000, commit 180,000
    assert (result.actual, result.final, result.undefined) == (Decimal("150000.00"), True, False)
    rows = [(w.week, w.won_to_date, w.weighted, w.commit, w.accuracy, w.bias, w.commit_accuracy) for w in result.weeks]
    assert rows == [
        (date(2026, 7, 13), Decimal("0.00"), Decimal("120000.00"), Decimal("200000.00"),
         Decimal("0.8000"), Decimal("-0.2000"), Decimal("0.6667")),
        (date(2026, 8, 24), Decimal("100000.00"), Decimal("160000.00"), Decimal("180000.00"),
         Decimal("0.9333"), Decimal("0.0667"), Decimal("0.8000")),
    ]  # fmt: skip


def test_accuracy_is_not_judged_before_the_quarter_ends_nor_when_nothing_was_won(world) -> None:  # noqa: ANN001
    _snapshot(date(2026, 7, 13), date(2026, 7, 17), [("1000.00", 50, "commit", date(2026, 8, 31))], world)
    during = selectors.forecast_accuracy(user=world.owner, quarter=Q3, scope=selectors.Scope(), today=date(2026, 9, 1))
    after = selectors.forecast_accuracy(user=world.owner, quarter=Q3, scope=selectors.Scope(), today=date(2026, 10, 1))
    assert (during.final, during.weeks[0].accuracy, during.weeks[0].weighted) == (False, None, Decimal("500.00"))
    assert (after.final, after.undefined, after.weeks[0].accuracy, after.weeks[0].bias) == (True, True, None, None)
    body = token_client(world.owner).get("/api/v1/forecast/accuracy/", {"quarter": "2026-Q3"}).json()
    assert (body["undefined"], body["weeks"][0]["accuracy"]) == (body["final"], None)


def test_a_weekly_snapshot_records_open_deals_once_per_week(world) -> None:  # noqa: ANN001
    # given open and closed deals
    open_deal = make_opportunity(world.account, stage="negotiation", amount="3000.00", probability_override=70)
    make_opportunity(world.account, stage="signed", amount="9000.00")
    # when the snapshot runs on Friday and again on Sunday of the same week
    first, created = services.snapshot_take(as_of=date(2026, 7, 17))
    Opportunity.objects.filter(pk=open_deal.pk).update(amount=Decimal("1.00"))
    again, created_again = services.snapshot_take(as_of=date(2026, 7, 19))
    # then one snapshot, as it stood on Friday
    assert (created, created_again, again.pk, first.week, first.lines_count) == (
        True,
        False,
        first.pk,
        date(2026, 7, 13),
        1,
    )
    line = SnapshotLine.objects.get()
    assert (line.opportunity_id, line.amount, line.probability, line.forecast_category, line.stage) == (
        open_deal.pk,
        Decimal("3000.00"),
        70,
        "commit",
        "negotiation",
    )


def test_the_command_and_the_beat_task_share_the_weeks_snapshot(world) -> None:  # noqa: ANN001
    make_opportunity(world.account)
    out = StringIO()
    call_command("snapshot_forecast", "--as-of", "2026-07-15", stdout=out)
    call_command("snapshot_forecast", "--as-of", "2026-07-17", stdout=out)
    assert out.getvalue().splitlines() == [
        "Week of 2026-07-13: 1 opportunities recorded.",
        "Week of 2026-07-13 already has its snapshot; nothing changed.",
    ]
    weekly_snapshot.delay()
    assert ForecastSnapshot.objects.count() == 2  # today's week (not 2026-07-13) got its own


def test_commitments_keep_the_reps_figure_beside_the_managers(world) -> None:  # noqa: ANN001
    commitment = services.commitment_submit(user=world.owner, quarter="2026-Q3", amount=Decimal("200000"))
    services.commitment_adjust(user=world.manager, commitment=commitment, amount=Decimal("160000"))
    services.commitment_submit(user=world.owner, quarter="2026-Q3", amount=Decimal("210000"))
    stored = Commitment.objects.get()
    assert (stored.amount, stored.manager_amount, stored.adjusted_by) == (
        Decimal("210000.00"),
        Decimal("160000.00"),
        world.manager,
    )
    for person in ("other_manager", "teammate", "owner"):
        with pytest.raises(PermissionDenied):
            services.commitment_adjust(user=getattr(world, person), commitment=stored, amount=Decimal("1"))
    assert Commitment.objects.get().manager_amount == Decimal("160000.00")


_deals = st.lists(
    st.builds(
        Deal,
        stage=st.sampled_from(
            ["first_contact", "needs_understood", "proposal", "negotiation", "signed", "paid", "lost"]
        ),
        category=st.sampled_from(["pipeline", "best_case", "commit", "omitted", "closed"]),
        amount=st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
        probability=st.integers(0, 100),
        expected_close=st.one_of(st.none(), st.dates(min_value=date(2026, 5, 1), max_value=date(2026, 11, 30))),
        closed_at=st.dates(min_value=date(2026, 5, 1), max_value=date(2026, 11, 30)),
    ),
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deals=_deals)
def test_the_database_and_the_domain_agree_on_any_deals(world, deals) -> None:  # noqa: ANN001
    # given any deals (the stored probability of a lost one is 0, as the services keep it)
    Opportunity.objects.all().delete()
    _load(world, deals)
    stored = [
        Deal(o.stage, o.forecast_category, o.amount, o.probability, o.expected_close_date, o.closed_at)
        for o in Opportunity.objects.all()
    ]
    # then the SQL figures are the pure function's
    scope = selectors.Scope(owner=world.owner)
    assert selectors.forecast_figures(user=world.owner, quarter=Q3, scope=scope) == forecast(stored, quarter=Q3)


@pytest.mark.postgres
def test_stage_statistics_in_sql_are_the_domains(world) -> None:  # noqa: ANN001
    from datetime import UTC, datetime, timedelta

    from funnel.models import StageChange

    # given walks with a step back, a loss, a win and an open deal, dated by hand
    t0 = datetime.now(UTC) - timedelta(days=60)
    walks = [
        ["first_contact", "needs_understood", "proposal", "needs_understood", "proposal", "negotiation", "signed"],
        ["first_contact", "proposal", "negotiation", "lost"],
        ["first_contact"],
        ["needs_understood", "proposal", "paid"],
    ]
    for n, walk in enumerate(walks):
        deal = make_opportunity(world.account, stage=walk[0])
        StageChange.objects.filter(opportunity=deal).update(changed_at=t0 + timedelta(hours=n))
        for step, stage in enumerate(walk[1:], start=1):
            at = t0 + timedelta(days=3 * step, hours=n, seconds=step * 7.5)
            services.opportunity_update(user=world.owner, opportunity=deal, data={"stage": stage}, at=at)
    opportunities = Opportunity.objects.all()
    now = t0 + timedelta(days=40)
    # then the SQL and the Python fold agree on every figure
    sql = selectors._stage_statistics_sql(opportunities, now=now)
    python = selectors._stage_statistics_python(opportunities, now=now)
    assert sql == python
    assert [(r.stage, r.reached, r.advanced, r.won) for r in sql][:3] == [
        ("first_contact", 3, 2, 1),
        ("needs_understood", 2, 2, 2),
        ("proposal", 3, 3, 2),
    ]
