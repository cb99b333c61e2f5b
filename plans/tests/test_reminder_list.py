"""A digest lists its first few things and leads to a page that lists them all (every kind,
the digest's order, in pages, only on accounts the reader sees): "my work" cuts its lists at
MY_WORK_ROWS and lists neither key accounts without a submitted plan nor plans due a review,
so it cannot be where a digest's headline points."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Account, AccountTeamMember
from accounts.tests.factories import make_contact
from plans.models import Notification
from plans.reminders import DIGEST_ITEMS, REMINDER_LIST_PAGE, due_things, list_url, reminders_due, reminders_send
from plans.tests import test_reminders, test_reminders_visits_plans
from plans.tests.factories import make_contact_plan, make_plan, make_proposal

FIRST_KINDS = {"contact_overdue", "action_overdue", "plan_to_approve", "proposal_to_approve", "plan_returned"}
FIRST_KINDS |= {"proposal_returned"}


def _every_thing(kind: str, user, today) -> list:  # noqa: ANN001
    """All of a kind for `user`, page after page of the list, as the page reads them."""
    things = due_things(kind=kind, user=user, today=today)
    return [item for start in range(0, things.count(), 3) for item in things[start : start + 3]]


def _check_each_digest_lists_the_same_things_in_full(world, today) -> set[str]:  # noqa: ANN001
    people = {person.pk: person for person in (world.owner, world.other_rep, world.manager, world.other_manager)}
    digests = reminders_due(today=today)
    for digest in digests:
        things = _every_thing(digest.kind, people[digest.user_id], today)
        # the same count, the digest's items first and in its order, each thing once
        assert len(things) == digest.count, digest
        assert things[:DIGEST_ITEMS] == list(digest.items), digest
        assert len({(item.url, item.text) for item in things}) == len(things), digest
        assert digest.url == f"/plans/reminders/{digest.kind}/"
    return {digest.kind for digest in digests}


@pytest.mark.django_db
def test_every_kind_of_digest_leads_to_all_of_its_things(world) -> None:
    # given one world with things of every kind due (some kinds with more than a digest lists)
    test_reminders._overdue_world(world)
    for day in range(1, 9):
        make_contact_plan(
            make_contact(world.account, name=f"联系人{day}"), world.owner, 30, test_reminders.TODAY.replace(day=day)
        )
    make_plan(world.account, world.owner, period="2025", status="returned")
    make_proposal(world.account, world.owner, status="submitted")
    make_proposal(world.account, world.owner, status="returned")
    # when each digest of the day is compared with its list, then they agree, kind by kind
    kinds = _check_each_digest_lists_the_same_things_in_full(world, test_reminders.TODAY)
    assert kinds == FIRST_KINDS


@pytest.mark.django_db
def test_visits_unsubmitted_and_unreviewed_plans_lead_to_all_of_theirs(world) -> None:
    test_reminders_visits_plans._world(world)
    kinds = _check_each_digest_lists_the_same_things_in_full(world, test_reminders_visits_plans.TODAY)
    assert kinds >= {"visit_overdue", "plan_unsubmitted", "plan_unreviewed"}
    # together with the test above: every kind there is
    assert kinds | FIRST_KINDS == set(Notification.Kind.values)


@pytest.mark.django_db
def test_the_list_pages_through_every_overdue_contact(client, world) -> None:
    # given 120 overdue contacts of rep1's (due 1 to 120 days ago) and one of rep4's
    today = timezone.localdate()
    start = today - timedelta(days=150)
    for n in range(120):
        contact = make_contact(world.account, name=f"联系人{n:03d}")
        make_contact_plan(contact, world.owner, 30, start + timedelta(days=n))
    make_contact_plan(make_contact(world.other_account, name="王经理"), world.other_rep, 30, start)
    client.force_login(world.owner)
    # when rep1 reads the list page after page
    seen = []
    for number in (1, 2, 3):
        page = client.get(f"{list_url('contact_overdue')}?page={number}").content.decode()
        assert '<h1 class="h4 mb-0 me-auto" id="reminder-summary">120 contacts overdue</h1>' in page
        seen += [f"联系人{n:03d}" for n in range(120) if f"联系人{n:03d} · " in page]
    # then every one once, the most overdue first, 50 a page; nobody else's
    assert seen == [f"联系人{n:03d}" for n in range(120)]
    assert REMINDER_LIST_PAGE == 50
    assert "王经理" not in page
    assert page.count('<li class="list-group-item small">') == 20
    assert client.get(list_url("contact_overdue") + "?page=99").status_code == 200  # the last page
    assert client.get("/plans/reminders/no_such_kind/").status_code == 404


@pytest.mark.django_db
def test_the_headline_of_a_notification_leads_to_the_list(client, world) -> None:
    test_reminders._overdue_world(world)
    reminders_send(today=test_reminders.TODAY, email=False)
    client.force_login(world.owner)
    page = client.get("/plans/notifications/").content.decode()
    assert '<a href="/plans/reminders/contact_overdue/" class="fw-semibold">1 contact overdue</a>' in page


@pytest.mark.django_db
def test_the_list_names_no_account_handed_over_since(world) -> None:
    # given rep1's overdue contact on 华东精密机械
    test_reminders._overdue_world(world)
    today = test_reminders.TODAY
    assert [item.account for item in _every_thing("contact_overdue", world.owner, today)] == ["华东精密机械"]
    # when the account is handed over to rep4 (and rep1 leaves its account team)
    AccountTeamMember.objects.filter(account=world.account, user=world.owner).delete()
    Account.objects.filter(pk=world.account.pk).update(owner=world.other_rep)
    # then rep1's list no longer names it
    assert _every_thing("contact_overdue", world.owner, today) == []
    assert due_things(kind="contact_overdue", user=world.owner, today=today).count() == 0
