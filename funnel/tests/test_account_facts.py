"""The account facts (funnel/facts_sql.py, migration funnel/0006) hold, after any sequence of
writes to orders, receivables, invoices, scores and accounts (and the access table's own
steps), what the account funnel's live query aggregates from those rows; the account funnel
read from them equals the live one, and the tier charts probing the covering index
(tiering/0007) equal the ORM's, for every person, scope and quarter."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Invoice, Order, Payment, Team, User
from accounts.tests.test_account_access import ROLES, apply, index, people_and_accounts, pick
from accounts.tests.test_account_access import steps as access_steps
from funnel import selectors_accounts
from funnel.domain.quarters import Quarter
from funnel.selectors import Scope
from funnel.tests.factories import make_scored_run
from funnel.tests.rollup_checks import every_scope, rows
from tiering.models import AccountScore

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the account facts and triggers are PostgreSQL's"),
]

PEOPLE, ACCOUNTS = 6, 6
TODAY = date(2026, 11, 20)
QUARTERS = (Quarter(2026, 3), Quarter(2026, 4), Quarter(2026, 2, start_month=2))  # ended, running, fiscal
# Days around the quarters' edges, where a day more or less changes a stage.
DAYS = [date(2026, m, d) for m in (3, 4, 6, 7, 9, 10, 11) for d in (1, 30)] + [date(2026, 6, 29), date(2026, 10, 31)]
day = st.sampled_from(DAYS)
amount = st.sampled_from(["-50.00", "0.00", "120.00", "999.99"])
CATEGORIES = ["key", "normal", "possible", "unattractive", ""]

facts_steps = st.one_of(
    st.tuples(st.just("order"), index, day, amount, st.sampled_from(Order.Status.values)),
    st.tuples(st.just("orders"), index, day, st.integers(1, 3)),  # a bulk insert: one statement
    st.tuples(st.just("edit_order"), index, st.none() | day, st.none() | amount, st.none() | index),  # one UPDATE
    st.tuples(st.just("cancel_orders"), index),  # an UPDATE of several orders
    st.tuples(st.just("drop_order"), index),
    st.tuples(st.just("invoice"), index, day, st.none() | index),
    st.tuples(st.just("reissue"), index, day),
    st.tuples(st.just("drop_invoice"), index),
    st.tuples(st.just("payment"), index, day, st.none() | day, st.none() | index, st.none() | index),
    st.tuples(st.just("pay"), index, st.none() | day),
    st.tuples(st.just("pay_all"), index, day),  # an UPDATE of an account's receivables
    st.tuples(st.just("move_payment"), index, index),
    st.tuples(st.just("drop_payment"), index),
    st.tuples(st.just("run"), day, st.lists(st.sampled_from(CATEGORIES), min_size=ACCOUNTS, max_size=ACCOUNTS)),
    st.tuples(st.just("retier"), index, st.sampled_from(["A1", "B2", "C6"])),  # a pin rewrites a run's score
    st.tuples(st.just("category"), index, st.sampled_from(CATEGORIES)),
)
FACTS_KINDS = {
    "order", "orders", "edit_order", "cancel_orders", "drop_order", "invoice", "reissue", "drop_invoice",
    "payment", "pay", "pay_all", "move_payment", "drop_payment", "run", "retier", "category",
}  # fmt: skip


def apply_facts(step: tuple) -> None:  # noqa: C901, PLR0912 - one branch per kind of write
    """One write to orders, invoices, receivables or scores, as the services, bulk paths or SQL would."""
    kind, *args = step
    accounts = list(Account.objects.order_by("pk"))
    orders = list(Order.objects.order_by("pk"))
    invoices = list(Invoice.objects.order_by("pk"))
    payments = list(Payment.objects.order_by("pk"))
    if not accounts:
        return
    if kind == "order":
        account = pick(accounts, args[0])
        Order.objects.create(account=account, ordered_at=args[1], amount=Decimal(args[2]), status=args[3])
    elif kind == "orders":
        Order.objects.bulk_create(
            Order(account=pick(accounts, args[0] + i), ordered_at=args[1] + timedelta(days=i), amount=Decimal(10 + i))
            for i in range(args[2])
        )
    elif kind == "edit_order" and orders:
        changes = {
            "ordered_at": args[1],
            "amount": None if args[2] is None else Decimal(args[2]),
            "account": pick(accounts, args[3]),
        }
        Order.objects.filter(pk=pick(orders, args[0]).pk).update(
            status=Order.Status.OPEN, **{k: v for k, v in changes.items() if v is not None}
        )
    elif kind == "cancel_orders":
        Order.objects.filter(account=pick(accounts, args[0])).update(status=Order.Status.CANCELLED)
    elif kind == "drop_order" and orders:
        pick(orders, args[0]).delete()
    elif kind == "invoice":
        order = pick(orders, args[2])
        Invoice.objects.create(
            account=pick(accounts, args[0]), order=order, issued_on=args[1], due_on=args[1], amount=Decimal(1)
        )
    elif kind == "reissue" and invoices:
        Invoice.objects.filter(pk=pick(invoices, args[0]).pk).update(issued_on=args[1])
    elif kind == "drop_invoice" and invoices:
        pick(invoices, args[0]).delete()
    elif kind == "payment":
        Payment.objects.create(
            account=pick(accounts, args[0]),
            amount=Decimal(5),
            due_on=args[1],
            paid_on=args[2],
            order=pick(orders, args[3]),
            invoice=pick(invoices, args[4]),
        )
    elif kind == "pay" and payments:
        Payment.objects.filter(pk=pick(payments, args[0]).pk).update(paid_on=args[1])
    elif kind == "pay_all":
        Payment.objects.filter(account=pick(accounts, args[0])).update(paid_on=args[1])
    elif kind == "move_payment" and payments:
        Payment.objects.filter(pk=pick(payments, args[0]).pk).update(account=pick(accounts, args[1]))
    elif kind == "drop_payment" and payments:
        pick(payments, args[0]).delete()
    elif kind == "run":
        tiers = ["A1", "A4", "B3", "C6"]
        make_scored_run(
            args[0],
            {a: {"category": c, "tier": tiers[i % 4], "monetary": f"{i}.50"}
             for i, (a, c) in enumerate(zip(accounts, args[1], strict=False)) if c},
        )  # fmt: skip
    elif kind == "retier":
        AccountScore.objects.filter(account=pick(accounts, args[0]), is_group=False).update(tier=args[1])
    elif kind == "category":
        Account.objects.filter(pk=pick(accounts, args[0]).pk).update(category=args[1])


# Every account's facts as the live query aggregates them, and on each probe day whether a
# receivable is open (the live query's test), against the kept rows.
EXPECTED = """
    SELECT acc.id,
           (SELECT min(ordered_at) FROM accounts_order o
             WHERE o.account_id = acc.id AND o.amount > 0 AND o.status <> 'cancelled'),
           (SELECT min(paid_on) FROM accounts_payment p WHERE p.account_id = acc.id AND p.paid_on IS NOT NULL),
           (SELECT count(*) FROM accounts_payment p WHERE p.account_id = acc.id AND p.paid_on IS NULL),
           d.day,
           EXISTS (SELECT 1 FROM accounts_payment p
                   LEFT JOIN accounts_order o ON o.id = p.order_id
                   LEFT JOIN accounts_invoice i ON i.id = p.invoice_id
                   WHERE p.account_id = acc.id AND (p.paid_on IS NULL OR p.paid_on > d.day)
                     AND COALESCE(o.ordered_at, i.issued_on, p.due_on) <= d.day)
    FROM accounts_account acc CROSS JOIN unnest(%s::date[]) AS d (day)
