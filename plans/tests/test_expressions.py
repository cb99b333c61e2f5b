"""The contact rhythm in SQL (plans.expressions) agrees with its definition in Python
(plans.domain.contacts.next_contact_day, is_overdue) on any rows, and the reminders and
"my work" pick the overdue contacts the domain would."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Contact
from plans.domain.contacts import is_overdue, next_contact_day
from plans.expressions import next_contact_expression
from plans.models import ContactPlanEntry
from plans.reminders import due_rows, reminders_due

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 20)

_rows = st.lists(
    st.tuples(
        st.none() | st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),  # last contact
        st.integers(min_value=1, max_value=400),  # interval, days
        st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),  # plan start
    ),
    min_size=1,
    max_size=12,
)


def _store(world, rows: list[tuple[date | None, int, date]]) -> list[ContactPlanEntry]:  # noqa: ANN001
    ContactPlanEntry.objects.all().delete()
    Contact.objects.all().delete()
    contacts = Contact.objects.bulk_create(
        Contact(account=world.account, name=f"联系人{i}", last_contacted_on=last) for i, (last, _, _) in enumerate(rows)
    )
    return ContactPlanEntry.objects.bulk_create(
        ContactPlanEntry(account=world.account, contact=contact, owner=world.owner, interval_days=interval, starts_on=s)
        for contact, (_, interval, s) in zip(contacts, rows, strict=True)
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows, today=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)))
def test_the_database_computes_the_domains_next_contact_day_and_overdue_set(world, rows, today) -> None:  # noqa: ANN001
    # given any contact-plan rows
    entries = _store(world, rows)
    # then the SQL next contact day is the pure function's, row by row
    expected = {
        entry.pk: next_contact_day(last_contact=last, interval_days=interval, starts_on=starts)
        for entry, (last, interval, starts) in zip(entries, rows, strict=True)
    }
    annotated = ContactPlanEntry.objects.annotate(next_contact=next_contact_expression())
    assert dict(annotated.values_list("pk", "next_contact")) == expected
    # and so is the overdue set the reminders pick
    overdue = {pk for pk, due in expected.items() if is_overdue(due=due, today=today)}
    reminded = set(due_rows(kind="contact_overdue", today=today).values_list("pk", flat=True))
    assert reminded == overdue
    assert sum(d.count for d in reminders_due(today=today) if d.kind == "contact_overdue") == len(overdue)


def test_edges_of_the_rule_in_sql(world) -> None:
    # given a contact met on the 6th every 14 days (due the 20th), one never met from the 1st,
    # one met long ago whose plan starts later (due at the start), across a month's end
    rows = [
        (date(2026, 3, 6), 14, date(2026, 1, 1)),
        (None, 30, date(2026, 3, 1)),
        (date(2025, 1, 1), 14, date(2026, 3, 25)),
        (date(2026, 2, 20), 10, date(2026, 1, 1)),
    ]
    entries = _store(world, rows)
    annotated = dict(ContactPlanEntry.objects.annotate(n=next_contact_expression()).values_list("pk", "n"))
    assert [annotated[e.pk] for e in entries] == [
        date(2026, 3, 20),
        date(2026, 3, 1),
        date(2026, 3, 25),
        date(2026, 3, 2),
    ]
    # then on the 20th the first is due today (not overdue), the second and fourth are overdue
    overdue = due_rows(kind="contact_overdue", today=TODAY)
    assert sorted(overdue.values_list("pk", flat=True)) == sorted(entries[i].pk for i in (1, 3))
    # and the digest lists them most overdue first, each linking to the account's contact plan
    [digest] = [d for d in reminders_due(today=TODAY) if d.kind == "contact_overdue"]
    assert [item.day for item in digest.items] == [date(2026, 3, 1), date(2026, 3, 2)]
    assert {item.url for item in digest.items} == {f"/accounts/{world.account.pk}/#contact-plan"}
    # and the next day the first is overdue too
    tomorrow = due_rows(kind="contact_overdue", today=TODAY + timedelta(days=1)).values_list("pk", flat=True)
    assert entries[0].pk in set(tomorrow)
