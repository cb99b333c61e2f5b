"""Visit check-in and PDCA reviews over the API: the same services and rules as the pages,
visibility (404), scoped tokens (403), and a refusal that changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import make_contact
from kam.testing import token_client
from plans.models import Activity, PlanReview, Visit
from plans.tests.factories import make_contact_plan, make_plan

pytestmark = pytest.mark.django_db
WRITE = ["plans:read", "plans:write", "activities:write"]


def _visit(world, owner=None) -> Visit:  # noqa: ANN001
    return Visit.objects.create(account=world.account, owner=owner or world.owner, planned_on=timezone.localdate())


def test_check_in_without_a_position_works_and_says_so(world) -> None:
    # given a planned visit and a key contact in the contact plan
    boss = make_contact(world.account, name="张总")
    make_contact_plan(boss, world.owner, 14, date(2026, 1, 1))
    visit = _visit(world)
    api = token_client(world.owner, WRITE)
    # when the rep checks in over the API without a position
    body = {"contacts": [boss.pk], "notes": "现场交流", "outcome": "同意试用", "duration_minutes": 45}
    response = api.post(f"/api/v1/visits/{visit.pk}/check-in/", body, format="json")
    # then the visit is done, the response says no position was recorded, and the record is an activity
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["located"], data["latitude"]) == ("done", False, None)
    assert data["message"] == "Checked in without a location: the device gave none."
    activity = Activity.objects.get(pk=data["activity"])
    assert (activity.type, activity.outcome, activity.duration_minutes) == ("visit", "同意试用", 45)
    assert (list(activity.contacts.all()), list(activity.participants.all())) == ([boss], [world.owner])
    boss.refresh_from_db()
    assert boss.last_contacted_on == timezone.localdate()
    # and a second check-in is refused
    again = api.post(f"/api/v1/visits/{visit.pk}/check-in/", {}, format="json")
    assert again.status_code == 400
    assert Activity.objects.count() == 1


def test_check_in_with_a_position_and_a_time(world) -> None:
    visit = _visit(world)
    api = token_client(world.owner, WRITE)
    when = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    body = {"latitude": "31.230416", "longitude": "121.473701", "checked_in_at": when.isoformat()}
    response = api.post(f"/api/v1/visits/{visit.pk}/check-in/", body, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["located"], response.json()["latitude"]) == (True, "31.230416")
    visit.refresh_from_db()
    assert (visit.checked_in_at, visit.activity.occurred_at) == (when, when)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"latitude": "31.2"}, "latitude"),
        ({"latitude": "91", "longitude": "121"}, "latitude"),
        ({"checked_in_at": "2099-01-01T10:00:00+08:00"}, "checked_in_at"),
        ({"checked_in_at": "2026-11-01T10:00:00"}, "checked_in_at"),
    ],
)
def test_a_bad_check_in_is_refused_and_changes_nothing(world, body, field) -> None:  # noqa: ANN001
    visit = _visit(world)
    response = token_client(world.owner, WRITE).post(f"/api/v1/visits/{visit.pk}/check-in/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    visit.refresh_from_db()
    assert (visit.status, Activity.objects.count()) == ("planned", 0)


def test_check_in_needs_visibility_both_write_scopes_and_a_person(world) -> None:
    visit = _visit(world)
    hidden = Visit.objects.create(account=world.other_account, owner=world.other_rep, planned_on=timezone.localdate())
    url = "/api/v1/visits/{}/check-in/"
    assert token_client(world.owner, WRITE).post(url.format(hidden.pk), {}, format="json").status_code == 404
    for scopes in (["plans:read", "plans:write"], ["plans:read", "activities:write"], ["plans:read"]):
        assert token_client(world.owner, scopes).post(url.format(visit.pk), {}, format="json").status_code == 403
    assert token_client(world.integration, WRITE).post(url.format(visit.pk), {}, format="json").status_code == 403
    hidden.refresh_from_db()
    visit.refresh_from_db()
    assert (visit.status, hidden.status, Activity.objects.count()) == ("planned", "planned", 0)


def test_a_rep_writes_a_review_and_only_the_manager_comments(world) -> None:
    plan = make_plan(world.account, world.owner, status="approved")
    url = f"/api/v1/account-plans/{plan.pk}/reviews/"
    rep = token_client(world.owner, ["plans:read", "plans:write"])
    # a comment on a month without a review is refused
    assert rep.post(url, {"month": "2026-11-01", "manager_comment": "x"}, format="json").status_code == 403
    manager = token_client(world.manager, ["plans:read", "plans:write"])
    early = manager.post(url, {"month": "2026-11-01", "manager_comment": "x"}, format="json")
    assert early.status_code == 400
    assert early.json()["errors"] == {"month": ["There is no review for this month yet."]}
    # the rep writes November's review (any day of the month)
    written = rep.post(url, {"month": "2026-11-17", "notes": "P: 试用; D: 已送样"}, format="json")
    assert written.status_code == 200, written.content
    assert (written.json()["month"], written.json()["author"]) == ("2026-11-01", world.owner.pk)
    # the rep may not comment on it, and the refusal changes nothing (notes included)
    refused = rep.post(url, {"month": "2026-11-01", "notes": "改写", "manager_comment": "好"}, format="json")
    assert refused.status_code == 403
    review = PlanReview.objects.get()
    assert (review.notes, review.manager_comment) == ("P: 试用; D: 已送样", "")
    # the manager comments
    commented = manager.post(url, {"month": "2026-11-01", "manager_comment": "  继续跟进  "}, format="json")
    assert commented.status_code == 200
    assert commented.json()["manager_comment"] == "继续跟进"
    # and everyone who sees the plan reads the reviews, newest month first
    rep.post(url, {"month": "2026-10-01", "notes": "十月"}, format="json")
    listed = token_client(world.teammate, ["plans:read"]).get(url)
    assert [(r["month"], r["manager_comment"]) for r in listed.json()] == [
        ("2026-11-01", "继续跟进"),
        ("2026-10-01", ""),
    ]


def test_reviews_need_visibility_and_the_write_scope(world) -> None:
    plan = make_plan(world.account, world.owner, status="approved")
    url = f"/api/v1/account-plans/{plan.pk}/reviews/"
    assert token_client(world.other_rep).get(url).status_code == 404
    assert (
        token_client(world.other_manager).post(url, {"month": "2026-11-01", "notes": "x"}, format="json").status_code
        == 404
    )
    assert (
        token_client(world.owner, ["plans:read"])
        .post(url, {"month": "2026-11-01", "notes": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        token_client(world.owner, ["plans:read"]).post(url, {"month": "2026-11-01"}, format="json").status_code == 403
    )
    assert token_client(world.owner).post(url, {"month": "2026-11-01"}, format="json").status_code == 400
    assert not PlanReview.objects.exists()
