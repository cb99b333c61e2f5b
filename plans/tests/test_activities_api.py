"""Activities over the API: list/detail/write with updated_since, and the bulk upsert."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Contact
from accounts.tests.factories import make_contact
from integrations.tests.factories import post_bulk
from kam.testing import token_client
from plans.models import Activity
from plans.tests.factories import make_activity

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
SCOPES = ["activities:read", "activities:write"]


def record(external_id: str, **fields: object) -> dict:
    return {
        "external_id": external_id,
        "account_external_id": "C-1",
        "type": "meeting",
        "occurred_at": "2026-03-02T10:00:00+08:00",
        "duration_minutes": 60,
        "contact_external_ids": ["P-1"],
        "notes": "Quarterly review",
        "outcome": "Trial agreed",
        **fields,
    }


@pytest.fixture
def contacts(world) -> tuple[Contact, Contact]:  # noqa: ANN001
    return (
        make_contact(world.account, name="张总", external_id="P-1"),
        make_contact(world.account, name="刘工", buying_role="user", external_id="P-2"),
    )


def test_bulk_creates_activities_with_their_contacts_and_a_replay_changes_nothing(world, contacts) -> None:
    api = token_client(world.integration, ["activities:write"])
    # when a calendar pushes two activities
    body = {"records": [record("CAL-1"), record("CAL-2", type="call", contact_external_ids=["P-1", "P-2"])]}
    first = post_bulk(api, "activities", body)
    # then both are created with their contacts, and the contacts' last contact follows
    assert first.status_code == 200
    assert [r["status"] for r in first.json()["results"]] == ["created", "created"]
    one = Activity.objects.get(external_id="CAL-1")
    assert (one.account, one.type, one.occurred_at, one.duration_minutes) == (
        world.account,
        "meeting",
        datetime(2026, 3, 2, 10, tzinfo=SHANGHAI),
        60,
    )
    assert sorted(Activity.objects.get(external_id="CAL-2").contacts.values_list("external_id", flat=True)) == [
        "P-1",
        "P-2",
    ]
    assert Contact.objects.get(external_id="P-2").last_contacted_on == date(2026, 3, 2)
    stamp = Activity.objects.get(external_id="CAL-1").updated_at
    # when the same batch is replayed, nothing changes
    again = post_bulk(api, "activities", body)
    assert again.status_code == 200
    assert again.json()["summary"] == {"created": 0, "updated": 0, "unchanged": 2, "error": 0, "skipped": 0}
    assert Activity.objects.get(external_id="CAL-1").updated_at == stamp
    assert Activity.contacts.through.objects.count() == 3


def test_a_changed_contact_list_alone_makes_the_record_updated(world, contacts) -> None:
    api = token_client(world.integration, ["activities:write"])
    post_bulk(api, "activities", [record("CAL-1")])
    stamp = Activity.objects.get().updated_at
    response = post_bulk(api, "activities", [record("CAL-1", contact_external_ids=["P-2"])])
    assert [r["status"] for r in response.json()["results"]] == ["updated"]
    activity = Activity.objects.get()
    assert list(activity.contacts.values_list("external_id", flat=True)) == ["P-2"]
    assert activity.updated_at > stamp
    # P-1 has no activity left: no last contact
    assert Contact.objects.get(external_id="P-1").last_contacted_on is None
    # a record that leaves the list out keeps it
    post_bulk(api, "activities", [{k: v for k, v in record("CAL-1").items() if k != "contact_external_ids"}])
    assert list(Activity.objects.get().contacts.values_list("external_id", flat=True)) == ["P-2"]


def test_bulk_refuses_foreign_and_unknown_contacts_naive_times_and_hidden_accounts(world, contacts) -> None:
    make_contact(world.other_account, name="李强", external_id="P-9")
    api = token_client(world.owner)  # a person: sees only their accounts
    response = post_bulk(
        api,
        "activities",
        [
            record("CAL-1", contact_external_ids=["P-9"]),
            record("CAL-2", contact_external_ids=["P-404"]),
            record("CAL-3", occurred_at="2026-03-02T10:00:00"),
            record("CAL-4", account_external_id="C-2", contact_external_ids=[]),
            record("CAL-5", occurred_at=(timezone.now() + timedelta(days=3)).isoformat()),
            record("CAL-6"),
        ],
    )
    assert response.status_code == 207
    results = response.json()["results"]
    assert [(r["external_id"], r["status"], r["errors"]) for r in results] == [
        ("CAL-1", "error", {"contact_external_ids": ['Contact "P-9" does not exist.']}),
        ("CAL-2", "error", {"contact_external_ids": ['Contact "P-404" does not exist.']}),
        ("CAL-3", "error", {"occurred_at": ["Give the time zone too, e.g. 2026-03-02T10:00:00+08:00."]}),
        ("CAL-4", "error", {"account_external_id": ['Account "C-2" does not exist.']}),
        ("CAL-5", "error", {"occurred_at": ["An activity is logged once it happened."]}),
        ("CAL-6", "created", {}),
    ]
    assert list(Activity.objects.values_list("external_id", flat=True)) == ["CAL-6"]


def test_a_contact_of_another_visible_account_belongs_elsewhere(world, contacts) -> None:
    make_contact(world.other_account, name="李强", external_id="P-9")
    response = post_bulk(
        token_client(world.integration, ["activities:write"]),
        "activities",
        [record("CAL-1", contact_external_ids=["P-9"])],
    )
    assert response.json()["results"][0]["errors"] == {
        "contact_external_ids": ['Contact "P-9" belongs to another account.']
    }


def test_bulk_needs_the_activities_write_scope(world, contacts) -> None:
    response = post_bulk(token_client(world.integration, ["activities:read"]), "activities", [record("CAL-1")])
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_list_detail_and_updated_since(world, contacts, settings) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"  # the API writes datetimes in the site's zone
    old = make_activity(world.account, datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), contacts=contacts[:1])
    Activity.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    since = timezone.now() - timedelta(days=1)
    new = make_activity(world.account, datetime(2026, 3, 5, 9, tzinfo=SHANGHAI), participants=(world.owner,))
    api = token_client(world.integration, SCOPES)
    listing = api.get("/api/v1/activities/", {"updated_since": since.isoformat()}).json()
    assert [row["id"] for row in listing["results"]] == [new.pk]
    detail = api.get(f"/api/v1/activities/{old.pk}/").json()
    assert (detail["account"], detail["contacts"], detail["occurred_at"]) == (
        world.account.pk,
        [contacts[0].pk],
        "2026-03-01T09:00:00+08:00",
    )
    assert api.get(f"/api/v1/activities/{new.pk}/").json()["participants"] == [world.owner.pk]


def test_writing_through_the_api_uses_the_service(world, contacts, service_calls) -> None:
    from plans import services

    calls = service_calls(services, "activity_create")
    api = token_client(world.owner)
    created = api.post(
        "/api/v1/activities/",
        {
            "account": world.account.pk,
            "type": "message",
            "occurred_at": "2026-03-02T21:00:00+08:00",
            "contacts": [contacts[1].pk],
        },
        format="json",
    )
    assert created.status_code == 201
    assert len(calls) == 1
    assert Contact.objects.get(pk=contacts[1].pk).last_contacted_on == date(2026, 3, 2)
    activity = Activity.objects.get()
    assert activity.created_by == world.owner
    patched = api.patch(f"/api/v1/activities/{activity.pk}/", {"contacts": []}, format="json")
    assert patched.status_code == 200
    assert Contact.objects.get(pk=contacts[1].pk).last_contacted_on is None
    assert api.delete(f"/api/v1/activities/{activity.pk}/").status_code == 204
    assert not Activity.objects.exists()
