"""seed_demo fills the funnel: deterministic for a seed, every dashboard chart populated."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from accounts.models import User
from funnel import selectors
from funnel.domain.quarters import Quarter
from funnel.models import Commitment, ForecastSnapshot, Opportunity, SnapshotLine, StageChange

AS_OF = date(2026, 6, 30)


def _seed(seed: int = 7) -> None:
    call_command(
        "seed_demo", accounts=40, orders=400, opportunities=300, seed=seed, as_of=AS_OF, reset=True, verbosity=0
    )


def _state() -> tuple[list, list, int]:
    opportunities = list(
        Opportunity.objects.order_by("external_id").values_list(
            "external_id", "account__external_id", "stage", "amount", "probability", "expected_close_date", "closed_at"
        )
    )
    history = list(
        StageChange.objects.order_by("opportunity__external_id", "changed_at").values_list(
            "opportunity__external_id", "from_stage", "to_stage", "changed_at"
        )
    )
    return opportunities, history, SnapshotLine.objects.count()


@pytest.mark.django_db
def test_the_demo_funnel_is_deterministic_and_fills_every_chart() -> None:
    _seed()
    first = _state()
    _seed()
    assert _state() == first
    # every history starts from nothing and is continuous, ending at the stored stage
    by_opportunity: dict[str, list[tuple[str, str]]] = {}
    for key, from_stage, to_stage, _at in first[1]:
        by_opportunity.setdefault(key, []).append((from_stage, to_stage))
    stored = {row[0]: row[2] for row in first[0]}
    for key, chain in by_opportunity.items():
        assert chain[0][0] == ""
        assert all(chain[i][0] == chain[i - 1][1] for i in range(1, len(chain)))
        assert chain[-1][1] == stored[key]
    assert (len(first[0]), ForecastSnapshot.objects.count(), Commitment.objects.count()) == (300, 52, 6)
    # the manager's dashboard for the demo's last full quarter has data in every chart
    manager = User.objects.get(username="manager1")
    current = selectors.dashboard(user=manager, scope=selectors.Scope(), quarter=Quarter(2026, 2))
    assert [row.count > 0 for row in current.funnel] == [True] * 7
    assert current.stalled != []
    assert current.whitespace != []
    past = selectors.dashboard(user=manager, scope=selectors.Scope(), quarter=Quarter(2026, 1))
    assert (len(past.accuracy.weeks), past.accuracy.final) == (13, True)
    assert [week.accuracy is None for week in past.accuracy.weeks] == [False] * 13


@pytest.mark.django_db
def test_the_demo_fills_the_account_funnel_and_the_tiering_charts() -> None:
    _seed()
    manager = User.objects.get(username="manager1")
    # when the manager opens the demo's quarter
    data = selectors.dashboard(user=manager, scope=selectors.Scope(), quarter=Quarter(2026, 2))
    # then every bar has accounts, most stages hold some (all are tiered, so none stays in the
    # bare target market), and some moved on during the quarter
    rows = data.account_funnel.rows
    assert [row.reached > 0 for row in rows] == [True] * 7
    assert sum(row.at_stage > 0 for row in rows[1:]) >= 4
    assert any(row.conversion.moved_on for row in rows)
    # the quarter's run against the one a quarter earlier: migrations, segments, every pyramid class
    assert (data.tiering.run.as_of, data.tiering.previous.as_of) == (AS_OF, date(2026, 3, 30))
    assert data.tiering.migrations != []
    assert sum(cell.accounts for cell in data.tiering.segments) == rows[1].reached
    assert [cell.accounts > 0 for cell in data.tiering.pyramid] == [True] * 3
    # every rep of the team judged on a past quarter
    judged = {row.rep for row in data.rep_accuracy if row.accuracy is not None}
    assert judged == set(User.objects.filter(team__manager=manager, role="rep").values_list("username", flat=True))