"""
KEPT = """
    SELECT acc.id, f.first_purchase, f.first_paid, COALESCE(f.unpaid, 0), d.day,
           COALESCE(f.open_days @> d.day, false)
    FROM accounts_account acc LEFT JOIN funnel_accountfacts f ON f.account_id = acc.id
    CROSS JOIN unnest(%s::date[]) AS d (day)
"""


def assert_facts_exact(step: object) -> None:
    probes = [d + timedelta(days=k) for d in DAYS for k in (-1, 0, 1)]
    assert rows(KEPT, [probes]) == rows(EXPECTED, [probes]), step
    # no row of an account that is gone
    assert rows("SELECT account_id FROM funnel_accountfacts EXCEPT SELECT id FROM accounts_account") == set(), step


def funnel_both_ways(user: User, scope: Scope, quarter: Quarter) -> tuple:
    """(from the facts, live) of the account funnel; (index-probing SQL, ORM) of the tier charts."""
    found = []
    for fast in (True, False):
        with (
            mock.patch.object(selectors_accounts, "facts_apply", return_value=fast),
            mock.patch.object(selectors_accounts, "scores_covered", return_value=fast),
        ):
            found.append(
                (
                    selectors_accounts.account_funnel(user=user, scope=scope, quarter=quarter, today=TODAY),
                    selectors_accounts.tiering_charts(user=user, scope=scope, quarter=quarter, today=TODAY),
                )
            )
    return tuple(found)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    roles=st.lists(st.sampled_from(ROLES), min_size=PEOPLE, max_size=PEOPLE),
    owners=st.lists(st.integers(0, PEOPLE - 1), min_size=ACCOUNTS, max_size=ACCOUNTS),
    sequence=st.lists(st.one_of(access_steps, facts_steps, facts_steps, facts_steps), min_size=1, max_size=30),
)
def test_the_facts_equal_the_orders_and_receivables_after_any_writes(roles: list, owners: list, sequence: list) -> None:
    with transaction.atomic():
        # given people in teams, accounts each with an order and a receivable, and a run
        _, accounts = people_and_accounts(roles, owners)
        for i in range(len(accounts)):
            apply_facts(("order", i, DAYS[i], "120.00", Order.Status.FULFILLED))
            apply_facts(("payment", i, DAYS[i + 2], DAYS[i + 4] if i % 2 else None, i, None))
        apply_facts(("run", date(2026, 3, 30), ["key", "normal", "possible", "unattractive", "", "key"]))
        apply_facts(("run", date(2026, 8, 30), ["normal", "normal", "key", "", "possible", "key"]))
        assert_facts_exact("start")
        # when the writes run, then after each one the facts are the rows' aggregates
        for step in sequence:
            (apply_facts if step[0] in FACTS_KINDS else apply)(step)
            assert_facts_exact(step)
        # and the account funnel read from them is the live one for everyone, every scope and quarter
        scopes = every_scope()
        for user in User.objects.all():
            for scope in scopes:
                for quarter in QUARTERS:
                    from_facts, live = funnel_both_ways(user, scope, quarter)
                    assert from_facts == live, (user.username, user.role, scope, quarter)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_truncate_recomputes_the_facts() -> None:
    """A TRUNCATE of one of the tables (a test flush, a reload) leaves the facts of what remains."""
    team = Team.objects.create(name="T")
    rep = User.objects.create(username="r", role="rep", team=team)
    account = Account.objects.create(name="A", owner=rep)
    order = Order.objects.create(account=account, ordered_at=date(2026, 5, 1), amount=Decimal(10))
    Payment.objects.create(account=account, amount=Decimal(10), due_on=date(2026, 6, 1), order=order)
    assert rows("SELECT first_purchase, unpaid FROM funnel_accountfacts") == {(date(2026, 5, 1), 1)}
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred key checks pending
        cursor.execute("TRUNCATE accounts_payment")
    assert_facts_exact("truncate")
    assert rows("SELECT first_purchase, unpaid FROM funnel_accountfacts") == {(date(2026, 5, 1), 0)}


@pytest.mark.django_db
def test_the_seed_fills_the_facts_as_the_triggers_would() -> None:
    """seed_demo loads orders and receivables with the facts' triggers off and fills them once;
    afterwards they equal the rows' aggregates and the triggers are on again."""
    from django.core.management import call_command

    from funnel import facts_sql

    call_command("seed_demo", accounts=40, orders=400, opportunities=50, seed=3, as_of=TODAY, reset=True, verbosity=0)
    assert Payment.objects.exists()
    assert rows("SELECT count(*) FROM funnel_accountfacts WHERE first_purchase IS NOT NULL") != {(0,)}
    assert_facts_exact("seed")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'funnel_facts_%%' AND tgenabled = 'O'")
        enabled = {name for (name,) in cursor.fetchall()}
    assert {name for names in facts_sql.TRIGGERS.values() for name in names} <= enabled
