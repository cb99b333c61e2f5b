import pytest

from kam.testing import token_client
from tiering.models import AccountScore, ScoringRun
from tiering.tests.factories import build_tiered_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiered(db):  # noqa: ANN001, ANN201
    return build_tiered_world(amounts=("5000.00",))


REASONS = [
    "Tier B2 (Key account): attractiveness B, position 2",
    "Attractiveness B (provisional): not assessed, default",
    "RFM R 5, F 5, M 5 (Champions): 1 purchases, revenue 5,000 net of credit notes and returns",
    "Potential high: revenue rank 1.00, margin rank 1.00",
    "Relationship weak: new, no orders in the previous window",
    "Relationship weak: decision maker not contacted in 90 days",
]
# One order of 5,000 three days ago, not assessed: the best RFM of the two accounts, B2.
SCORES = {
    "r_score": 5,
    "f_score": 5,
    "m_score": 5,
    "segment": "Champions",
    "pareto_class": "A",
    "composite": "92.5",
    "badges": [],
    "attractiveness": "B",
    "attractiveness_provisional": True,
    "potential_band": "high",
    "relationship": "weak",
    "position": 2,
    "overridden": False,
}


def test_accounts_carry_their_current_tier_and_scores(tiered) -> None:
    # given one run over the account's single order
    run = ScoringRun.objects.get()
    # when
    response = token_client(tiered.owner).get(f"/api/v1/accounts/{tiered.account.pk}/")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["tier"], body["category"]) == ("B2", "key")
    assert (body["frequency"], body["monetary"], body["recency_days"]) == (1, "5000.00", 3)
    score = AccountScore.objects.get(run=run, account=tiered.account)
    assert body["scores"] == {"id": score.pk, "run": run.pk, **SCORES}


def test_score_and_tier_history_follow_visibility(tiered) -> None:
    # given
    api = token_client(tiered.owner)
    run = ScoringRun.objects.get()
    # when / then: another team's account is refused exactly like a missing one (issue 13 item 3)
    hidden = api.get("/api/v1/tiering/scores/", {"account": tiered.other_account.pk})
    assert hidden.status_code == 400
    assert hidden.json()["errors"] == {
        "account": ["Select a valid choice. That choice is not one of the available choices."]
    }
    mine = api.get("/api/v1/tiering/scores/", {"account": tiered.account.pk})
    assert mine.status_code == 200
    assert mine.json()["results"] == [
        {
            "id": AccountScore.objects.get(run=run, account=tiered.account).pk,
            "run": run.pk,
            "as_of": run.as_of.isoformat(),
            "account": tiered.account.pk,
            "is_group": False,
            "recency_days": 3,
            "frequency": 1,
            "monetary": "5000.00",
            "margin": "500.00",
            **{k: v for k, v in SCORES.items() if k != "overridden"},
            "computed_tier": "B2",
            "tier": "B2",
            "category": "key",
            "overridden": False,
            "reasons": REASONS,
        }
    ]
    changes = api.get("/api/v1/tiering/tier-changes/")
    assert changes.status_code == 200
    assert [
        (c["account"], c["run"], c["from_tier"], c["to_tier"], c["reasons"]) for c in changes.json()["results"]
    ] == [(tiered.account.pk, run.pk, "", "B2", REASONS)]


def test_matrix_endpoint_has_eighteen_cells(tiered) -> None:
    response = token_client(tiered.director).get("/api/v1/tiering/matrix/")
    assert response.status_code == 200
    cells = response.json()
    assert [c["tier"] for c in cells] == [f"{row}{position}" for row in "ABC" for position in range(1, 7)]
    # the ordered account in B2, the other (no orders) in B6; every other cell empty
    assert {c["tier"]: (c["accounts"], c["revenue"]) for c in cells} == {
        **{c["tier"]: (0, "0.00") for c in cells},
        "B2": (1, "5000.00"),
        "B6": (1, "0.00"),
    }


def test_only_directors_and_runs_write_tokens_may_start_a_run(tiered, django_capture_on_commit_callbacks) -> None:
    refused = token_client(tiered.manager).post("/api/v1/tiering/runs/", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    no_scope = token_client(tiered.integration, ["scores:read"]).post("/api/v1/tiering/runs/", {}, format="json")
    assert no_scope.status_code == 403
    assert no_scope.json()["message"] == "This token lacks the scope runs:write."
    assert ScoringRun.objects.count() == 1  # a refusal queues nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(tiered.integration, ["runs:write"]).post(
            "/api/v1/tiering/runs/", {"as_of": "2026-06-30"}, format="json"
        )
    assert response.status_code == 202
    run = ScoringRun.objects.get(pk=response.json()["id"])
    assert (str(run.as_of), run.status) == ("2026-06-30", ScoringRun.Status.SUCCEEDED)


def test_an_integration_token_needs_the_scores_read_scope(tiered) -> None:
    refused = token_client(tiered.integration, ["orders:write"]).get("/api/v1/tiering/scores/")
    assert (refused.status_code, refused.json()["message"]) == (403, "This token lacks the scope scores:read.")
    allowed = token_client(tiered.integration, ["scores:read"]).get("/api/v1/tiering/scores/")
    assert allowed.status_code == 200
    assert [(s["account"], s["tier"]) for s in allowed.json()["results"]] == [
        (tiered.account.pk, "B2"),
        (tiered.other_account.pk, "B6"),
    ]
