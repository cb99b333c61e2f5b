"""Visits: generated from the follow-up interval, moved or skipped with a reason, checked in
with or without the browser's position; the record becomes an activity."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from accounts.tests.factories import make_contact
from plans.models import Activity, Visit, VisitInterval
from plans.services import visits_generate
from plans.tests.factories import make_activity, make_contact_plan

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 20)


def test_the_next_visit_is_planned_from_the_category_interval_once(world) -> None:
    # given a key account last visited on 1 March and a normal one never visited
    Account.objects.filter(pk=world.account.pk).update(category="key")
    Account.objects.filter(pk=world.other_account.pk).update(category="normal")
    make_activity(world.account, datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), type="visit")
    make_activity(world.account, datetime(2026, 3, 10, 10, tzinfo=SHANGHAI), type="call")  # a call is no visit
    # when visits are generated, twice
    assert visits_generate(today=TODAY) == 2
    assert visits_generate(today=TODAY) == 0
    # then the key account is due 30 days after its visit, the other today, each by its owner
    planned = {v.account_id: (v.planned_on, v.owner_id, v.generated) for v in Visit.objects.all()}
    assert planned == {
        world.account.pk: (date(2026, 3, 31), world.owner.pk, True),
        world.other_account.pk: (TODAY, world.other_rep.pk, True),
    }


def test_an_account_interval_overrides_the_category_and_a_skip_moves_the_rhythm(client, world) -> None:
    Account.objects.filter(pk=world.account.pk).update(category="key")
    VisitInterval.objects.create(account=world.account, interval_days=7)
    make_activity(world.account, datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), type="visit")
    visits_generate(today=TODAY)
    visit = Visit.objects.get(account=world.account)
    assert visit.planned_on == TODAY  # 8 March has passed: due today
    client.force_login(world.owner)
    url = reverse("plans:visit_change", args=[visit.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.context["form"].errors == {"reason": ["This field is required."]}
    client.post(url, {"reason": "客户停产检修"})
    visit.refresh_from_db()
    assert (visit.status, visit.reason) == ("skipped", "客户停产检修")
    visits_generate(today=TODAY)
    nxt = Visit.objects.get(account=world.account, status="planned")
    assert nxt.planned_on == TODAY + timedelta(days=7)
    client.post(reverse("plans:visit_change", args=[nxt.pk]), {"planned_on": "2026-04-02", "reason": "客户要求"})
    nxt.refresh_from_db()
    assert (nxt.planned_on, nxt.reason) == (date(2026, 4, 2), "客户要求")


def test_check_in_without_geolocation_still_works_and_says_so(client, world) -> None:
    # given a planned visit and a key contact in the contact plan, last met long ago
    boss = make_contact(world.account, name="张总")
    make_contact_plan(boss, world.owner, 14, date(2026, 1, 1))
    visit = Visit.objects.create(account=world.account, owner=world.owner, planned_on=timezone.localdate())
    client.force_login(world.owner)
    # when the rep checks in without a position
    url = reverse("plans:check_in", args=[visit.pk])
    response = client.post(url, {"contacts": [boss.pk], "notes": "现场交流", "outcome": "同意试用"}, follow=True)
    # then the visit is done, its record is a visit activity with the contact, and the page says
    visit.refresh_from_db()
    assert (visit.status, visit.latitude, visit.longitude) == ("done", None, None)
    activity = Activity.objects.get()
    assert (activity.type, activity.outcome, list(activity.contacts.all()), list(activity.participants.all())) == (
        "visit",
        "同意试用",
        [boss],
        [world.owner],
    )
    assert visit.activity == activity
    assert "Checked in without a location" in response.content.decode()
    # and the contact plan's next date moved to 14 days after today
    row = response.context["plans"].contact_plan[0]
    assert row.next_contact == timezone.localdate() + timedelta(days=14)
    # a second check-in is refused
    again = client.post(url, {"notes": "x"})
    assert again.context["form"].errors == {"__all__": ["This visit is not planned any more."]}


def test_check_in_keeps_the_position_when_given(client, world) -> None:
    visit = Visit.objects.create(account=world.account, owner=world.owner, planned_on=timezone.localdate())
    client.force_login(world.owner)
    client.post(reverse("plans:check_in", args=[visit.pk]), {"latitude": "31.230416", "longitude": "121.473701"})
    visit.refresh_from_db()
    assert (visit.status, visit.latitude, visit.longitude) == ("done", Decimal("31.230416"), Decimal("121.473701"))
    half = Visit.objects.create(account=world.account, owner=world.owner, planned_on=timezone.localdate())
    response = client.post(reverse("plans:check_in", args=[half.pk]), {"latitude": "31.2"})
    assert response.context["form"].errors == {"latitude": ["Give both coordinates or neither."]}


def test_my_work_lists_this_weeks_visits_and_other_teams_visits_answer_404(client, world) -> None:
    today = timezone.localdate()
    mine = Visit.objects.create(account=world.account, owner=world.owner, planned_on=today + timedelta(days=2))
    Visit.objects.create(account=world.account, owner=world.owner, planned_on=today + timedelta(days=9))
    hidden = Visit.objects.create(account=world.other_account, owner=world.other_rep, planned_on=today)
    client.force_login(world.owner)
    assert client.get(reverse("plans:my_work")).context["work"].visits == [mine]
    assert client.get(reverse("plans:check_in", args=[hidden.pk])).status_code == 404
    assert client.post(reverse("plans:visit_change", args=[hidden.pk]), {"reason": "x"}).status_code == 404
    hidden.refresh_from_db()
    assert hidden.status == "planned"
