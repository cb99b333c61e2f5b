"""Key-account development proposals: only for a potential key account, draft → submitted →
approved / returned like an account plan (the same approvers), reachable from the account page,
in "my work" and the daily reminders, and over the API with their computed figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kam.testing import token_client
from plans.models import DevelopmentProposal, Notification
from plans.reminders import reminders_due, reminders_send
from plans.selectors import my_work
from plans.tests.factories import PROPOSAL, make_potential_key, make_proposal

pytestmark = pytest.mark.django_db


def _status(proposal: DevelopmentProposal) -> str:
    return DevelopmentProposal.objects.get(pk=proposal.pk).status


def test_a_rep_proposes_a_potential_key_account_from_the_account_page(client, world) -> None:
    make_potential_key(world.account)
    client.force_login(world.owner)
    page = client.get(reverse("accounts:detail", args=[world.account.pk]))
    add = reverse("plans_account:proposal_add", args=[world.account.pk])
    assert page.context["plans"].proposal_eligible is True
    assert add in page.content.decode()
    response = client.post(add, {**PROPOSAL, "risk_notes": "竞争对手已驻厂", "competitive_advantage": "一条龙服务"})
    proposal = DevelopmentProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:proposal_detail", args=[proposal.pk])
    assert (proposal.owner, proposal.status, proposal.forecast_sales) == (world.owner, "draft", Decimal("1000000.00"))
    detail = client.get(response["Location"])
    assert detail.context["page"].figures.expected_profit == Decimal("100000.00")
    assert 'id="expected-profit">100,000.00' in detail.content.decode()
    client.post(reverse("plans:proposal_submit", args=[proposal.pk]))
    assert _status(proposal) == "submitted"
    assert [p.pk for p in client.get(f"/accounts/{world.account.pk}/").context["plans"].proposals] == [proposal.pk]


@pytest.mark.parametrize(("category", "band"), [("key", "high"), ("possible", "low"), ("unattractive", "high")])
def test_an_account_without_key_potential_gets_no_proposal(client, world, category, band) -> None:
    make_potential_key(world.account, category=category, potential_band=band)
    client.force_login(world.owner)
    page = client.get(reverse("accounts:detail", args=[world.account.pk]))
    assert page.context["plans"].proposal_eligible is False
    assert reverse("plans_account:proposal_add", args=[world.account.pk]) not in page.content.decode()
    response = client.post(reverse("plans_account:proposal_add", args=[world.account.pk]), PROPOSAL)
    assert response.status_code == 200
    assert "key-account potential" in " ".join(response.context["form"].non_field_errors())
    assert not DevelopmentProposal.objects.exists()


def test_an_account_never_tiered_gets_no_proposal(client, world) -> None:
    client.force_login(world.owner)
    response = client.post(reverse("plans_account:proposal_add", args=[world.account.pk]), PROPOSAL)
    assert response.status_code == 200
    assert not DevelopmentProposal.objects.exists()


@pytest.mark.parametrize(
    ("person", "status_code", "approved"),
    [
        ("owner", 302, False),  # never their own
        ("teammate", 302, False),  # sees it, may not decide
        ("manager", 302, True),
        ("director", 302, True),
        ("other_manager", 404, False),
        ("other_rep", 404, False),
    ],
)
def test_the_owners_manager_or_a_director_approves(client, world, person, status_code, approved) -> None:
    proposal = make_proposal(world.account, world.owner, status="submitted")
    client.force_login(getattr(world, person))
    response = client.post(reverse("plans:proposal_approve", args=[proposal.pk]))
    assert response.status_code == (status_code if approved or status_code == 404 else 403)
    assert (_status(proposal) == "approved") is approved


def test_a_returned_proposal_carries_the_comment_and_goes_back_to_its_owner(client, world) -> None:
    proposal = make_proposal(world.account, world.owner, status="submitted")
    client.force_login(world.manager)
    empty = client.post(reverse("plans:proposal_return", args=[proposal.pk]), {"comment": " "})
    assert empty.status_code == 302
    assert _status(proposal) == "submitted"
    client.post(reverse("plans:proposal_return", args=[proposal.pk]), {"comment": "请补充风险分析"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.return_comment, proposal.decided_by) == (
        "returned",
        "请补充风险分析",
        world.manager,
    )
    client.force_login(world.owner)
    page = client.get(reverse("plans:proposal_detail", args=[proposal.pk]))
    assert "请补充风险分析" in page.content.decode()
    assert [p.pk for p in my_work(user=world.owner).my_proposals] == [proposal.pk]
    edit = client.post(reverse("plans:proposal_edit", args=[proposal.pk]), {**PROPOSAL, "risk": "high"})
    assert edit.status_code == 302
    assert DevelopmentProposal.objects.get(pk=proposal.pk).risk == "high"
    client.post(reverse("plans:proposal_submit", args=[proposal.pk]))
    assert _status(proposal) == "submitted"


def test_a_submitted_proposal_cannot_be_changed_or_approved_twice(client, world) -> None:
    proposal = make_proposal(world.account, world.owner, status="submitted")
    client.force_login(world.owner)
    client.post(reverse("plans:proposal_edit", args=[proposal.pk]), {**PROPOSAL, "notes": "改过"})
    assert DevelopmentProposal.objects.get(pk=proposal.pk).notes == ""
    client.force_login(world.manager)
    client.post(reverse("plans:proposal_approve", args=[proposal.pk]))
    again = client.post(reverse("plans:proposal_approve", args=[proposal.pk]), follow=True)
    assert "cannot take this step" in again.content.decode()


def test_my_work_shows_the_manager_the_proposals_awaiting_approval(client, world) -> None:
    mine = make_proposal(world.account, world.owner, status="submitted")
    make_proposal(world.other_account, world.other_rep, status="submitted")  # another team's
    make_proposal(world.account, world.owner)  # a draft
    assert [p.pk for p in my_work(user=world.manager).proposals_to_approve] == [mine.pk]
    assert my_work(user=world.other_manager).proposals_to_approve != [mine]
    assert len(my_work(user=world.director).proposals_to_approve) == 2
    assert my_work(user=world.owner).proposals_to_approve == []
    client.force_login(world.manager)
    page = client.get(reverse("plans:my_work")).content.decode()
    assert reverse("plans:proposal_detail", args=[mine.pk]) in page


def test_reminders_go_to_the_manager_for_submitted_and_to_the_owner_for_returned(world) -> None:
    submitted = make_proposal(world.account, world.owner, status="submitted")
    returned = make_proposal(world.other_account, world.other_rep, status="returned", return_comment="再看看")
    make_proposal(world.account, world.owner)  # a draft: nobody
    due = {(d.user_id, d.kind, d.count, d.items[0].url) for d in reminders_due(today=date(2026, 3, 20))}
    assert due == {
        (world.manager.pk, "proposal_to_approve", 1, reverse("plans:proposal_detail", args=[submitted.pk])),
        (world.other_rep.pk, "proposal_returned", 1, reverse("plans:proposal_detail", args=[returned.pk])),
    }
    first = reminders_send(today=date(2026, 3, 20), email=False)
    second = reminders_send(today=date(2026, 3, 20), email=False)
    assert (first.sent, second.sent) == (2, 0)  # the unique claim: once per person, kind and day
    note = Notification.objects.get(kind="proposal_to_approve")
    assert (note.user_id, note.count) == (world.manager.pk, 1)
    assert note.items[0]["url"] == reverse("plans:proposal_detail", args=[submitted.pk])


def test_the_api_creates_with_figures_and_walks_the_workflow(world) -> None:
    make_potential_key(world.account)
    rep = token_client(world.owner)
    created = rep.post("/api/v1/development-proposals/", {**PROPOSAL, "account": world.account.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["expected_profit"], body["cost_to_serve"], body["worth_developing"]) == (
        "100000.00",
        "100000.00",
        True,
    )
    pk = body["id"]
    assert rep.post(f"/api/v1/development-proposals/{pk}/submit/").json()["status"] == "submitted"
    locked = rep.patch(f"/api/v1/development-proposals/{pk}/", {"notes": "改"}, format="json")
    assert locked.status_code == 409
    assert rep.post(f"/api/v1/development-proposals/{pk}/approve/").status_code == 403  # not their own
    manager = token_client(world.manager)
    returned = manager.post(f"/api/v1/development-proposals/{pk}/return/", {"comment": "补充"}, format="json")
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    since = rep.get("/api/v1/development-proposals/", {"updated_since": "2000-01-01T00:00:00Z"}).json()
    assert [row["id"] for row in since["results"]] == [pk]


def test_the_api_refuses_a_proposal_for_an_account_without_key_potential(world) -> None:
    response = token_client(world.owner).post(
        "/api/v1/development-proposals/", {**PROPOSAL, "account": world.account.pk}, format="json"
    )
    assert response.status_code == 400
    assert "account" in str(response.json())
    assert not DevelopmentProposal.objects.exists()


def test_demo_proposals_are_for_potential_key_accounts_only_and_reproducible(world) -> None:
    from plans.demo import seed_proposals

    make_potential_key(world.account)
    make_potential_key(world.other_account, category="key")  # key already: no proposal
    assert seed_proposals(seed=1) == 1
    proposal = DevelopmentProposal.objects.get()
    assert (proposal.account, proposal.owner, proposal.status) == (world.account, world.owner, "draft")
    first = list(DevelopmentProposal.objects.values_list("forecast_sales", "margin_percent", "risk"))
    DevelopmentProposal.objects.all().delete()
    seed_proposals(seed=1)
    assert list(DevelopmentProposal.objects.values_list("forecast_sales", "margin_percent", "risk")) == first


def test_the_api_pages_with_the_keyset_cursor_and_resumes_from_updated_since(world) -> None:
    made = [make_proposal(world.account, world.owner, notes=str(i)) for i in range(3)]
    api = token_client(world.owner)
    seen, url, params = [], "/api/v1/development-proposals/", {"page_size": 1}
    while url:
        body = api.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None
    assert sorted(seen) == sorted(p.pk for p in made)
    assert len(seen) == 3  # each once
    newest = DevelopmentProposal.objects.get(pk=made[1].pk)
    newest.notes = "改"
    newest.save()  # a change moves it to the end of the sync
    since = api.get("/api/v1/development-proposals/", {"updated_since": newest.updated_at.isoformat()}).json()
    assert [row["id"] for row in since["results"]] == [newest.pk]
