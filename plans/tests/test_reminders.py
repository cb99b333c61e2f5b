"""The daily reminders as digests (one per person, kind and day: "42 contacts overdue" with the
first few): what is due, in-app and by e-mail, never twice for the same person, kind and day
(run twice, run concurrently), `plan.overdue` for every thing counted, and a list that names no
account its reader no longer sees."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connections
from django.utils import translation

from accounts.models import Account, AccountTeamMember
from accounts.tests.factories import make_contact
from integrations.tests.factories import make_subscription
from integrations.webhooks.models import WebhookDelivery
from plans.models import Notification, ReminderOptOut
from plans.reminders import DIGEST_ITEMS, digest_summary, reminders_due, reminders_send
from plans.tests.factories import make_action, make_activity, make_contact_plan, make_plan

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 20)


def _overdue_world(world) -> dict:  # noqa: ANN001
    """One overdue contact and one overdue action of the owner, a submitted plan for the
    manager, and things that are not due (a contact met lately, a finished action)."""
    world.owner.email, world.manager.email = "rep1@example.com", "manager1@example.com"
    world.owner.save()
    world.manager.save()
    boss = make_contact(world.account, name="张总")
    fresh = make_contact(world.account, name="刘工", buying_role="user")
    make_activity(world.account, datetime(2026, 2, 1, 10, tzinfo=SHANGHAI), contacts=(boss,))
    make_activity(world.account, datetime(2026, 3, 15, 10, tzinfo=SHANGHAI), contacts=(fresh,))
    late_entry = make_contact_plan(boss, world.owner, 30, date(2026, 1, 1))  # due 3 March
    make_contact_plan(fresh, world.owner, 30, date(2026, 1, 1))  # due 14 April
    plan = make_plan(world.account, world.owner, status="submitted")
    late_action = make_action(plan, world.owner, date(2026, 3, 1), date(2026, 3, 19), action="送样")
    make_action(plan, world.owner, date(2026, 3, 1), date(2026, 3, 10), status="done")
    make_action(plan, world.owner, date(2026, 3, 1), date(2026, 3, 20))  # due today: not overdue yet
    return {"entry": late_entry, "plan": plan, "action": late_action}


def _digests(due) -> list[tuple]:  # noqa: ANN001
    return sorted((d.user_id, d.kind, d.count, [(i.text, i.url) for i in d.items]) for d in due)


@pytest.mark.django_db
def test_what_is_due_and_for_whom(world) -> None:
    made = _overdue_world(world)
    due = reminders_due(today=TODAY)
    plan = made["plan"].pk
    assert _digests(due) == sorted(
        [
            (world.owner.pk, "contact_overdue", 1,
             [("张总 · 华东精密机械 · 2026-03-03", f"/accounts/{world.account.pk}/#contact-plan")]),
            (world.owner.pk, "action_overdue", 1, [("送样 · 华东精密机械 · 2026-03-19", f"/plans/{plan}/#actions")]),
            (world.manager.pk, "plan_to_approve", 1, [("2026 · 华东精密机械", f"/plans/{plan}/")]),
        ]
    )  # fmt: skip
    assert {d.kind: d.summary for d in due if d.user_id == world.owner.pk} == {
        "contact_overdue": "1 contact overdue",
        "action_overdue": "1 action overdue",
    }
    assert {d.url for d in due if d.kind == "contact_overdue"} == {"/plans/reminders/contact_overdue/"}


def test_a_digest_reads_in_the_readers_language() -> None:
    # the headline is made when shown, so each reader gets their language and plural form
    assert digest_summary("contact_overdue", 42) == "42 contacts overdue"
    assert digest_summary("visit_overdue", 1) == "1 visit overdue: check in, move or skip it"
    with translation.override("zh-hans"):
        assert digest_summary("contact_overdue", 42) == "42 位联系人已逾期"
        assert digest_summary("plan_unsubmitted", 3) == "3 个重点客户尚无已提交的计划"


@pytest.mark.django_db
def test_a_digest_counts_every_thing_and_lists_the_most_pressing_first(world) -> None:
    # given seven overdue contacts of rep1's, due on 1 to 7 March (made in a shuffled order),
    # and one of rep4's
    days = [4, 1, 7, 2, 6, 3, 5]
    for day in days:
        contact = make_contact(world.account, name=f"联系人{day}")
        make_contact_plan(contact, world.owner, 30, date(2026, 3, day))
    make_contact_plan(make_contact(world.other_account, name="王经理"), world.other_rep, 30, date(2026, 3, 9))
    # when the digests are made
    due = {(d.user_id, d.kind): d for d in reminders_due(today=TODAY)}
    # then rep1's counts seven and lists the five most overdue, oldest first; rep4's is apart
    mine = due[(world.owner.pk, "contact_overdue")]
    assert (mine.count, mine.summary) == (7, "7 contacts overdue")
    assert [item.what for item in mine.items] == [f"联系人{day}" for day in range(1, DIGEST_ITEMS + 1)]
    assert [item.day for item in mine.items] == [date(2026, 3, day) for day in range(1, DIGEST_ITEMS + 1)]
    theirs = due[(world.other_rep.pk, "contact_overdue")]
    assert (theirs.count, [item.text for item in theirs.items]) == (1, ["王经理 · 北方重工 · 2026-03-09"])
    assert set(due) == {(world.owner.pk, "contact_overdue"), (world.other_rep.pk, "contact_overdue")}


@pytest.mark.django_db
def test_running_twice_sends_each_digest_once(world, receiver, django_capture_on_commit_callbacks) -> None:
    # given overdue work and a subscriber to plan.overdue
    made = _overdue_world(world)
    make_subscription(receiver.url, "plan.overdue")
    # when the job runs twice on the same day
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_send(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders_send(today=TODAY)
    # then the first sends three digests and two e-mails, the second nothing
    assert (first.due, first.sent, first.emails, first.things) == (3, 3, 2, 3)
    assert (second.due, second.sent, second.emails, second.things) == (3, 0, 0, 3)
    assert sorted(Notification.objects.values_list("user_id", "kind", "count")) == sorted(
        [(world.owner.pk, "contact_overdue", 1), (world.owner.pk, "action_overdue", 1),
         (world.manager.pk, "plan_to_approve", 1)]
    )  # fmt: skip
    assert sorted(m.to[0] for m in mail.outbox) == ["manager1@example.com", "rep1@example.com"]
    owner_mail = next(m for m in mail.outbox if m.to == ["rep1@example.com"])
    assert owner_mail.subject == "KAM: 2 reminder(s) for today"
    assert sorted(owner_mail.body.splitlines()) == sorted(
        ["- 1 contact overdue", "    张总 · 华东精密机械 · 2026-03-03", "- 1 action overdue",
         "    送样 · 华东精密机械 · 2026-03-19"]
    )  # fmt: skip
    # and plan.overdue went out once, naming every thing
    deliveries = WebhookDelivery.objects.filter(event="plan.overdue")
    assert deliveries.count() == 1
    payload = deliveries.get().payload
    assert (payload["day"], payload["total"]) == ("2026-03-20", 3)
    assert sorted((i["kind"], i["subject"], i["account"], i["external_id"], i["user"]) for i in payload["items"]) == [
        ("action_overdue", f"action:{made['action'].pk}", world.account.pk, "C-1", world.owner.pk),
        ("contact_overdue", f"contact-plan:{made['entry'].pk}", world.account.pk, "C-1", world.owner.pk),
        ("plan_to_approve", f"plan:{made['plan'].pk}", world.account.pk, "C-1", world.manager.pk),
    ]
    # and the next day they are reminded again, the action digest counting the one due on the 20th
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=date(2026, 3, 21)).sent == 3
    assert Notification.objects.get(kind="action_overdue", day=date(2026, 3, 21)).count == 2


@pytest.mark.django_db
def test_an_opted_out_person_gets_no_email_but_the_notification(world, django_capture_on_commit_callbacks) -> None:
    _overdue_world(world)
    ReminderOptOut.objects.create(user=world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        run = reminders_send(today=TODAY)
    assert (run.sent, run.emails) == (3, 1)
    assert [m.to for m in mail.outbox] == [["manager1@example.com"]]
    assert Notification.objects.filter(user=world.owner).count() == 2


@pytest.mark.django_db
def test_the_nav_shows_the_unread_count_and_marking_read_clears_it(client, world) -> None:
    _overdue_world(world)
    reminders_send(today=TODAY)
    client.force_login(world.owner)
    page = client.get("/plans/notifications/").content.decode()
    assert '<span class="badge text-bg-danger" id="unread-count">2</span>' in page
    assert '<a href="/plans/reminders/contact_overdue/" class="fw-semibold">1 contact overdue</a>' in page
    client.post("/plans/notifications/")
    assert 'id="unread-count"' not in client.get("/plans/notifications/").content.decode()
    client.post("/plans/notifications/settings/", {})  # the box unticked: no e-mail
    assert ReminderOptOut.objects.filter(user=world.owner).exists()
    client.post("/plans/notifications/settings/", {"email": "on"})
    assert not ReminderOptOut.objects.filter(user=world.owner).exists()


@pytest.mark.django_db
def test_the_list_names_no_account_handed_over_since(client, world) -> None:
    # given rep1's digests of the morning, naming 华东精密机械
    _overdue_world(world)
    reminders_send(today=TODAY, email=False)
    client.force_login(world.owner)
    assert "张总 · 华东精密机械" in client.get("/plans/notifications/").content.decode()
    # when the account is handed over to rep4 the same day (and rep1 leaves its account team)
    AccountTeamMember.objects.filter(account=world.account, user=world.owner).delete()
    Account.objects.filter(pk=world.account.pk).update(owner=world.other_rep)
    # then rep1's list keeps the counts but names neither the account nor its things
    page = client.get("/plans/notifications/").content.decode()
    assert "1 contact overdue" in page
    assert "1 action overdue" in page
    assert "华东精密机械" not in page
    assert "张总" not in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_digest_once(world) -> None:
    # given overdue work
    _overdue_world(world)
    runs, errors = [], []
    barrier = threading.Barrier(2)

    def work() -> None:
        try:
            barrier.wait()
            runs.append(reminders_send(today=TODAY))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    # when two workers run the job at the same moment
    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then between them every digest went out exactly once, in one e-mail
    assert errors == []
    assert sum(run.sent for run in runs) == 3
    assert Notification.objects.count() == 3
    headlines = sorted(line for m in mail.outbox for line in m.body.splitlines() if line.startswith("- "))
    assert headlines == ["- 1 action overdue", "- 1 contact overdue", "- 1 plan awaits your approval"]
    assert {m.to[0] for m in mail.outbox} == {"manager1@example.com", "rep1@example.com"}


@pytest.mark.django_db
def test_the_nav_counts_at_most_99_unread(client, world) -> None:
    # given 100 unread digests of rep1's (100 days of them)
    Notification.objects.bulk_create(
        Notification(user=world.owner, kind="contact_overdue", day=TODAY - timedelta(days=i), count=1)
        for i in range(100)
    )
    client.force_login(world.owner)
    # then the badge says 99+, and with one read, 99
    assert (
        '<span class="badge text-bg-danger" id="unread-count">99+</span>'
        in client.get("/plans/my-work/").content.decode()
    )
    Notification.objects.filter(pk=Notification.objects.order_by("pk").first().pk).update(
        read_at=datetime.now(SHANGHAI)
    )
    assert (
        '<span class="badge text-bg-danger" id="unread-count">99</span>'
        in client.get("/plans/my-work/").content.decode()
    )
