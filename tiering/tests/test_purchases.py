"""What counts as a purchase in a run (docs/tiering.md): positive amounts only."""

from datetime import date, timedelta

import pytest

from accounts.tests.factories import make_account, make_order
from tiering.models import AccountScore
from tiering.services import run_execute, run_request

AS_OF = date(2026, 11, 23)


@pytest.mark.django_db
def test_a_credit_note_yesterday_is_not_a_purchase(world) -> None:
    # given: a customer whose last purchase was 400 days ago and a -80,000 credit note
    # yesterday, a real buyer of 10 days ago, and a free sample yesterday to a third
    lapsed, buyer, sampled = make_account(world.owner, name="旧客户"), world.account, world.other_account
    make_order(lapsed, AS_OF - timedelta(days=400), "120000.00")
    make_order(lapsed, AS_OF - timedelta(days=1), "-80000.00")
    make_order(buyer, AS_OF - timedelta(days=10), "5000.00")
    make_order(sampled, AS_OF - timedelta(days=1), "0.00", None)

    # when
    run = run_execute(run_id=run_request(as_of=AS_OF, trigger="test").pk)

    # then: the lapsed customer is R=F=M=1 "Lost", 400 days since its last purchase, with
    # -80,000 of money; the real buyer scores 5/5/5; the sample counts for nothing
    scores = {s.account_id: s for s in AccountScore.objects.filter(run=run, is_group=False)}
    got = {
        account.pk: (
            scores[account.pk].recency_days,
            scores[account.pk].frequency,
            float(scores[account.pk].monetary),
            (scores[account.pk].r_score, scores[account.pk].f_score, scores[account.pk].m_score),
            scores[account.pk].segment,
        )
        for account in (lapsed, buyer, sampled)
    }
    assert got == {
        lapsed.pk: (400, 0, -80000.0, (1, 1, 1), "Lost"),
        buyer.pk: (10, 1, 5000.0, (5, 5, 5), "Champions"),
        sampled.pk: (None, 0, 0.0, (1, 1, 1), "Lost"),
    }
