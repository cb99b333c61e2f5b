"""Who sees what in the plans app: the accounts matrix (accounts/tests/test_visibility.py) through
every plans page and endpoint; a refusal answers 404 and changes nothing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact
from accounts.tests.factories import make_contact
from accounts.tests.test_visibility import API_MATRIX, MATRIX
from kam.testing import INTEGRATION_SCOPES, token_client
from plans.models import Activity, PlanReview, Visit
from plans.tests.factories import make_action, make_activity, make_plan

pytestmark = pytest.mark.django_db
WHEN = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(("person", "expected"), MATRIX.items())
def test_contact_and_activity_pages_follow_the_account(client, world, person, expected) -> None:
    sees, _ = expected
    contact = make_contact(world.account, name="张总")
    activity = make_activity(world.account, WHEN, contacts=(contact,))
    client.force_login(getattr(world, person))
    pk = world.account.pk
    ok = 200 if sees else 404

    for name, args in [
        ("contact_add", [pk]),
        ("contact_edit", [pk, contact.pk]),
        ("contact_move", [pk, contact.pk]),
        ("activity_add", [pk]),
        ("activity_edit", [pk, activity.pk]),
        ("zipper", [pk]),
        ("contact_plan_add", [pk]),
        ("visit_interval", [pk]),
    ]:
        assert client.get(reverse(f"plans_account:{name}", args=args)).status_code == ok, name

    form = {"name": "改名", "buying_role": "user", "attitude": "neutral"}
    edit = client.post(reverse("plans_account:contact_edit", args=[pk, contact.pk]), form)
    assert edit.status_code == (302 if sees else 404)
    assert (Contact.objects.get(pk=contact.pk).name == "改名") is sees

    log = client.post(
        reverse("plans_account:activity_add", args=[pk]), {"type": "call", "occurred_at": "2026-03-03T10:00"}
    )
    assert log.status_code == (302 if sees else 404)
    assert Activity.objects.count() == (2 if sees else 1)

    left = client.post(reverse("plans_account:contact_left", args=[pk, contact.pk]))
    assert left.status_code == (302 if sees else 404)
    assert Contact.objects.get(pk=contact.pk).is_active is not sees

    delete = client.post(reverse("plans_account:activity_delete", args=[pk, activity.pk]))
    assert delete.status_code == (302 if sees else 404)
    assert Activity.objects.filter(pk=activity.pk).exists() is not sees


def test_a_contact_or_activity_under_another_account_in_the_url_answers_404(client, world) -> None:
    # the owner sees world.account, but the contact belongs to the other account
    hidden = make_contact(world.other_account, name="李强")
    hidden_activity = make_activity(world.other_account, WHEN)
    client.force_login(world.director)  # even someone who sees both: the pair must match
    assert client.get(reverse("plans_account:contact_edit", args=[world.account.pk, hidden.pk])).status_code == 404
    url = reverse("plans_account:activity_edit", args=[world.account.pk, hidden_activity.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("person", "expected"), API_MATRIX.items())
def test_activity_api_follows_the_account(world, person, expected) -> None:
    sees, _ = expected
    activity = make_activity(world.account, WHEN, notes="原始")
    user = getattr(world, person)
    api = token_client(user, ["activities:read", "activities:write"] if user.is_integration else None)
    url = f"/api/v1/activities/{activity.pk}/"

    listing = api.get("/api/v1/activities/")
    assert listing.status_code == 200
    assert (activity.pk in [row["id"] for row in listing.json()["results"]]) is sees
    assert api.get(url).status_code == (200 if sees else 404)

    patch = api.patch(url, {"notes": "改过"}, format="json")
    assert patch.status_code == (200 if sees else 404)
    assert (Activity.objects.get(pk=activity.pk).notes == "改过") is sees

    created = api.post(
        "/api/v1/activities/",
        {"account": world.account.pk, "type": "call", "occurred_at": "2026-03-03T10:00:00+08:00"},
        format="json",
    )
    assert created.status_code == (201 if sees else 400)
    assert Activity.objects.count() == (2 if sees else 1)

    delete = api.delete(url)
    assert delete.status_code == (204 if sees else 404)
    assert Activity.objects.filter(pk=activity.pk).exists() is not sees


def test_an_integration_token_without_the_activity_scopes_is_refused(world) -> None:
    make_activity(world.account, WHEN)
    scopes = [scope for scope in INTEGRATION_SCOPES if not scope.startswith("activities:")]
    api = token_client(world.integration, scopes)  # an ERP token that names no activity scope
    assert api.get("/api/v1/activities/").status_code == 403


@pytest.mark.parametrize(("person", "expected"), MATRIX.items())
def test_plan_pages_follow_the_account(client, world, person, expected) -> None:
    from plans.models import AccountPlan, ActionItem
    from plans.tests.factories import make_action, make_plan

    sees, _ = expected
    plan = make_plan(world.account, world.owner, notes="原始")
    item = make_action(plan, world.owner, "2026-03-01", "2026-03-31")
    client.force_login(getattr(world, person))
    ok = 200 if sees else 404
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == ok
    assert client.get(reverse("plans:edit", args=[plan.pk])).status_code == ok
    assert client.get(reverse("plans:action_add", args=[plan.pk])).status_code == ok
    assert client.get(reverse("plans:action_edit", args=[item.pk])).status_code == ok
    assert client.get(reverse("plans_account:plan_add", args=[world.account.pk])).status_code == ok

    edit = client.post(reverse("plans:edit", args=[plan.pk]), {"period": "2026", "notes": "改过"})
    assert edit.status_code == (302 if sees else 404)
    assert (AccountPlan.objects.get(pk=plan.pk).notes == "改过") is sees
    review = client.post(reverse("plans:review_add", args=[plan.pk]), {"month": "2026-03", "notes": "PDCA"})
    assert review.status_code == (302 if sees else 404)
    assert plan.reviews.exists() is sees
    submit = client.post(reverse("plans:submit", args=[plan.pk]))
    assert submit.status_code == (302 if sees else 404)
    assert (AccountPlan.objects.get(pk=plan.pk).status == "submitted") is sees
    assert ActionItem.objects.get(pk=item.pk).status == "open"


@pytest.mark.parametrize(("person", "expected"), API_MATRIX.items())
def test_plan_api_follows_the_account(world, person, expected) -> None:
    from plans.models import AccountPlan
    from plans.tests.factories import make_action, make_plan

    sees, _ = expected
    plan = make_plan(world.account, world.owner)
    item = make_action(plan, world.owner, "2026-03-01", "2026-03-31")
    user = getattr(world, person)
    api = token_client(user, ["plans:read", "plans:write"] if user.is_integration else None)

    for collection, row in (("account-plans", plan), ("actions", item)):
        listing = api.get(f"/api/v1/{collection}/")
        assert listing.status_code == 200
        assert (row.pk in [r["id"] for r in listing.json()["results"]]) is sees
        assert api.get(f"/api/v1/{collection}/{row.pk}/").status_code == (200 if sees else 404)
    patch = api.patch(f"/api/v1/account-plans/{plan.pk}/", {"notes": "改过"}, format="json")
    assert patch.status_code == (200 if sees else 404)
    assert (AccountPlan.objects.get(pk=plan.pk).notes == "改过") is sees
    created = api.post("/api/v1/account-plans/", {"account": world.account.pk, "period": "2027"}, format="json")
    assert created.status_code == (201 if sees else 400)
    assert AccountPlan.objects.filter(period="2027").exists() is sees


@pytest.mark.parametrize(("person", "expected"), API_MATRIX.items())
def test_contact_plan_pages_and_api_follow_the_account(client, world, person, expected) -> None:
    from plans.models import ContactPlanEntry
    from plans.tests.factories import make_contact_plan

    sees, _ = expected
    entry = make_contact_plan(make_contact(world.account, name="张总"), world.owner)
    user = getattr(world, person)
    if not user.is_integration:
        client.force_login(user)
        url = reverse("plans_account:contact_plan_edit", args=[world.account.pk, entry.pk])
        assert client.get(url).status_code == (200 if sees else 404)
    api = token_client(user, ["plans:read", "plans:write"] if user.is_integration else None)
    listing = api.get("/api/v1/contact-plan/").json()["results"]
    assert (entry.pk in [row["id"] for row in listing]) is sees
    patch = api.patch(f"/api/v1/contact-plan/{entry.pk}/", {"interval_days": 7}, format="json")
    assert patch.status_code == (200 if sees else 404)
    assert (ContactPlanEntry.objects.get(pk=entry.pk).interval_days == 7) is sees


@pytest.mark.parametrize("person", [*MATRIX, "integration"])
def test_my_work_and_reminders_show_only_ones_own(client, world, person) -> None:
    from plans.models import Notification

    Notification.objects.create(
        user=world.other_rep, kind="action_overdue", day="2026-03-20", count=1,
        items=[{"account": world.other_account.pk, "name": "北方重工", "what": "别人的提醒", "day": None, "url": "/"}],
    )  # fmt: skip
    # and an action of rep4's overdue today, on the list its digest's headline leads to
    today = timezone.localdate()
    plan = make_plan(world.other_account, world.other_rep)
    make_action(plan, world.other_rep, today - timedelta(days=9), today - timedelta(days=1), action="别人的行动")
    user = getattr(world, person)
    client.force_login(user)
    expected = 403 if user.is_integration else 200
    assert client.get(reverse("plans:my_work")).status_code == expected
    page = client.get(reverse("plans:notifications"))
    assert page.status_code == expected
    assert ("别人的提醒" in page.content.decode()) is (person == "other_rep")  # theirs alone
    listed = client.get(reverse("plans:reminder_list", args=["action_overdue"]))
    assert listed.status_code == expected
    assert ("别人的行动" in listed.content.decode()) is (person == "other_rep")


@pytest.mark.parametrize(("person", "expected"), API_MATRIX.items())
def test_relationship_api_follows_the_account(world, person, expected) -> None:
    from plans.models import RelationshipLink
    from plans.services import relationship_set

    sees, _ = expected
    link = relationship_set(contact=make_contact(world.account, name="张总"), user=world.owner, strength="weak")
    user = getattr(world, person)
    api = token_client(user, ["plans:read", "plans:write"] if user.is_integration else None)
    listing = api.get("/api/v1/relationships/").json()["results"]
    assert (link.pk in [row["id"] for row in listing]) is sees
    patch = api.patch(f"/api/v1/relationships/{link.pk}/", {"strength": "strong"}, format="json")
    assert patch.status_code == (200 if sees else 404)
    assert (RelationshipLink.objects.get(pk=link.pk).strength == "strong") is sees


@pytest.mark.parametrize(("person", "expected"), API_MATRIX.items())
def test_visit_api_follows_the_account(world, person, expected) -> None:
    from plans.models import Visit

    sees, _ = expected
    visit = Visit.objects.create(account=world.account, owner=world.owner, planned_on="2026-03-20")
    user = getattr(world, person)
    api = token_client(user, ["plans:read"] if user.is_integration else None)
    assert (visit.pk in [row["id"] for row in api.get("/api/v1/visits/").json()["results"]]) is sees
    assert api.get(f"/api/v1/visits/{visit.pk}/").status_code == (200 if sees else 404)


@pytest.mark.parametrize(("person", "expected"), MATRIX.items())
def test_proposal_pages_follow_the_account(client, world, person, expected) -> None:
    from plans.models import DevelopmentProposal
    from plans.tests.factories import PROPOSAL, make_potential_key, make_proposal

    sees, _ = expected
    make_potential_key(world.account)
    proposal = make_proposal(world.account, world.owner, notes="原始")
    client.force_login(getattr(world, person))
    ok = 200 if sees else 404
    assert client.get(reverse("plans:proposal_detail", args=[proposal.pk])).status_code == ok
    assert client.get(reverse("plans:proposal_edit", args=[proposal.pk])).status_code == ok
    assert client.get(reverse("plans_account:proposal_add", args=[world.account.pk])).status_code == ok

    edit = client.post(reverse("plans:proposal_edit", args=[proposal.pk]), {**PROPOSAL, "notes": "改过"})
    assert edit.status_code == (302 if sees else 404)
    assert (DevelopmentProposal.objects.get(pk=proposal.pk).notes == "改过") is sees
    added = client.post(reverse("plans_account:proposal_add", args=[world.account.pk]), PROPOSAL)
    assert added.status_code == (302 if sees else 404)
    assert DevelopmentProposal.objects.count() == (2 if sees else 1)
    submit = client.post(reverse("plans:proposal_submit", args=[proposal.pk]))
    assert submit.status_code == (302 if sees else 404)
    assert (DevelopmentProposal.objects.get(pk=proposal.pk).status == "submitted") is sees
    ret = client.post(reverse("plans:proposal_return", args=[proposal.pk]), {"comment": "不行"})
    assert ret.status_code == (302 if person in ("manager", "director") else 403 if sees else 404)
    assert (DevelopmentProposal.objects.get(pk=proposal.pk).status == "returned") is (person in ("manager", "director"))


@pytest.mark.parametrize(("person", "expected"), API_MATRIX.items())
def test_proposal_api_follows_the_account(world, person, expected) -> None:
    from plans.models import DevelopmentProposal
    from plans.tests.factories import PROPOSAL, make_potential_key, make_proposal

    sees, _ = expected
    make_potential_key(world.account)
    proposal = make_proposal(world.account, world.owner)
    user = getattr(world, person)
    api = token_client(user, ["proposals:read", "proposals:write"] if user.is_integration else None)
    listing = api.get("/api/v1/development-proposals/")
    assert listing.status_code == 200
    assert (proposal.pk in [r["id"] for r in listing.json()["results"]]) is sees
    assert api.get(f"/api/v1/development-proposals/{proposal.pk}/").status_code == (200 if sees else 404)
    patch = api.patch(f"/api/v1/development-proposals/{proposal.pk}/", {"notes": "改过"}, format="json")
    assert patch.status_code == (200 if sees else 404)
    assert (DevelopmentProposal.objects.get(pk=proposal.pk).notes == "改过") is sees
    created = api.post("/api/v1/development-proposals/", {**PROPOSAL, "account": world.account.pk}, format="json")
    assert created.status_code == (201 if sees else 400)
    assert DevelopmentProposal.objects.count() == (2 if sees else 1)
    submit = api.post(f"/api/v1/development-proposals/{proposal.pk}/submit/")
    assert submit.status_code == (200 if sees else 404)


def test_an_integration_token_without_the_proposal_scopes_is_refused(world) -> None:
    scopes = [scope for scope in INTEGRATION_SCOPES if not scope.startswith("proposals:")]
    api = token_client(world.integration, scopes)
    assert api.get("/api/v1/development-proposals/").status_code == 403
    assert token_client(world.integration, ["plans:read"]).get("/api/v1/time-allocation/").status_code == 403


# Which reps' time each person sees on the time-allocation page (the sales dashboard's rule).
ALLOCATION = {
    "owner": {"rep1"},
    "teammate": {"rep2"},
    "same_team_rep": {"rep3"},
    "other_rep": {"rep4"},
    "manager": {"manager1", "rep1", "rep2", "rep3"},
    "other_manager": {"manager2", "rep4"},
    "director": {"director", "manager1", "manager2", "rep1", "rep2", "rep3", "rep4"},
}


@pytest.mark.parametrize(("person", "reps"), ALLOCATION.items())
def test_time_allocation_shows_only_the_reps_one_may_see(client, world, person, reps) -> None:
    user = getattr(world, person)
    client.force_login(user)
    page = client.get(reverse("plans:time_allocation"), {"period": "2026"})
    assert page.status_code == 200
    assert {row.label for row in page.context["report"].per_rep} == reps
    for rep in ("rep1", "rep4"):
        code = client.get(reverse("plans:time_allocation"), {"owner": rep}).status_code
        assert code == (200 if rep in reps else 404)
    api = token_client(user).get("/api/v1/time-allocation/", {"period": "2026"})
    assert {row["name"] for row in api.json()["per_rep"]} == reps


def test_time_allocation_is_for_people_not_integration_users(client, world) -> None:
    client.force_login(world.integration)
    assert client.get(reverse("plans:time_allocation")).status_code == 403


@pytest.mark.parametrize(("person", "expected"), API_MATRIX.items())
def test_visit_check_in_and_plan_reviews_over_the_api_follow_the_account(world, person, expected) -> None:
    sees, _ = expected
    user = getattr(world, person)
    visit = Visit.objects.create(account=world.account, owner=world.owner, planned_on=timezone.localdate())
    plan = make_plan(world.account, world.owner, status="approved")
    api = token_client(user, ["plans:read", "plans:write", "activities:write"])
    reviews = f"/api/v1/account-plans/{plan.pk}/reviews/"
    # the reviews: read and written by whoever sees the plan
    assert api.get(reviews).status_code == (200 if sees else 404)
    written = api.post(reviews, {"month": "2026-11-01", "notes": "回顾"}, format="json")
    assert written.status_code == (200 if sees else 404)
    assert PlanReview.objects.filter(plan=plan).exists() is sees
    # the check-in: by a person who sees the visit (an integration sees it, but is nobody in the field)
    checked = api.post(f"/api/v1/visits/{visit.pk}/check-in/", {}, format="json")
    expected_status = (403 if user.is_integration else 200) if sees else 404
    assert checked.status_code == expected_status
    visit.refresh_from_db()
    assert (visit.status == "done") is (expected_status == 200)
