""" "My work": a rep's overdue contacts and actions and plans awaiting them; a manager's plans to
approve and overdue work per rep; the landing page of reps; a fixed number of queries."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import make_contact
from plans.selectors import my_work
from plans.tests.factories import make_action, make_activity, make_contact_plan, make_plan, make_proposal

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 20)


def test_a_reps_work(world) -> None:
    boss = make_contact(world.account, name="张总")
    soon = make_contact(world.account, name="刘工", buying_role="user")
    make_activity(world.account, datetime(2026, 3, 15, 10, tzinfo=SHANGHAI), contacts=(soon,))
    make_contact_plan(boss, world.owner, 30, date(2026, 1, 1))  # due 1 January: overdue
    make_contact_plan(soon, world.owner, 7, date(2026, 1, 1))  # due 22 March: this week
    make_contact_plan(boss, world.teammate, 30, date(2026, 1, 1))  # someone else's
    draft = make_plan(world.account, world.owner, "2026")
    returned = make_plan(world.account, world.owner, "2026-Q1", status="returned")
    make_plan(world.account, world.owner, "2025", status="approved")
    late = make_action(draft, world.owner, date(2026, 3, 1), date(2026, 3, 19))
    make_action(draft, world.teammate, date(2026, 3, 1), date(2026, 3, 19))
    work = my_work(user=world.owner, today=TODAY)
    assert [(row.entry.contact.name, row.days_overdue) for row in work.overdue_contacts] == [("张总", 78)]
    assert [(row.entry.contact.name, row.next_contact) for row in work.due_this_week] == [("刘工", date(2026, 3, 22))]
    assert work.overdue_actions == [late]
    assert work.my_plans == [returned, draft]
    assert (work.to_approve, work.team) == ([], [])


def test_a_managers_work(world) -> None:
    submitted = make_plan(world.account, world.owner, status="submitted", submitted_at=timezone.now())
    make_plan(world.other_account, world.other_rep, status="submitted", submitted_at=timezone.now())
    plan = make_plan(world.account, world.owner, "2027")
    make_action(plan, world.teammate, date(2026, 3, 1), date(2026, 3, 2))
    make_contact_plan(make_contact(world.account, name="张总"), world.owner, 30, date(2026, 1, 1))
    work = my_work(user=world.manager, today=TODAY)
    assert work.to_approve == [submitted]
    assert [(row.rep.username, row.overdue_contacts, row.overdue_actions) for row in work.team] == [
        ("rep1", 1, 0),
        ("rep2", 0, 1),
        ("rep3", 0, 0),
    ]


def test_only_those_who_may_approve_see_plans_awaiting_their_approval(world) -> None:
    # given a team whose manager is, by a slip, a rep, with a plan and a proposal submitted in it
    from accounts.models import Team
    from plans.permissions import can_approve

    Team.objects.filter(manager=world.manager).update(manager=world.teammate)
    world.teammate.refresh_from_db()
    plan = make_plan(world.account, world.owner, status="submitted", submitted_at=timezone.now())
    proposal = make_proposal(world.account, world.owner, status="submitted", submitted_at=timezone.now())
    # then that rep may approve neither, and "my work" lists neither as awaiting them
    assert not can_approve(world.teammate, plan)
    assert not can_approve(world.teammate, proposal)
    work = my_work(user=world.teammate, today=TODAY)
    assert (work.to_approve, work.proposals_to_approve) == ([], [])
    # while a director sees both
    work = my_work(user=world.director, today=TODAY)
    assert (work.to_approve, work.proposals_to_approve) == ([plan], [proposal])


def test_reps_land_on_my_work_and_managers_on_the_accounts(client, world) -> None:
    response = client.post(reverse("login"), {"username": "rep1", "password": "pw-for-tests-1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("plans:my_work")
    client.logout()
    response = client.post(reverse("login"), {"username": "manager1", "password": "pw-for-tests-1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:list")


def test_my_work_answers_in_a_fixed_number_of_queries(client, world) -> None:
    def fill(n: int) -> None:
        plan = make_plan(world.account, world.owner, f"{2000 + n}")
        for i in range(n):
            contact = make_contact(world.account, name=f"联系人{n}-{i}")
            make_contact_plan(contact, world.owner, 7, date(2026, 1, 1))
            make_activity(world.account, timezone.now() - timedelta(days=30), contacts=(contact,))
            make_action(plan, world.owner, date(2026, 1, 1), date(2026, 1, 2))

    client.force_login(world.owner)
    fill(1)
    client.get(reverse("plans:my_work"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("plans:my_work")).status_code == 200
    fill(8)
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("plans:my_work"))
    assert len(page.context["work"].overdue_contacts) == 9
    assert len(large.captured_queries) == len(small.captured_queries)


def test_totals_beyond_the_cap_show_with_a_plus_and_the_per_rep_counts_too(world, monkeypatch) -> None:
    # given totals counted up to 3, and 4 overdue contacts and actions of rep1's
    from plans import selectors

    monkeypatch.setattr(selectors, "MY_WORK_COUNTED", 3)
    plan = make_plan(world.account, world.owner, "2026")
    for i in range(4):
        make_contact_plan(make_contact(world.account, name=f"联系人{i}"), world.owner, 30, date(2026, 1, 1))
        make_action(plan, world.owner, date(2026, 3, 1), date(2026, 3, 2 + i))
    make_contact_plan(make_contact(world.account, name="张总"), world.teammate, 30, date(2026, 1, 1))
    # when rep1 and their manager look
    work, boss = my_work(user=world.owner, today=TODAY), my_work(user=world.manager, today=TODAY)
    # then the totals say "3+", the lists still show every row, and the manager's counts are capped alike
    assert (work.overdue_contacts_total, work.overdue_actions_total) == ("3+", "3+")
    assert (len(work.overdue_contacts), len(work.overdue_actions)) == (4, 4)
    assert [(row.rep.username, row.overdue_contacts, row.overdue_actions) for row in boss.team] == [
        ("rep1", "3+", "3+"),
        ("rep2", 1, 0),
        ("rep3", 0, 0),
    ]


def test_the_shown_overdue_contacts_are_the_earliest_then_by_name(world) -> None:
    # given three overdue contacts, two due on the same day (entered in the other order of their names)
    late = make_contact(world.account, name="孙经理")
    same_day_b = make_contact(world.account, name="B 王工")
    same_day_a = make_contact(world.account, name="A 李工")
    make_contact_plan(late, world.owner, 30, date(2026, 3, 10))
    make_contact_plan(same_day_b, world.owner, 30, date(2026, 2, 1))
    make_contact_plan(same_day_a, world.owner, 30, date(2026, 2, 1))
    # when rep1 looks on 20 March, then the earliest day comes first, and within it the names in order
    rows = my_work(user=world.owner, today=TODAY).overdue_contacts
    assert [(row.entry.contact.name, row.next_contact) for row in rows] == [
        ("A 李工", date(2026, 2, 1)),
        ("B 王工", date(2026, 2, 1)),
        ("孙经理", date(2026, 3, 10)),
    ]
