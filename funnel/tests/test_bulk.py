"""`POST /api/v1/opportunities/bulk/`: the shared bulk machinery with the funnel's hook (derived
fields, stage history from another CRM, webhooks); replay and concurrency like the others."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from funnel.models import Opportunity, StageChange
from funnel.tests.factories import opportunity_record
from integrations.tests.factories import make_subscription, post_bulk, statuses
from integrations.tests.test_bulk_concurrency import all_at_once
from integrations.webhooks.models import WebhookDelivery
from kam.testing import token_client

SCOPES = ["opportunities:write"]


def _history(external_id: str) -> list[tuple]:
    return list(
        StageChange.objects.filter(opportunity__external_id=external_id)
        .order_by("changed_at", "id")
        .values_list("from_stage", "to_stage", "changed_at")
    )


@pytest.mark.django_db
def test_bulk_creates_updates_and_replays_unchanged(world) -> None:  # noqa: ANN001
    api = token_client(world.integration, scopes=SCOPES)
    records = [opportunity_record("OPP-1"), opportunity_record("OPP-2", stage="negotiation", owner_username="rep2")]
    # when posted twice
    first = post_bulk(api, "opportunities", {"records": records})
    second = post_bulk(api, "opportunities", {"records": records})
    # then created once, unchanged the second time, history recorded once
    assert (first.status_code, statuses(first)) == (200, ["created", "created"])
    assert (second.status_code, statuses(second)) == (200, ["unchanged", "unchanged"])
    rows = Opportunity.objects.order_by("external_id").values_list(
        "external_id", "owner__username", "probability", "forecast_category"
    )
    assert list(rows) == [("OPP-1", "rep1", 50, "best_case"), ("OPP-2", "rep2", 75, "commit")]
    assert StageChange.objects.count() == 2


@pytest.mark.django_db
def test_bulk_imports_a_stage_history_from_another_crm(world) -> None:  # noqa: ANN001
    api = token_client(world.integration, scopes=SCOPES)
    steps = [
        ("first_contact", "2026-05-04T09:00:00+00:00"),
        ("proposal", "2026-06-01T09:00:00+00:00"),
        ("signed", "2026-07-15T09:00:00+00:00"),
    ]
    for stage, at in steps:
        answer = post_bulk(api, "opportunities", [opportunity_record("OPP-7", stage=stage, stage_changed_at=at)])
        assert answer.status_code == 200, answer.json()
    assert _history("OPP-7") == [
        ("", "first_contact", datetime(2026, 5, 4, 9, tzinfo=UTC)),
        ("first_contact", "proposal", datetime(2026, 6, 1, 9, tzinfo=UTC)),
        ("proposal", "signed", datetime(2026, 7, 15, 9, tzinfo=UTC)),
    ]
    won = Opportunity.objects.get(external_id="OPP-7")
    assert (won.probability, won.forecast_category, won.closed_at) == (100, "closed", date(2026, 7, 15))


@pytest.mark.django_db
def test_bulk_closed_at_given_is_kept(world) -> None:  # noqa: ANN001
    api = token_client(world.integration, scopes=SCOPES)
    post_bulk(api, "opportunities", [opportunity_record("OPP-8", stage="lost", closed_at="2026-06-30")])
    lost = Opportunity.objects.get(external_id="OPP-8")
    assert (lost.closed_at, lost.probability, lost.forecast_category) == (date(2026, 6, 30), 0, "omitted")


@pytest.mark.django_db
def test_bulk_refuses_unknown_accounts_and_owners_per_record(world) -> None:  # noqa: ANN001
    api = token_client(world.integration, scopes=SCOPES)
    answer = post_bulk(
        api,
        "opportunities",
        [
            opportunity_record("OPP-1", account="NOPE"),
            opportunity_record("OPP-2", owner_username="nobody"),
            opportunity_record("OPP-3", stage="won"),
            opportunity_record("OPP-4"),
        ],
    )
    assert (answer.status_code, statuses(answer)) == (207, ["error", "error", "error", "created"])
    errors = [sorted(result["errors"]) for result in answer.json()["results"]]
    assert errors == [["account_external_id"], ["owner_username"], ["stage"], []]
    assert list(Opportunity.objects.values_list("external_id", flat=True)) == ["OPP-4"]


@pytest.mark.django_db
def test_a_rep_cannot_bulk_write_to_a_hidden_account(world) -> None:  # noqa: ANN001
    api = token_client(world.owner)
    answer = post_bulk(api, "opportunities", [opportunity_record("OPP-1", account="C-2")])
    assert (answer.status_code, statuses(answer)) == (207, ["error"])
    assert answer.json()["results"][0]["errors"] == {"account_external_id": ['Account "C-2" does not exist.']}
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_bulk_stage_changes_are_announced_in_one_batch(world, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    make_subscription("https://erp.example.com/hook", "opportunity.stage_changed")
    api = token_client(world.integration, scopes=SCOPES)
    with django_capture_on_commit_callbacks(execute=False):
        post_bulk(api, "opportunities", [opportunity_record(f"OPP-{i}") for i in range(3)])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.payload["total"], [i["external_id"] for i in delivery.payload["items"]]) == (
        "opportunity.stage_changed",
        3,
        ["OPP-0", "OPP-1", "OPP-2"],
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_batch_from_four_threads_creates_each_opportunity_and_first_stage_once(world) -> None:  # noqa: ANN001
    records = [opportunity_record(f"OPP-{i:03}") for i in range(200)]
    clients = [token_client(world.integration, scopes=SCOPES) for _ in range(4)]
    answers = all_at_once([lambda c=c: post_bulk(c, "opportunities", {"records": records}) for c in clients])
    assert sorted(answer.status_code for answer in answers) == [200, 200, 200, 200]
    created = sum(statuses(answer).count("created") for answer in answers)
    assert (created, Opportunity.objects.count(), StageChange.objects.count()) == (200, 200, 200)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_of_one_opportunity_keep_a_continuous_history(world) -> None:  # noqa: ANN001
    api = token_client(world.integration, scopes=SCOPES)
    post_bulk(api, "opportunities", [opportunity_record("OPP-1", stage="first_contact")])
    clients = [token_client(world.integration, scopes=SCOPES) for _ in range(4)]
    stages = ["needs_understood", "proposal", "negotiation", "signed"]
    all_at_once(
        [
            lambda c=c, s=s: post_bulk(c, "opportunities", [opportunity_record("OPP-1", stage=s)])
            for c, s in zip(clients, stages, strict=True)
        ]
    )
    history = StageChange.objects.filter(opportunity__external_id="OPP-1").order_by("id")
    chain = list(history.values_list("from_stage", "to_stage"))
    # each change starts where the previous one ended, and the last is the stored stage
    assert all(chain[i][0] == chain[i - 1][1] for i in range(1, len(chain)))
    assert (chain[0][0], chain[-1][1]) == ("", Opportunity.objects.get().stage)
    assert len(chain) == 5


@pytest.mark.django_db
def test_bulk_reopening_a_lost_deal_clears_its_close_date(world) -> None:  # noqa: ANN001
    api = token_client(world.integration, scopes=SCOPES)
    post_bulk(api, "opportunities", [opportunity_record("OPP-5", stage="lost", closed_at="2026-06-30")])
    post_bulk(api, "opportunities", [opportunity_record("OPP-5", stage="proposal", closed_at="2026-06-30")])
    reopened = Opportunity.objects.get(external_id="OPP-5")
    assert (reopened.stage, reopened.closed_at, reopened.probability) == ("proposal", None, 50)
    assert [(f, t) for f, t, _at in _history("OPP-5")] == [("", "lost"), ("lost", "proposal")]
