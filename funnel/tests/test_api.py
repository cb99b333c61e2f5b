"""The opportunities API: list/detail/create/update with updated_since, stage history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from funnel.models import Opportunity
from funnel.tests.factories import make_opportunity
from kam.testing import token_client

pytestmark = pytest.mark.django_db


def test_create_takes_defaults_and_answers_the_derived_fields(world) -> None:  # noqa: ANN001
    api = token_client(world.owner)
    answer = api.post(
        "/api/v1/opportunities/",
        {
            "account": world.account.pk,
            "name": "Line 3 retrofit",
            "amount": "480000.00",
            "stage": "negotiation",
            "expected_close_date": "2026-09-30",
            "external_id": "OPP-9",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["owner"], body["probability"], body["forecast_category"], body["probability_override"]) == (
        "rep1",
        75,
        "commit",
        None,
    )
    history = api.get(f"/api/v1/opportunities/{body['id']}/history/").json()
    assert [(h["from_stage"], h["to_stage"], h["changed_by"]) for h in history] == [("", "negotiation", "rep1")]


def test_update_with_an_override_and_clearing_it(world) -> None:  # noqa: ANN001
    opportunity = make_opportunity(world.account, stage="proposal")
    api = token_client(world.owner)
    url = f"/api/v1/opportunities/{opportunity.pk}/"
    assert (
        api.patch(url, {"probability_override": 70, "stage": "negotiation"}, format="json").json()["probability"] == 70
    )
    assert api.patch(url, {"probability_override": None}, format="json").json()["probability"] == 75
    assert api.patch(url, {"stage": "lost"}, format="json").json()["probability"] == 0
    stages = [(h["from_stage"], h["to_stage"]) for h in api.get(f"{url}history/").json()]
    assert stages == [("", "proposal"), ("proposal", "negotiation"), ("negotiation", "lost")]


def test_derived_fields_sent_by_a_client_are_ignored(world) -> None:  # noqa: ANN001
    opportunity = make_opportunity(world.account, stage="proposal")
    answer = token_client(world.owner).patch(
        f"/api/v1/opportunities/{opportunity.pk}/", {"probability": 99, "forecast_category": "commit"}, format="json"
    )
    assert (answer.status_code, answer.json()["probability"], answer.json()["forecast_category"]) == (
        200,
        50,
        "best_case",
    )


def test_updated_since_lists_only_the_changed_ones(world) -> None:  # noqa: ANN001
    old = make_opportunity(world.account, name="old")
    new = make_opportunity(world.account, name="new")
    Opportunity.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    answer = token_client(world.owner).get("/api/v1/opportunities/", {"updated_since": since})
    assert [row["id"] for row in answer.json()["results"]] == [new.pk]


def test_an_opportunity_on_a_hidden_account_cannot_be_created(world) -> None:  # noqa: ANN001
    answer = token_client(world.owner).post(
        "/api/v1/opportunities/",
        {"account": world.other_account.pk, "name": "x", "amount": "1.00"},
        format="json",
    )
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["account"]
    assert Opportunity.objects.count() == 0


def test_a_token_without_the_scope_is_refused(world) -> None:  # noqa: ANN001
    make_opportunity(world.account)
    api = token_client(world.owner, scopes=["accounts:read"])
    assert api.get("/api/v1/opportunities/").status_code == 403
    reader = token_client(world.owner, scopes=["opportunities:read"])
    assert reader.get("/api/v1/opportunities/").status_code == 200
    assert reader.post("/api/v1/opportunities/", {}, format="json").status_code == 403
