"""The contact rhythm (plans.domain.contacts) as query expressions, so a filter on "overdue" or
"due this week" runs in the database instead of in Python over every contact-plan row.

`plans.domain.contacts.next_contact_day` stays the definition; plans/tests/test_expressions.py
checks that the SQL agrees with it on PostgreSQL and SQLite. The last contact is the contact's
`last_contacted_on` (the local day of their latest activity, kept by
plans.services.contacts_last_contacted_refresh).
"""

from __future__ import annotations

from typing import Any

from django.db.models import DateField, F, Func
from django.db.models.functions import Coalesce, Greatest


class AddDays(Func):
    """`day + days` as a date (day: a date expression, days: an integer expression); NULL
    when `day` is NULL. PostgreSQL adds an integer to a date natively; SQLite via date()."""

    arity = 2
    output_field = DateField()
    template = "(%(expressions)s)"
    arg_joiner = " + "

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list]:
        return self.as_sql(
            compiler, connection, template="date(%(expressions)s || ' days')", arg_joiner=", '+' || ", **extra_context
        )


def next_contact_expression(prefix: str = "") -> Greatest:
    """The next contact day of a contact-plan entry (`prefix` is the path from the queried
    model to ContactPlanEntry, e.g. "" or "entry__"): `interval_days` after the contact's last
    contact, never before `starts_on`, `starts_on` when nobody was in touch yet
    (= plans.domain.contacts.next_contact_day). A DateField, never NULL."""
    starts_on = F(f"{prefix}starts_on")
    after_last = AddDays(F(f"{prefix}contact__last_contacted_on"), F(f"{prefix}interval_days"))
    return Greatest(Coalesce(after_last, starts_on), starts_on, output_field=DateField())
