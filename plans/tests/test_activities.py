"""Activities logged on the account page: the timeline, and "last contacted" derived from them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import make_contact
from plans.models import Activity
from plans.tests.factories import make_activity

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_rep_logs_a_meeting_and_sees_it_on_the_timeline(client, world, settings) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"  # the form's time is read in the site's zone
    # given a contact of the owner's account
    contact = make_contact(world.account, name="张总")
    client.force_login(world.owner)
    # when the owner logs a meeting with them at 23:30 Shanghai time
    url = reverse("plans_account:activity_add", args=[world.account.pk])
    form = {
        "type": "meeting",
        "occurred_at": "2026-03-03T23:30",
        "duration_minutes": "45",
        "contacts": [contact.pk],
        "participants": [world.owner.pk, world.teammate.pk],
        "notes": "季度回顾",
        "outcome": "同意试用",
    }
    response = client.post(url, form)
    # then it is stored with the zone, and the contact's last contact is that Shanghai day
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.occurred_at == datetime(2026, 3, 3, 23, 30, tzinfo=SHANGHAI)
    assert (activity.type, activity.duration_minutes, activity.created_by) == ("meeting", 45, world.owner)
    assert list(activity.contacts.all()) == [contact]
    assert set(activity.participants.all()) == {world.owner, world.teammate}
    contact.refresh_from_db()
    assert contact.last_contacted_on == date(2026, 3, 3)
    page = client.get(f"/accounts/{world.account.pk}/")
    assert [item.activity.pk for item in page.context["plans"].timeline] == [activity.pk]
    assert "季度回顾" in page.content.decode()


def test_the_timeline_is_newest_first_even_when_logged_late(world) -> None:
    from plans.selectors import account_timeline

    newer = make_activity(world.account, datetime(2026, 3, 10, 9, tzinfo=SHANGHAI))
    late = make_activity(world.account, datetime(2026, 3, 2, 9, tzinfo=SHANGHAI))
    assert account_timeline(account=world.account) == [newer, late]


def test_a_contact_of_another_account_is_refused_and_nothing_written(world) -> None:
    from django.core.exceptions import ValidationError

    stranger = make_contact(world.other_account, name="李强")
    with pytest.raises(ValidationError) as error:
        make_activity(world.account, timezone.now(), contacts=(stranger,))
    assert error.value.message_dict == {"contacts": ["Every contact must belong to the activity's account."]}
    assert not Activity.objects.exists()
    stranger.refresh_from_db()
    assert stranger.last_contacted_on is None


def test_an_activity_in_the_future_is_refused(client, world) -> None:
    client.force_login(world.owner)
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("plans_account:activity_add", args=[world.account.pk])
    response = client.post(url, {"type": "call", "occurred_at": later, "participants": [world.owner.pk]})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["occurred_at"]
    assert not Activity.objects.exists()


def test_last_contacted_follows_edits_and_deletes(client, world) -> None:
    # given two calls with one contact
    contact = make_contact(world.account, name="张总")
    first = make_activity(world.account, datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), contacts=(contact,))
    second = make_activity(world.account, datetime(2026, 3, 8, 10, tzinfo=SHANGHAI), contacts=(contact,))
    contact.refresh_from_db()
    assert contact.last_contacted_on == date(2026, 3, 8)
    client.force_login(world.owner)
    # when the newer one is deleted, the older one is the last contact
    client.post(reverse("plans_account:activity_delete", args=[world.account.pk, second.pk]))
    contact.refresh_from_db()
    assert contact.last_contacted_on == date(2026, 3, 1)
    # when the contact is taken off the remaining one, there is no last contact
    edit = reverse("plans_account:activity_edit", args=[world.account.pk, first.pk])
    response = client.post(edit, {"type": "call", "occurred_at": "2026-03-01T10:00", "contacts": []})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.last_contacted_on is None


def test_decision_maker_contacted_recently_comes_from_activities(world) -> None:
    # given a decision maker and a mere user of the account, and tiering's window of 90 days
    from tiering.inputs import account_inputs

    boss = make_contact(world.account, name="张总", buying_role="decision_maker")
    user = make_contact(world.other_account, name="李工", buying_role="user")
    as_of = date(2026, 6, 30)
    before = account_inputs(as_of, 90)["decision_maker_contacted"]
    assert (bool(before[world.account.pk]), bool(before[world.other_account.pk])) == (False, False)
    # when each is met 10 days before
    make_activity(world.account, datetime(2026, 6, 20, 10, tzinfo=SHANGHAI), contacts=(boss,))
    make_activity(world.other_account, datetime(2026, 6, 20, 10, tzinfo=SHANGHAI), contacts=(user,))
    # then only the account whose decision maker was met counts as contacted
    after = account_inputs(as_of, 90)["decision_maker_contacted"]
    assert (bool(after[world.account.pk]), bool(after[world.other_account.pk])) == (True, False)
    # and a meeting older than the window does not count
    boss.activities.all().update(occurred_at=datetime(2026, 3, 1, 10, tzinfo=SHANGHAI))
    from plans.services import contacts_last_contacted_refresh

    assert contacts_last_contacted_refresh(contact_ids=[boss.pk]) == 1
    assert bool(account_inputs(as_of, 90)["decision_maker_contacted"][world.account.pk]) is False


def test_the_account_page_answers_in_a_fixed_number_of_queries(client, world, django_assert_num_queries) -> None:
    # given an account with a few contacts and activities
    contacts = [make_contact(world.account, name=f"联系人{i}") for i in range(3)]
    for day in range(1, 4):
        make_activity(
            world.account,
            datetime(2026, 3, day, 10, tzinfo=SHANGHAI),
            contacts=tuple(contacts),
            participants=(world.owner,),
        )
    client.force_login(world.owner)
    client.get(f"/accounts/{world.account.pk}/")  # warm caches (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(f"/accounts/{world.account.pk}/")
    # when there are many more
    more = [make_contact(world.account, name=f"更多{i}") for i in range(10)]
    for day in range(4, 20):
        make_activity(world.account, datetime(2026, 3, day, 10, tzinfo=SHANGHAI), contacts=tuple(more))
    with CaptureQueriesContext(connection) as large:
        client.get(f"/accounts/{world.account.pk}/")
    # then the page asks the database the same number of times
    assert len(large.captured_queries) == len(small.captured_queries)
