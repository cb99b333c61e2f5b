"""The contact plan: last and next contact and overdue, computed from activities (local days)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.tests.factories import make_contact
from kam.testing import token_client
from plans.models import ContactPlanEntry
from plans.selectors import account_contact_plan
from plans.tests.factories import make_activity, make_contact_plan

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_next_contact_follows_the_latest_activity_in_local_days(world) -> None:
    # given a contact kept every 14 days since 1 January
    boss = make_contact(world.account, name="张总")
    make_contact_plan(boss, world.owner, 14, date(2026, 1, 1))
    # when they were met at 23:30 on 3 March in Shanghai (15:30 UTC), and called once in February
    make_activity(world.account, datetime(2026, 3, 3, 15, 30, tzinfo=UTC), contacts=(boss,))
    make_activity(world.account, datetime(2026, 2, 10, 9, 0, tzinfo=SHANGHAI), contacts=(boss,))
    # then the last contact is 3 March (local), the next 17 March, not overdue on the 17th
    [row] = account_contact_plan(account=world.account, today=date(2026, 3, 17))
    assert (row.contacts_so_far, row.last_contact, row.next_contact, row.overdue, row.days_overdue) == (
        2,
        date(2026, 3, 3),
        date(2026, 3, 17),
        False,
        0,
    )
    # and overdue by one day on the 18th
    [row] = account_contact_plan(account=world.account, today=date(2026, 3, 18))
    assert (row.overdue, row.days_overdue) == (True, 1)


def test_a_minute_past_local_midnight_is_the_next_day(world, settings) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"  # local days are Shanghai's
    boss = make_contact(world.account, name="张总")
    make_contact_plan(boss, world.owner, 7, date(2026, 1, 1))
    make_activity(world.account, datetime(2026, 3, 3, 16, 1, tzinfo=UTC), contacts=(boss,))  # 00:01 on 4 March
    [row] = account_contact_plan(account=world.account, today=date(2026, 3, 11))
    assert (row.last_contact, row.next_contact, row.overdue) == (date(2026, 3, 4), date(2026, 3, 11), False)


def test_an_activity_logged_late_moves_the_next_date_only_if_it_is_newer(world) -> None:
    boss = make_contact(world.account, name="张总")
    make_contact_plan(boss, world.owner, 30, date(2026, 1, 1))
    make_activity(world.account, datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), contacts=(boss,))
    # logged today, happened in February: the last contact stays 1 March
    make_activity(world.account, datetime(2026, 2, 1, 10, tzinfo=SHANGHAI), contacts=(boss,))
    [row] = account_contact_plan(account=world.account, today=date(2026, 3, 5))
    assert (row.last_contact, row.next_contact, row.contacts_so_far) == (date(2026, 3, 1), date(2026, 3, 31), 2)


def test_nobody_in_touch_yet_is_due_on_the_start_and_earlier_contacts_do_not_count_so_far(world) -> None:
    boss = make_contact(world.account, name="张总")
    other = make_contact(world.account, name="刘工", buying_role="user")
    make_contact_plan(boss, world.owner, 30, date(2026, 3, 1))
    make_contact_plan(other, world.owner, 30, date(2026, 3, 1))
    make_activity(world.account, datetime(2026, 2, 20, 10, tzinfo=SHANGHAI), contacts=(other,))
    rows = {row.entry.contact.name: row for row in account_contact_plan(account=world.account, today=date(2026, 3, 2))}
    assert (rows["张总"].last_contact, rows["张总"].next_contact, rows["张总"].overdue) == (
        None,
        date(2026, 3, 1),
        True,
    )
    assert (rows["刘工"].contacts_so_far, rows["刘工"].next_contact, rows["刘工"].overdue) == (
        0,
        date(2026, 3, 22),
        False,
    )


def test_pages_add_and_refuse_a_twin(client, world) -> None:
    boss = make_contact(world.account, name="张总")
    client.force_login(world.owner)
    url = reverse("plans_account:contact_plan_add", args=[world.account.pk])
    form = {"contact": boss.pk, "owner": world.owner.pk, "interval_days": "14", "starts_on": "2026-03-01"}
    assert client.post(url, form).status_code == 302
    twin = client.post(url, form)
    assert twin.context["form"].errors == {"contact": [f"{world.owner} keeps this contact already."]}
    assert client.post(url, {**form, "interval_days": "0"}).context["form"].errors["interval_days"]
    assert ContactPlanEntry.objects.count() == 1
    page = client.get(f"/accounts/{world.account.pk}/")
    assert [row.entry.contact for row in page.context["plans"].contact_plan] == [boss]


def test_the_api_lists_the_computed_figures(world) -> None:
    boss = make_contact(world.account, name="张总")
    entry = make_contact_plan(boss, world.owner, 14, date(2026, 1, 1))
    make_activity(world.account, datetime(2026, 3, 3, 10, tzinfo=SHANGHAI), contacts=(boss,))
    row = token_client(world.owner).get("/api/v1/contact-plan/").json()["results"][0]
    assert (row["id"], row["contacts_so_far"], row["last_contact"], row["next_contact"]) == (
        entry.pk,
        1,
        "2026-03-03",
        "2026-03-17",
    )
