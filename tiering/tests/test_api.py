from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import make_order
from accounts.tests.test_visibility import api_client_for
from accounts.tokens import api_token_create
from tiering.models import ScoringRun
from tiering.services import run_execute, run_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiered(world):  # noqa: ANN001, ANN201
    make_order(world.account, timezone.localdate() - timedelta(days=3), "5000.00", "500.00")
    run_execute(run_id=run_request(trigger="test").pk)
    return world


def token_client(user, scopes):  # noqa: ANN001, ANN201
    from rest_framework.test import APIClient

    _, key = api_token_create(user=user, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_accounts_carry_their_current_tier_and_scores(tiered) -> None:
    body = api_client_for(tiered.owner).get(f"/api/v1/accounts/{tiered.account.pk}/").json()
    assert body["tier"]
    assert body["category"]
    assert (body["frequency"], body["monetary"], body["recency_days"]) == (1, "5000.00", 3)
    assert set(body["scores"]) >= {"r_score", "f_score", "m_score", "segment", "composite", "attractiveness"}


def test_score_and_tier_history_follow_visibility(tiered) -> None:
    api = api_client_for(tiered.owner)
    # A hidden account is refused exactly like a missing one (issue 13 item 3), not answered empty.
    hidden = api.get("/api/v1/tiering/scores/", {"account": tiered.other_account.pk})
    assert hidden.status_code == 400
    assert hidden.json()["errors"] == {
        "account": ["Select a valid choice. That choice is not one of the available choices."]
    }
    mine = api.get("/api/v1/tiering/scores/", {"account": tiered.account.pk}).json()["results"]
    assert [s["tier"] for s in mine] == [tiered.account.__class__.objects.get(pk=tiered.account.pk).tier]
    changes = api.get("/api/v1/tiering/tier-changes/").json()["results"]
    assert {c["account"] for c in changes} == {tiered.account.pk}


def test_matrix_endpoint_has_eighteen_cells(tiered) -> None:
    cells = api_client_for(tiered.director).get("/api/v1/tiering/matrix/").json()
    assert len(cells) == 18
    assert sum(c["accounts"] for c in cells) == 2


def test_only_directors_and_runs_write_tokens_may_start_a_run(tiered, django_capture_on_commit_callbacks) -> None:
    assert api_client_for(tiered.manager).post("/api/v1/tiering/runs/", {}, format="json").status_code == 403
    no_scope = token_client(tiered.integration, ["scores:read"]).post("/api/v1/tiering/runs/", {}, format="json")
    assert no_scope.status_code == 403
    assert "runs:write" in no_scope.json()["message"]
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(tiered.integration, ["runs:write"]).post(
            "/api/v1/tiering/runs/", {"as_of": "2026-06-30"}, format="json"
        )
    assert response.status_code == 202
    run = ScoringRun.objects.get(pk=response.json()["id"])
    assert (str(run.as_of), run.status) == ("2026-06-30", ScoringRun.Status.SUCCEEDED)


def test_an_integration_token_needs_the_scores_read_scope(tiered) -> None:
    assert token_client(tiered.integration, ["orders:write"]).get("/api/v1/tiering/scores/").status_code == 403
    assert token_client(tiered.integration, ["scores:read"]).get("/api/v1/tiering/scores/").status_code == 200
