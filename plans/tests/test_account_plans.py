"""Account plans: draft → submitted → approved / returned; who may approve; the strategy
shown live and frozen on approval; actions flagged overdue."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from kam.testing import token_client
from plans.models import AccountPlan
from plans.tests.factories import make_action, make_plan
from tiering.domain.matrix import TIER_STRATEGY

pytestmark = pytest.mark.django_db


def _status(plan: AccountPlan) -> str:
    return AccountPlan.objects.get(pk=plan.pk).status


def test_a_rep_writes_and_submits_a_plan_from_the_account_page(client, world) -> None:
    client.force_login(world.owner)
    url = reverse("plans_account:plan_add", args=[world.account.pk])
    response = client.post(
        url,
        {
            "period": "2026-Q2",
            "lifecycle_stage": "growth",
            "position_target": "成为第一供应商",
            "share_target": "35",
            "revenue_target": "1200000",
            "profit_target": "240000",
        },
    )
    plan = AccountPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert (plan.owner, plan.status, plan.period, str(plan.share_target)) == (world.owner, "draft", "2026-Q2", "35.00")
    client.post(reverse("plans:submit", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "submitted"
    assert plan.submitted_at is not None
    page = client.get(f"/accounts/{world.account.pk}/")
    assert [p.pk for p in page.context["plans"].plans] == [plan.pk]


def test_one_plan_per_account_and_period(client, world) -> None:
    make_plan(world.account, world.owner, "2026-Q2")
    client.force_login(world.teammate)
    response = client.post(reverse("plans_account:plan_add", args=[world.account.pk]), {"period": "2026-Q2"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"period": ["This account has a plan for 2026-Q2 already."]}
    assert AccountPlan.objects.count() == 1


@pytest.mark.parametrize(
    ("person", "status_code", "approved"),
    [
        ("owner", 403, False),  # never one's own plan
        ("teammate", 403, False),  # sees it, is no manager
        ("same_team_rep", 404, False),  # does not even see it
        ("other_manager", 404, False),  # another team's plan
        ("manager", 302, True),
        ("director", 302, True),
    ],
)
def test_who_may_approve(client, world, person, status_code, approved) -> None:  # noqa: ANN001
    plan = make_plan(world.account, world.owner, status="submitted")
    client.force_login(getattr(world, person))
    response = client.post(reverse("plans:approve", args=[plan.pk]))
    assert response.status_code == status_code
    assert _status(plan) == ("approved" if approved else "submitted")


def test_a_manager_cannot_approve_a_plan_they_own(client, world) -> None:
    plan = make_plan(world.account, world.manager, status="submitted")
    client.force_login(world.manager)
    assert client.post(reverse("plans:approve", args=[plan.pk])).status_code == 403
    assert _status(plan) == "submitted"
    client.force_login(world.director)
    assert client.post(reverse("plans:approve", args=[plan.pk])).status_code == 302
    assert _status(plan) == "approved"


def test_the_strategy_is_live_until_approval_then_frozen(client, world) -> None:
    # given an A1 account with a submitted plan
    Account.objects.filter(pk=world.account.pk).update(tier="A1")
    plan = make_plan(world.account, world.owner, status="submitted")
    client.force_login(world.manager)
    live = client.get(reverse("plans:detail", args=[plan.pk])).context["page"]
    assert (live.tier, live.strategy, live.strategy_is_frozen) == ("A1", TIER_STRATEGY["A1"]["en"], False)
    # when the manager approves it and the account later drops to B3
    client.post(reverse("plans:approve", args=[plan.pk]))
    Account.objects.filter(pk=world.account.pk).update(tier="B3")
    # then the plan keeps A1 and its strategy
    plan.refresh_from_db()
    assert (plan.frozen_tier, plan.frozen_strategy, plan.decided_by) == ("A1", TIER_STRATEGY["A1"]["en"], world.manager)
    page = client.get(reverse("plans:detail", args=[plan.pk])).context["page"]
    assert (page.tier, page.strategy, page.strategy_is_frozen) == ("A1", TIER_STRATEGY["A1"]["en"], True)


def test_return_needs_a_comment_and_a_returned_plan_goes_round_again(client, world) -> None:
    plan = make_plan(world.account, world.owner, status="submitted")
    client.force_login(world.manager)
    client.post(reverse("plans:return", args=[plan.pk]), {"comment": "  "})
    assert _status(plan) == "submitted"
    client.post(reverse("plans:return", args=[plan.pk]), {"comment": "份额目标太低"})
    plan.refresh_from_db()
    assert (plan.status, plan.return_comment, plan.decided_by) == ("returned", "份额目标太低", world.manager)
    client.force_login(world.owner)
    assert "份额目标太低" in client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    edit = client.post(reverse("plans:edit", args=[plan.pk]), {"period": "2026", "share_target": "45"})
    assert edit.status_code == 302
    client.post(reverse("plans:submit", args=[plan.pk]))
    plan.refresh_from_db()
    assert (plan.status, str(plan.share_target)) == ("submitted", "45.00")


def test_a_submitted_or_approved_plan_cannot_be_changed(client, world) -> None:
    plan = make_plan(world.account, world.owner, status="approved", share_target=30)
    client.force_login(world.owner)
    response = client.post(reverse("plans:edit", args=[plan.pk]), {"period": "2026", "share_target": "99"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.share_target) == ("approved", 30)
    # and a draft cannot be approved
    draft = make_plan(world.account, world.owner, "2027")
    client.force_login(world.manager)
    client.post(reverse("plans:approve", args=[draft.pk]))
    assert _status(draft) == "draft"


def test_actions_past_their_end_are_flagged_overdue(client, world) -> None:
    plan = make_plan(world.account, world.owner)
    today = timezone.localdate()
    late = make_action(plan, world.owner, today - timedelta(days=10), today - timedelta(days=1), action="送样")
    due_today = make_action(plan, world.teammate, today - timedelta(days=3), today, action="报价")
    done = make_action(plan, world.owner, today - timedelta(days=9), today - timedelta(days=2), status="done")
    client.force_login(world.owner)
    page = client.get(reverse("plans:detail", args=[plan.pk])).context["page"]
    assert [(row.item.pk, row.overdue) for row in page.actions] == [
        (done.pk, False),
        (late.pk, True),
        (due_today.pk, False),
    ]


def test_an_action_is_added_and_completed_through_the_page(client, world) -> None:
    plan = make_plan(world.account, world.owner)
    client.force_login(world.owner)
    form = {
        "action": "技术交流会",
        "owner": world.teammate.pk,
        "starts_on": "2026-04-01",
        "ends_on": "2026-03-01",
        "status": "open",
        "completion": "0",
    }
    refused = client.post(reverse("plans:action_add", args=[plan.pk]), form)
    assert refused.context["form"].errors == {"ends_on": ["The end cannot be before the start."]}
    client.post(reverse("plans:action_add", args=[plan.pk]), {**form, "ends_on": "2026-04-30"})
    item = plan.actions.get()
    client.post(reverse("plans:action_edit", args=[item.pk]), {**form, "ends_on": "2026-04-30", "status": "done"})
    item.refresh_from_db()
    assert (item.owner, item.ends_on, item.status, item.completion) == (world.teammate, date(2026, 4, 30), "done", 100)


def test_monthly_review_with_the_managers_comment(client, world) -> None:
    plan = make_plan(world.account, world.owner)
    client.force_login(world.owner)
    client.post(
        reverse("plans:review_add", args=[plan.pk]), {"month": "2026-03", "notes": "P: 拜访 D: 完成 C: 份额+3% A: 继续"}
    )
    review = plan.reviews.get()
    assert (review.month, review.author) == (date(2026, 3, 1), world.owner)
    assert client.post(reverse("plans:review_comment", args=[review.pk]), {"comment": "好"}).status_code == 403
    client.force_login(world.manager)
    client.post(reverse("plans:review_comment", args=[review.pk]), {"comment": "很好，继续"})
    review.refresh_from_db()
    assert review.manager_comment == "很好，继续"


def test_the_api_walks_the_same_workflow(world) -> None:
    rep = token_client(world.owner)
    created = rep.post("/api/v1/account-plans/", {"account": world.account.pk, "period": "2026-Q3"}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    twin = rep.post("/api/v1/account-plans/", {"account": world.account.pk, "period": "2026-Q3"}, format="json")
    assert (twin.status_code, twin.json()["errors"]) == (
        400,
        {"period": ["This account has a plan for 2026-Q3 already."]},
    )
    assert rep.post(f"/api/v1/account-plans/{pk}/submit/").json()["status"] == "submitted"
    assert rep.post(f"/api/v1/account-plans/{pk}/approve/").status_code == 403
    assert token_client(world.other_manager).post(f"/api/v1/account-plans/{pk}/approve/").status_code == 404
    assert rep.patch(f"/api/v1/account-plans/{pk}/", {"notes": "x"}, format="json").status_code == 409
    manager = token_client(world.manager)
    assert manager.post(f"/api/v1/account-plans/{pk}/return/", {}, format="json").status_code == 400
    returned = manager.post(f"/api/v1/account-plans/{pk}/return/", {"comment": "再想想"}, format="json").json()
    assert (returned["status"], returned["return_comment"]) == ("returned", "再想想")
    rep.post(f"/api/v1/account-plans/{pk}/submit/")
    approved = manager.post(f"/api/v1/account-plans/{pk}/approve/").json()
    assert (approved["status"], approved["decided_by"]) == ("approved", world.manager.pk)
    action = rep.post(
        "/api/v1/actions/",
        {"plan": pk, "action": "高层拜访", "owner": world.owner.pk, "starts_on": "2026-07-01", "ends_on": "2026-07-02"},
        format="json",
    )
    assert (action.status_code, action.json()["overdue"], action.json()["account"]) == (201, True, world.account.pk)
