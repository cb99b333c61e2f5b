"""The stored next contact day (`ContactPlanEntry.next_contact_on`, kept by the triggers of
migration plans/0015 on PostgreSQL and SQLite) stays equal to the rule
(plans.domain.contacts.next_contact_day; NULL for a contact who left), whatever sequence of
writes reaches it: entries added (one, in bulk), edited (service, bulk UPDATE, a stale `save()`,
raw SQL), removed; activities logged, moved and deleted; last contacted days written directly
(as bulk paths do); contacts leaving and coming back; and two transactions at once."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Contact, User
from plans import services
from plans.domain.contacts import next_contact_day
from plans.models import Activity, ContactPlanEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONTACTS = 4

index = st.integers(0, 99)  # taken modulo the rows that exist when the step runs
day = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 1))
interval = st.integers(min_value=1, max_value=366)
steps = st.one_of(
    st.tuples(st.just("add"), index, index, interval, day),
    st.tuples(st.just("add_all"), index, interval, day),
    st.tuples(st.just("edit"), index, interval, day),
    st.tuples(st.just("edit_all"), index, interval),
    st.tuples(st.just("stale_save"), index, st.none() | day),
    st.tuples(st.just("raw"), index),
    st.tuples(st.just("remove"), index),
    st.tuples(st.just("log"), index, day, st.integers(0, 23)),
    st.tuples(st.just("move_activity"), index, day),
    st.tuples(st.just("unlog"), index),
    st.tuples(st.just("last_contacted"), index, st.none() | day),
    st.tuples(st.just("last_contacted_all"), st.none() | day),
    st.tuples(st.just("leave"), index),
    st.tuples(st.just("come_back"), index),
)


def pick(rows: list, i: int):  # noqa: ANN201 - a row of any model
    return rows[i % len(rows)] if rows else None


def apply(step: tuple, account: Account, people: list[User]) -> None:
    """One write, as the services, the admin, the bulk paths and raw SQL write."""
    contacts = list(Contact.objects.filter(account=account).order_by("pk"))
    entries = list(ContactPlanEntry.objects.order_by("pk"))
    activities = list(Activity.objects.order_by("pk"))
    kind, *args = step
    if kind == "add":
        with contextlib.suppress(ValidationError):  # kept already, or the contact left
            services.contact_plan_add(
                contact=pick(contacts, args[0]), owner=pick(people, args[1]), interval_days=args[2], starts_on=args[3]
            )
    elif kind == "add_all":  # one INSERT of many rows
        owner = pick(people, args[0])
        taken = set(ContactPlanEntry.objects.filter(owner=owner).values_list("contact_id", flat=True))
        ContactPlanEntry.objects.bulk_create(
            ContactPlanEntry(account=account, contact=c, owner=owner, interval_days=args[1], starts_on=args[2])
            for c in contacts
            if c.pk not in taken
        )
    elif kind == "edit" and entries:
        services.contact_plan_update(
            entry=pick(entries, args[0]), data={"interval_days": args[1], "starts_on": args[2]}
        )
    elif kind == "edit_all":  # one UPDATE of many rows
        ContactPlanEntry.objects.filter(owner=pick(people, args[0])).update(interval_days=args[1])
    elif kind == "stale_save" and entries:  # read, the contact changes meanwhile, saved back
        entry = pick(entries, args[0])
        Contact.objects.filter(pk=entry.contact_id).update(last_contacted_on=args[1])
        entry.save()
    elif kind == "raw" and entries:  # someone writes the column itself
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE plans_contactplanentry SET next_contact_on = %s WHERE id = %s",
                [date(2000, 1, 1), pick(entries, args[0]).pk],
            )
    elif kind == "remove" and entries:
        services.contact_plan_remove(entry=pick(entries, args[0]))
    elif kind == "log":
        when = datetime(args[1].year, args[1].month, args[1].day, args[2], tzinfo=SHANGHAI)
        services.activity_create(
            account=account, data={"type": "call", "occurred_at": when}, contacts=[pick(contacts, args[0])]
        )
    elif kind == "move_activity" and activities:
        when = datetime(args[1].year, args[1].month, args[1].day, 9, tzinfo=SHANGHAI)
        services.activity_update(activity=pick(activities, args[0]), data={"occurred_at": when})
    elif kind == "unlog" and activities:
        services.activity_delete(activity=pick(activities, args[0]))
    elif kind == "last_contacted":  # the bulk contacts API writes the day itself
        Contact.objects.filter(pk=pick(contacts, args[0]).pk).update(last_contacted_on=args[1])
    elif kind == "last_contacted_all":
        Contact.objects.filter(account=account).update(last_contacted_on=args[0])
    elif kind == "leave":
        contact = pick(contacts, args[0])
        if contact.is_active:
            services.contact_mark_left(contact=contact)
    elif kind == "come_back":
        Contact.objects.filter(pk=pick(contacts, args[0]).pk).update(is_active=True)


def stored() -> dict[int, date | None]:
    return dict(ContactPlanEntry.objects.values_list("pk", "next_contact_on"))


def from_the_rule() -> dict[int, date | None]:
    """Each entry's next contact day by the domain's function; None for a contact who left."""
    return {
        entry.pk: next_contact_day(
            last_contact=entry.contact.last_contacted_on, interval_days=entry.interval_days, starts_on=entry.starts_on
        )
        if entry.contact.is_active
        else None
        for entry in ContactPlanEntry.objects.select_related("contact")
    }


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.lists(st.tuples(st.integers(0, 1), interval, day, st.none() | day), min_size=1, max_size=CONTACTS),
    sequence=st.lists(steps, min_size=1, max_size=20),
)
def test_the_stored_next_contact_day_equals_the_rule_after_any_writes(world, plan: list, sequence: list) -> None:  # noqa: ANN001
    with transaction.atomic():
        # given contacts (some met already) in the contact plans of two reps
        people = [world.owner, world.teammate]
        for i, (who, every, starts, met) in enumerate(plan):
            contact = Contact.objects.create(account=world.account, name=f"联系人{i}", last_contacted_on=met)
            services.contact_plan_add(contact=contact, owner=people[who], interval_days=every, starts_on=starts)
        for i in range(len(plan), CONTACTS):
            Contact.objects.create(account=world.account, name=f"联系人{i}")
        assert stored() == from_the_rule()
        # when the writes run, then after each one the stored day is the rule's
        for step in sequence:
            apply(step, world.account, people)
            assert stored() == from_the_rule(), step
        transaction.set_rollback(True)


def test_an_activity_moves_the_stored_day_and_a_contact_who_left_has_none(world) -> None:
    # given a contact in the contact plan every 14 days from 1 January, never met
    contact = Contact.objects.create(account=world.account, name="张总")
    entry = services.contact_plan_add(contact=contact, owner=world.owner, interval_days=14, starts_on=date(2026, 1, 1))
    assert ContactPlanEntry.objects.get(pk=entry.pk).next_contact_on == date(2026, 1, 1)
    # when a call is logged at 23:30 Shanghai time on 3 March (15:30 UTC)
    services.activity_create(
        account=world.account,
        data={"type": "call", "occurred_at": datetime(2026, 3, 3, 23, 30, tzinfo=SHANGHAI)},
        contacts=[contact],
    )
    # then the next contact is 14 local days later
    assert ContactPlanEntry.objects.get(pk=entry.pk).next_contact_on == date(2026, 3, 17)
    # and once the contact has left, there is none
    services.contact_mark_left(contact=Contact.objects.get(pk=contact.pk))
    assert ContactPlanEntry.objects.get(pk=entry.pk).next_contact_on is None


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["entry", "contact"])
def test_two_concurrent_writers_leave_the_stored_day_equal_to_the_rule(first: str) -> None:
    # given a contact last met on 1 March, with no entry yet
    owner = User.objects.create(username="owner", role="rep")
    account = Account.objects.create(name="A", owner=owner)
    contact = Contact.objects.create(account=account, name="张总", last_contacted_on=date(2026, 3, 1))
    failures: list[BaseException] = []

    def add_entry() -> None:
        ContactPlanEntry.objects.create(
            account=account, contact=contact, owner=owner, interval_days=14, starts_on=date(2026, 1, 1)
        )

    def meet_again() -> None:
        Contact.objects.filter(pk=contact.pk).update(last_contacted_on=date(2026, 3, 10))

    def in_thread(write) -> None:  # noqa: ANN001
        try:
            write()
        except BaseException as error:  # reported to the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    # when one transaction writes and, before it commits, another writes the other side
    mine, theirs = (add_entry, meet_again) if first == "entry" else (meet_again, add_entry)
    with transaction.atomic():
        mine()
        other = threading.Thread(target=in_thread, args=(theirs,))
        other.start()
        time.sleep(0.5)  # the other transaction is now waiting on the contact's row
    other.join(timeout=30)
    # then both happened, and the stored day follows the later contact
    assert not failures
    assert not other.is_alive()
    assert list(ContactPlanEntry.objects.values_list("next_contact_on", flat=True)) == [
        date(2026, 3, 10) + timedelta(days=14)
    ]
