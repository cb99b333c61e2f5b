"""The daily reminders: what is due, in-app and by e-mail, never twice for the same thing on
the same day (run twice, run concurrently), and `plan.overdue` for what went out."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connections

from accounts.tests.factories import make_contact
from integrations.tests.factories import make_subscription
from integrations.webhooks.models import WebhookDelivery
from plans.models import Notification, ReminderOptOut
from plans.reminders import reminders_due, reminders_send
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


@pytest.mark.django_db
def test_what_is_due_and_for_whom(world) -> None:
    made = _overdue_world(world)
    due = reminders_due(today=TODAY)
    assert sorted((r.user_id, r.kind, r.subject) for r in due) == sorted(
        [
            (world.owner.pk, "contact_overdue", f"contact-plan:{made['entry'].pk}"),
            (world.owner.pk, "action_overdue", f"action:{made['action'].pk}"),
            (world.manager.pk, "plan_to_approve", f"plan:{made['plan'].pk}"),
        ]
    )
    [contact] = [r for r in due if r.kind == "contact_overdue"]
    assert contact.message == "Contact 张总 at 华东精密机械: due 2026-03-03."


@pytest.mark.django_db
def test_running_twice_sends_each_reminder_once(world, receiver, django_capture_on_commit_callbacks) -> None:
    # given overdue work and a subscriber to plan.overdue
    _overdue_world(world)
    make_subscription(receiver.url, "plan.overdue")
    # when the job runs twice on the same day
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_send(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders_send(today=TODAY)
    # then the first sends three notifications and two e-mails, the second nothing
    assert (first.due, first.sent, first.emails) == (3, 3, 2)
    assert (second.due, second.sent, second.emails) == (3, 0, 0)
    assert Notification.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["manager1@example.com", "rep1@example.com"]
    owner_mail = next(m for m in mail.outbox if m.to == ["rep1@example.com"])
    assert owner_mail.subject == "KAM: 2 reminder(s) for today"
    deliveries = WebhookDelivery.objects.filter(event="plan.overdue")
    assert deliveries.count() == 1
    assert (deliveries.get().payload["day"], deliveries.get().payload["total"]) == ("2026-03-20", 3)
    # and the next day they are reminded again, with the action that was due on the 20th
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=date(2026, 3, 21)).sent == 4


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
    client.post("/plans/notifications/")
    assert 'id="unread-count"' not in client.get("/plans/notifications/").content.decode()
    client.post("/plans/notifications/settings/", {})  # the box unticked: no e-mail
    assert ReminderOptOut.objects.filter(user=world.owner).exists()
    client.post("/plans/notifications/settings/", {"email": "on"})
    assert not ReminderOptOut.objects.filter(user=world.owner).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(world) -> None:
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
    # then between them every reminder went out exactly once, and e-mails once per person
    assert errors == []
    assert sum(run.sent for run in runs) == 3
    assert Notification.objects.count() == 3
    lines = sorted(line for m in mail.outbox for line in m.body.splitlines())
    assert len(lines) == 3  # each reminder in exactly one e-mail
    assert {m.to[0] for m in mail.outbox} == {"manager1@example.com", "rep1@example.com"}


@pytest.mark.django_db
def test_the_nav_counts_at_most_99_unread(client, world) -> None:
    # given 100 unread reminders of rep1's (a day's contact plan at size can be thousands)
    Notification.objects.bulk_create(
        Notification(user=world.owner, account=world.account, kind="contact_overdue", subject=f"contact-plan:{i}",
                     day=TODAY, message="…", url="/")
        for i in range(100)
    )  # fmt: skip
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
