"""The nightly run end to end on a small hand-made book (database, no worker)."""

from datetime import date, timedelta

import pytest

from accounts.models import Account
from accounts.tests.factories import make_account, make_contact, make_order, make_payment
from tiering.domain.config import TieringConfig
from tiering.domain.pipeline import place_accounts
from tiering.explanations import english
from tiering.inputs import scoring_inputs
from tiering.models import AccountScore, ScoringRun, TierChange
from tiering.selectors import score_rows
from tiering.services import config_current, override_create, run_execute, run_request

AS_OF = date(2026, 11, 23)


def run(as_of: date = AS_OF) -> ScoringRun:
    return run_execute(run_id=run_request(as_of=as_of, trigger="test").pk)


@pytest.fixture
def book(world):  # noqa: ANN001, ANN201
    """Ten accounts with orders of rising size; one group of two; one account that never ordered."""
    accounts = []
    for i in range(10):
        account = make_account(world.owner, name=f"客户{i}")
        for k in range(i + 1):
            make_order(account, AS_OF - timedelta(days=10 + 30 * k), f"{(i + 1) * 1000}.00", f"{(i + 1) * 200}.00")
        accounts.append(account)
    accounts[9].parent = accounts[8]
    accounts[9].save()
    make_contact(accounts[9], last_contacted_on=AS_OF - timedelta(days=5))
    make_payment(accounts[0], "100.00", due_on=AS_OF - timedelta(days=40))  # 40 days overdue
    make_account(world.owner, name="从未下单")
    return world, accounts


@pytest.mark.django_db
def test_a_run_scores_every_account_and_publishes_tiers(book) -> None:
    world, accounts = book
    result = run()
    assert result.status == ScoringRun.Status.SUCCEEDED, result.error
    assert result.accounts_scored == Account.objects.count()
    scores = {
        s.account.name: s for s in AccountScore.objects.filter(run=result, is_group=False).select_related("account")
    }
    assert scores["客户9"].frequency == 10
    assert str(scores["客户9"].monetary) == "100000.00"
    assert scores["客户9"].m_score == 5
    assert scores["客户0"].m_score == 1
    assert scores["从未下单"].recency_days is None
    assert scores["从未下单"].frequency == 0
    # Every account now carries the tier of this run, and a change record from "untiered".
    for account in Account.objects.all():
        assert account.tier == scores[account.name].tier
        assert account.category
    assert TierChange.objects.filter(run=result, from_tier="").count() == Account.objects.count()
    assert [row.reasons for row in score_rows(scores=list(scores.values())) if not row.reasons] == []


@pytest.mark.django_db
def test_groups_are_scored_on_their_rolled_up_orders(book) -> None:
    _, accounts = book
    result = run()
    group = AccountScore.objects.get(run=result, is_group=True)
    assert group.account_id == accounts[8].pk
    assert group.frequency == 9 + 10
    assert str(group.monetary) == str(9 * 9000 + 10 * 10000) + ".00"


@pytest.mark.django_db
def test_running_twice_for_the_same_day_gives_the_same_result(book) -> None:
    first, second = run(), run()
    fields = ("account_id", "is_group", "tier", "r_score", "f_score", "m_score", "composite", "reasons")

    def snapshot(result):
        scores = list(result.scores.select_related("run__config").order_by("account_id", "is_group"))
        return [tuple(getattr(row, field) for field in fields) for row in score_rows(scores=scores)]

    assert snapshot(first) == snapshot(second)
    assert second.tier_changes == 0


@pytest.mark.django_db
def test_stored_snapshots_explain_themselves_as_the_pipeline_does(book) -> None:
    result = run()
    config = TieringConfig.from_dict(result.config.data)
    expected = place_accounts(scoring_inputs(AS_OF, config), AS_OF, config)["reasons"].map(english)
    scores = list(AccountScore.objects.filter(run=result, is_group=False).select_related("run__config"))
    one_at_a_time = {s.account_id: list(score_rows(scores=[s])[0].reasons) for s in scores}
    assert one_at_a_time == expected.to_dict()
    assert {r.account_id: list(r.reasons) for r in score_rows(scores=scores)} == expected.to_dict()  # a page
    first_changes = {c.account_id: c.reasons for c in TierChange.objects.filter(run=result)}
    assert first_changes == expected.to_dict()  # the first run moves every account from no tier


@pytest.mark.django_db
def test_a_manual_override_is_respected_and_reported(book) -> None:
    world, accounts = book
    override_create(account=accounts[0], tier="A1", reason="Strategic reference", expires_on=AS_OF, user=world.manager)
    result = run()
    score = AccountScore.objects.get(run=result, account=accounts[0], is_group=False)
    assert (score.tier, score.overridden, score.category) == ("A1", True, "key")
    assert "Pinned to A1 by manager1" in score_rows(scores=[score])[0].reasons[-1]
    assert Account.objects.get(pk=accounts[0].pk).tier == "A1"
    # The day after the expiry, the computed tier is back.
    later = run(AS_OF + timedelta(days=1))
    assert AccountScore.objects.get(run=later, account=accounts[0], is_group=False).overridden is False


@pytest.mark.django_db
def test_a_failed_run_leaves_the_previous_tiers_visible(book, monkeypatch) -> None:
    good = run()
    tiers_before = dict(Account.objects.values_list("id", "tier"))

    def explode(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("disk full")

    # Fail after the snapshots are written, inside the publishing transaction.
    monkeypatch.setattr("tiering.services._update_account_tiers", explode)
    with pytest.raises(RuntimeError):
        run(AS_OF + timedelta(days=200))
    failed = ScoringRun.objects.order_by("-id").first()
    assert failed.status == ScoringRun.Status.FAILED
    assert "disk full" in failed.error
    assert not AccountScore.objects.filter(run=failed).exists()
    assert not TierChange.objects.filter(run=failed).exists()
    assert dict(Account.objects.values_list("id", "tier")) == tiers_before
    assert ScoringRun.objects.filter(status="succeeded").latest("id") == good


@pytest.mark.django_db
def test_a_run_records_the_settings_version_it_used(book) -> None:
    result = run()
    assert result.config == config_current()
    assert result.config.data["window_days"] == 365


@pytest.mark.django_db
def test_a_run_rewrites_only_the_accounts_whose_tier_or_category_is_stale(book) -> None:
    _, accounts = book
    run()
    stale_tier, stale_category, untouched = accounts[1], accounts[2], accounts[3]
    Account.objects.filter(pk=stale_tier.pk).update(tier="C6" if stale_tier.tier != "C6" else "A1")
    Account.objects.filter(pk=stale_category.pk).update(category="wrong")
    before = Account.objects.get(pk=untouched.pk).updated_at
    again = run()
    scores = {s.account_id: s for s in AccountScore.objects.filter(run=again, is_group=False)}
    for account in Account.objects.filter(pk__in=[stale_tier.pk, stale_category.pk]):
        assert (account.tier, account.category) == (scores[account.pk].tier, scores[account.pk].category)
    assert Account.objects.get(pk=untouched.pk).updated_at == before  # nothing moved: no sync noise
    assert again.tier_changes == 1  # the stale tier; a category alone is no tier change
