"""The dashboard's folded pass (funnel.folded) gives the figures of the separate selectors and
of the pure domain, on any deals, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Team
from funnel import selectors, services
from funnel.domain.forecast import Deal, forecast
from funnel.domain.quarters import Quarter
from funnel.models import ForecastSnapshot, Opportunity
from funnel.tests.factories import make_opportunity

pytestmark = pytest.mark.django_db

Q3 = Quarter(2026, 3)
QUARTERS = [Q3.previous(), Q3, Q3.next(), Q3.next().next()]
STAGES = ["first_contact", "needs_understood", "proposal", "negotiation", "signed", "paid", "lost"]
SPAN = {"min_value": date(2026, 3, 1), "max_value": date(2027, 4, 30)}  # the four quarters and a little more

_deals = st.lists(
    st.tuples(
        st.builds(
            Deal,
            stage=st.sampled_from(STAGES),
            category=st.sampled_from(["pipeline", "best_case", "commit", "omitted", "closed"]),
            amount=st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
            probability=st.integers(0, 100),
            expected_close=st.one_of(st.none(), st.dates(**SPAN)),
            closed_at=st.dates(**SPAN),
        ),
        st.sampled_from(["owner", "teammate", "other_rep"]),  # whose deal
        st.booleans(),  # on the owner's account (else on the other team's, which the manager cannot see)
    ),
    max_size=10,
)


def _load(world, deals) -> None:  # noqa: ANN001
    Opportunity.objects.all().delete()
    ForecastSnapshot.objects.all().delete()
    for i, (deal, person, own_account) in enumerate(deals):
        make_opportunity(
            world.account if own_account else world.other_account,
            getattr(world, person),
            by=world.director,
            name=f"generated {i}",
            stage=deal.stage,
            amount=deal.amount,
            expected_close_date=deal.expected_close,
            closed_at=deal.closed_at,
            probability_override=deal.probability,
            category_override=deal.category,
        )
    services.snapshot_take(as_of=date(2026, 8, 14))  # one week of Q3 to judge the forecast by


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deals=_deals)
def test_the_folded_dashboard_gives_each_selectors_figures_on_any_deals(world, deals) -> None:  # noqa: ANN001
    # given any deals of the manager's team and of the other team, on visible and hidden accounts
    _load(world, deals)
    user, scope = world.manager, selectors.Scope(team=Team.objects.get(name="Team 1"))
    # when the dashboard is computed in its folded pass
    folded = selectors.dashboard(user=user, scope=scope, quarter=Q3)
    # then every chart is the one the separate selectors compute
    assert folded.figures == selectors.forecast_figures(user=user, quarter=Q3, scope=scope)
    assert folded.funnel == selectors.sales_funnel(user=user, scope=scope, quarter=Q3)
    assert folded.weighted_by_quarter == selectors.weighted_by_quarter(user=user, scope=scope, quarters=QUARTERS)
    assert folded.accuracy == selectors.forecast_accuracy(user=user, quarter=Q3, scope=scope)
    assert folded.data_driven == selectors.data_driven_forecast(
        user=user, quarter=Q3, scope=scope, won=folded.figures.won, statistics=folded.stages
    )
    # and the pure domain's, over the deals the manager may see in the team
    seen = [
        Deal(o.stage, o.forecast_category, o.amount, o.probability, o.expected_close_date, o.closed_at)
        for o in Opportunity.objects.filter(account=world.account, owner__team__name="Team 1")
    ]
    assert [(q.label, forecast(seen, quarter=q).weighted) for q in QUARTERS] == folded.weighted_by_quarter
    assert folded.figures == forecast(seen, quarter=Q3)


def _queries(user, scope) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as queries:
        selectors.dashboard(user=user, scope=scope, quarter=Q3)
    return len(queries)


@pytest.mark.parametrize("person", ["manager", "director", "owner"])
def test_the_dashboard_asks_a_fixed_number_of_queries_whatever_the_data(world, person) -> None:  # noqa: ANN001
    user = getattr(world, person)
    # given one deal, then forty more in every stage on both teams
    _load(world, [(Deal("proposal", "pipeline", 100, 50, date(2026, 8, 1)), "owner", True)])
    few = _queries(user, selectors.Scope())
    _load(
        world,
        [
            (Deal(STAGES[i % 7], "commit", 1000 + i, 40, date(2026, 7, 1 + i % 28), date(2026, 8, 1)), person, i % 2)
            for i, person in zip(range(40), ["owner", "teammate", "other_rep", "same_team_rep"] * 10, strict=True)
        ],
    )
    # then the dashboard asks as many queries as before, for everyone's and for one team's figures
    expected = selectors.DASHBOARD_QUERIES
    if connection.vendor != "postgresql":
        expected -= selectors.DASHBOARD_POSTGRES_ONLY_QUERIES
    assert few == _queries(user, selectors.Scope()) == expected
    assert _queries(world.director, selectors.Scope(team=Team.objects.get(name="Team 1"))) == few
