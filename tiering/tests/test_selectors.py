"""The tiering reads pages and the API share: rows with their reasons, the runs, the migration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import make_account, make_order
from kam.testing import token_client
from tiering import selectors
from tiering.api.serializers import RunSerializer
from tiering.domain.matrix import TIERS
from tiering.models import AccountScore, ScoringRun, TierChange
from tiering.services import run_execute, run_request

pytestmark = pytest.mark.django_db


def tier_of(account_id: int, run: ScoringRun) -> str:
    return AccountScore.objects.get(run=run, account_id=account_id, is_group=False).tier


@pytest.fixture
def scored(world):  # noqa: ANN001, ANN201
    today = timezone.localdate()
    make_order(world.account, today - timedelta(days=3), "5000.00", "500.00")
    make_order(world.other_account, today - timedelta(days=40), "12000.00", "800.00")
    world.branch = make_account(world.owner, name="华东精密机械苏州分厂", parent=world.account)
    make_order(world.branch, today - timedelta(days=9), "700.00", "70.00")
    world.first = run_execute(run_id=run_request(trigger="test").pk)
    return world


@pytest.fixture
def two_runs(scored):  # noqa: ANN001, ANN201
    scored.newcomer = make_account(scored.owner, name="新客户")
    scored.second = run_execute(run_id=run_request(trigger="test").pk)
    return scored


def test_score_rows_carry_the_reasons_the_run_gave_its_tier_changes(scored) -> None:
    # given the first run, which moved every account from "untiered" with its reasons
    changes = {c.account_id: tuple(c.reasons) for c in TierChange.objects.filter(run=scored.first)}
    scores = list(selectors.score_list(user=scored.director).filter(run=scored.first, is_group=False))

    # when
    rows = selectors.score_rows(scores=scores)

    # then each row's reasons are the ones the run wrote, and the figures are the snapshot's
    assert {row.account_id: row.reasons for row in rows} == changes
    mine = next(row for row in rows if row.account_id == scored.account.pk)
    assert (mine.run_id, mine.as_of, mine.frequency, str(mine.monetary), mine.recency_days) == (
        scored.first.pk,
        scored.first.as_of,
        1,
        "5000.00",
        3,
    )


def test_score_rows_write_every_reason_in_one_pass_without_a_query(scored) -> None:
    # given a page of snapshots loaded as score_list loads them
    scores = list(selectors.score_list(user=scored.director))

    # when
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.score_rows(scores=scores)

    # then nothing is read per snapshot, and no model computes reasons lazily any more
    assert (len(rows), len(queries)) == (len(scores), 0)
    assert hasattr(AccountScore, "reasons") is False


def test_the_api_renders_the_rows_with_the_same_reasons_and_a_page_costs_the_same_at_any_size(scored) -> None:
    # given
    api = token_client(scored.director)
    expected = selectors.score_rows(scores=list(selectors.score_list(user=scored.director).order_by("id")))

    # when
    with CaptureQueriesContext(connection) as small:
        one = api.get("/api/v1/tiering/scores/", {"page_size": 1})
    with CaptureQueriesContext(connection) as large:
        every = api.get("/api/v1/tiering/scores/", {"page_size": 100})
    single = api.get(f"/api/v1/tiering/scores/{expected[0].id}/")

    # then
    assert (one.status_code, every.status_code, single.status_code) == (200, 200, 200)
    body = every.json()["results"]
    assert [(s["account"], s["run"], s["is_group"], s["reasons"]) for s in body] == [
        (r.account_id, r.run_id, r.is_group, list(r.reasons)) for r in expected
    ]
    assert single.json() == body[0]
    assert body[0]["badges"] == list(expected[0].badges)
    assert body[0]["monetary"] == str(expected[0].monetary)
    assert body[0]["as_of"] == scored.first.as_of.isoformat()
    assert len(large) == len(small)  # reasons in one pass, not one per snapshot


def test_the_tier_card_shows_the_account_and_its_group_with_reasons(scored) -> None:
    # when
    branch_card = selectors.account_tier_card(account=scored.branch)
    root_card = selectors.account_tier_card(account=scored.account)

    # then the branch shows its own snapshot and its root's group row, each with reasons
    branch_change = TierChange.objects.get(run=scored.first, account=scored.branch)
    assert branch_card.score.reasons == tuple(branch_change.reasons)
    assert (branch_card.group_score.account_id, branch_card.group_score.is_group) == (scored.account.pk, True)
    assert branch_card.group_name == "华东精密机械"
    assert (root_card.group_score.account_id, root_card.group_name) == (scored.account.pk, "华东精密机械")
    assert root_card.score.reasons == tuple(TierChange.objects.get(run=scored.first, account=scored.account).reasons)


def test_the_migration_report_counts_each_visible_account_once(two_runs) -> None:
    # given two runs; the newcomer was untiered in the first
    w = two_runs
    before = {a.pk: tier_of(a.pk, w.first) for a in (w.account, w.other_account, w.branch)}
    after = {a.pk: tier_of(a.pk, w.second) for a in (w.account, w.other_account, w.branch, w.newcomer)}

    def expected(accounts: list) -> tuple[selectors.MigrationRow, ...]:
        moves = [(before.get(a.pk, ""), after[a.pk]) for a in accounts]
        sources = [t for t in ("", *TIERS) if any(m[0] == t for m in moves)]
        return tuple(
            selectors.MigrationRow(source or "–", tuple(moves.count((source, target)) for target in TIERS))
            for source in sources
        )

    # when
    director = selectors.tier_migration_report(user=w.director)
    owner = selectors.tier_migration_report(user=w.owner, from_run_id=str(w.first.pk), to_run_id=str(w.second.pk))

    # then the newest two runs are compared by default, and each user counts what they see
    assert [r.id for r in director.runs] == [w.second.pk, w.first.pk]
    assert (director.from_run.id, director.to_run.id) == (w.first.pk, w.second.pk)
    assert director.rows == expected([w.account, w.other_account, w.branch, w.newcomer])
    assert owner.rows == expected([w.account, w.branch, w.newcomer])
    assert director.rows[0].source == "–"
    assert sum(director.rows[0].counts) == 1


def test_the_migration_report_needs_two_runs_and_ignores_unknown_ids(scored) -> None:
    # when
    report = selectors.tier_migration_report(user=scored.director, from_run_id="nonsense", to_run_id="999999")

    # then
    assert (report.from_run, report.to_run.id, report.rows) == (None, scored.first.pk, None)


def test_the_runs_page_and_the_api_list_the_same_rows(client, scored) -> None:  # noqa: ANN001
    # given a failed run after the successful one
    failed = run_request(trigger="user director")
    ScoringRun.objects.filter(pk=failed.pk).update(status=ScoringRun.Status.FAILED, error="boom")
    runs = list(selectors.run_list())

    # when
    rows = selectors.run_rows(runs=runs)
    api = token_client(scored.director).get("/api/v1/tiering/runs/")
    client.force_login(scored.director)
    page = client.get(reverse("tiering:runs"))

    # then the rows are the runs, newest first, rendered alike by the API and the page
    assert [(r.id, r.status, r.status_label, r.error) for r in rows] == [
        (failed.pk, "failed", "Failed", "boom"),
        (scored.first.pk, "succeeded", "Succeeded", ""),
    ]
    assert api.status_code == 200
    assert api.json()["results"] == [RunSerializer(run).data for run in sorted(runs, key=lambda r: r.pk)]
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<td>{failed.pk}</td>" in html
    assert f"<td>Failed</td><td>v{failed.config_id}</td><td>director, on the runs page</td>" in html
    assert selectors.run_rows(runs=list(selectors.run_list(status="failed"))) == rows[:1]
