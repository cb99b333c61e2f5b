"""Who sees what in the funnel, as the accounts matrix does it: each person against the board,
an opportunity's page, its moves and edits, the API, the forecast endpoints and the dashboard
with its exports. A refusal changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.test_visibility import API_MATRIX, MATRIX
from funnel.models import Opportunity, StageChange
from funnel.tests.factories import make_opportunity
from kam.testing import csv_download, token_client

pytestmark = pytest.mark.django_db

# Whose figures each person may ask for by name (owner = rep1, the world's account owner).
SEES_REP1 = {
    "owner": True,
    "teammate": False,
    "same_team_rep": False,
    "other_rep": False,
    "manager": True,
    "other_manager": False,
    "director": True,
    "integration": True,
}


@pytest.fixture
def deal(world):  # noqa: ANN001, ANN201
    return make_opportunity(world.account, name="秘密交易", stage="proposal", amount=Decimal("777777.00"))


@pytest.mark.parametrize(("person", "expected"), MATRIX.items())
def test_pages_follow_the_visibility_rule(client, world, deal, person, expected) -> None:  # noqa: ANN001
    sees, _may_delete = expected
    client.force_login(getattr(world, person))
    board = client.get(reverse("funnel:board"))
    assert board.status_code == 200
    assert (deal.name in board.content.decode()) is sees
    assert client.get(reverse("funnel:detail", args=[deal.pk])).status_code == (200 if sees else 404)
    assert client.get(reverse("funnel:card_edit", args=[deal.pk])).status_code == (200 if sees else 404)

    moved = client.post(reverse("funnel:move", args=[deal.pk]), {"stage": "negotiation"})
    assert moved.status_code == (302 if sees else 404)
    edited = client.post(reverse("funnel:card_edit", args=[deal.pk]), {"amount": "1.00"})
    assert edited.status_code == (200 if sees else 404)
    stored = Opportunity.objects.get(pk=deal.pk)
    assert (stored.stage, stored.amount) == (("negotiation", Decimal("1.00")) if sees else ("proposal", deal.amount))
    assert StageChange.objects.filter(opportunity=deal).count() == (2 if sees else 1)


@pytest.mark.parametrize(("person", "expected"), API_MATRIX.items())
def test_api_follows_the_visibility_rule(world, deal, person, expected) -> None:  # noqa: ANN001
    sees, _may_delete = expected
    scopes = ["opportunities:read", "opportunities:write"] if person == "integration" else None
    api = token_client(getattr(world, person), scopes=scopes)
    url = f"/api/v1/opportunities/{deal.pk}/"
    listed = [row["id"] for row in api.get("/api/v1/opportunities/").json()["results"]]
    assert listed == ([deal.pk] if sees else [])
    assert api.get(url).status_code == (200 if sees else 404)
    assert api.get(f"{url}history/").status_code == (200 if sees else 404)
    assert api.patch(url, {"name": "renamed"}, format="json").status_code == (200 if sees else 404)
    assert (Opportunity.objects.get(pk=deal.pk).name == "renamed") is sees


@pytest.mark.parametrize(("person", "sees"), SEES_REP1.items())
def test_forecast_of_a_rep_answers_404_to_whoever_may_not_see_them(world, person, sees) -> None:  # noqa: ANN001
    make_opportunity(world.account, stage="signed", closed_at=date(2026, 8, 1), amount=Decimal("5000.00"))
    scopes = ["forecast:read"] if person == "integration" else None
    api = token_client(getattr(world, person), scopes=scopes)
    figures = api.get("/api/v1/forecast/", {"quarter": "2026-Q3", "owner": "rep1"})
    accuracy = api.get("/api/v1/forecast/accuracy/", {"quarter": "2026-Q3", "owner": "rep1"})
    assert (figures.status_code, accuracy.status_code) == ((200, 200) if sees else (404, 404))
    if sees:
        assert figures.json()["won"] == "5000.00"


@pytest.mark.parametrize(
    ("person", "status"),
    [("owner", 404), ("manager", 200), ("other_manager", 404), ("director", 200)],
)
def test_forecast_of_a_team(world, person, status) -> None:  # noqa: ANN001
    team = world.owner.team
    answer = token_client(getattr(world, person)).get("/api/v1/forecast/", {"team": team.pk})
    assert answer.status_code == status


@pytest.mark.parametrize(
    ("person", "rep1_figures"),
    [
        ("owner", True),
        ("teammate", False),
        ("other_rep", False),
        ("manager", True),
        ("other_manager", False),
        ("director", True),
    ],
)
def test_the_dashboard_and_its_exports_show_only_the_persons_own_numbers(
    client,
    world,
    person,
    rep1_figures,  # noqa: ANN001
) -> None:
    # given rep1's won deal and open deal, and another team's deal
    make_opportunity(
        world.account,
        name="rep1-won",
        stage="signed",
        closed_at=date(2026, 8, 1),
        amount="1111.00",
        expected_close_date=date(2026, 8, 1),
    )
    make_opportunity(world.account, name="rep1-open", stage="negotiation", amount="2222.00")
    make_opportunity(world.other_account, name="rep4-open", stage="proposal", amount="4446.00")
    client.force_login(getattr(world, person))
    # when the dashboard and its funnel export are opened for 2026-Q3
    page = client.get(reverse("funnel:dashboard"), {"quarter": "2026-Q3"}).content.decode()
    csv = "\n".join(
        ",".join(row)
        for row in csv_download(client.get(reverse("funnel:dashboard_csv", args=["funnel"]), {"quarter": "2026-Q3"}))
    )
    # then rep1's amounts appear exactly to those who may see them, rep4's to rep4's side and the director
    assert ("1111.00" in page, "2222.00" in csv) == (rep1_figures, rep1_figures)
    rep4_figures = person in ("other_rep", "other_manager", "director")
    assert ("4446.00" in page, "4446.00" in csv) == (rep4_figures, rep4_figures)
    # and asking for rep1 by name is a 404 for the others
    named = client.get(reverse("funnel:dashboard"), {"owner": "rep1"})
    assert named.status_code == (200 if rep1_figures else 404)
