"""The stored last visit (`LastVisit`, kept by the triggers of migration plans/0017 on PostgreSQL
and SQLite) stays equal to each account's latest activity of type visit, with no row for an
account without one, whatever sequence of writes reaches the activities: logged (one, in bulk),
retyped, moved in time or to another account (service, bulk UPDATE, raw SQL), deleted (one, in
bulk) and accounts deleted with theirs."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import services as account_services
from accounts.models import Account, DeletedRecord, User
from plans import services
from plans.domain.contacts import local_day
from plans.domain.visits import not_visited_for_too_long, visit_interval
from plans.models import Activity, LastVisit, VisitCategoryInterval, VisitInterval
from plans.selectors import NOT_VISITED_SHOWN, account_visits, not_visited, visit_intervals
from plans.tests.test_next_contact_stored import SHANGHAI
from tiering.domain.matrix import CATEGORIES

ACCOUNTS = 3

index = st.integers(0, 99)  # taken modulo the rows that exist when the step runs
kind = st.sampled_from(["visit", "call", "meeting"])
moment = st.tuples(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 1)), st.integers(0, 23))
steps = st.one_of(
    st.tuples(st.just("log"), index, kind, moment),
    st.tuples(st.just("log_all"), index, st.lists(st.tuples(kind, moment), min_size=1, max_size=4)),
    st.tuples(st.just("retype"), index, kind),
    st.tuples(st.just("retime"), index, moment),
    st.tuples(st.just("move"), index, index),
    st.tuples(st.just("retype_all"), index, kind),
    st.tuples(st.just("raw_move"), index, index, moment),
    st.tuples(st.just("unlog"), index),
    st.tuples(st.just("unlog_all"), kind),
    st.tuples(st.just("delete_account"), index),
)


def at(when: tuple[date, int]) -> datetime:
    day, hour = when
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def pick(rows: list, i: int):  # noqa: ANN201 - a row of any model
    return rows[i % len(rows)] if rows else None


def apply(step: tuple, owner) -> None:  # noqa: ANN001
    """One write, as the services, the bulk paths and raw SQL write."""
    accounts = list(Account.objects.filter(owner=owner).order_by("pk"))
    activities = list(Activity.objects.filter(account__in=accounts).order_by("pk"))
    name, *args = step
    if name == "log":
        services.activity_create(account=pick(accounts, args[0]), data={"type": args[1], "occurred_at": at(args[2])})
    elif name == "log_all":  # one INSERT of many rows
        account = pick(accounts, args[0])
        Activity.objects.bulk_create(Activity(account=account, type=t, occurred_at=at(m)) for t, m in args[1])
    elif name == "retype" and activities:
        services.activity_update(activity=pick(activities, args[0]), data={"type": args[1]})
    elif name == "retime" and activities:
        services.activity_update(activity=pick(activities, args[0]), data={"occurred_at": at(args[1])})
    elif name == "move" and activities:  # to another account
        services.activity_update(activity=pick(activities, args[0]), data={"account": pick(accounts, args[1])})
    elif name == "retype_all":  # one UPDATE of many rows
        Activity.objects.filter(account=pick(accounts, args[0])).update(type=args[1])
    elif name == "raw_move" and activities:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE plans_activity SET account_id = %s, occurred_at = %s WHERE id = %s",
                [pick(accounts, args[1]).pk, at(args[2]), pick(activities, args[0]).pk],
            )
    elif name == "unlog" and activities:
        services.activity_delete(activity=pick(activities, args[0]))
    elif name == "unlog_all":  # one DELETE of many rows
        Activity.objects.filter(account__in=accounts, type=args[0]).delete()
    elif name == "delete_account":  # its activities go with it; another takes its place
        account_services.account_delete(account=pick(accounts, args[0]))
        Account.objects.create(owner=owner, name=f"客户{len(accounts)}-{args[0]}")


def stored() -> dict[int, datetime]:
    return dict(LastVisit.objects.values_list("account_id", "occurred_at"))


def latest_visits() -> dict[int, datetime]:
    """Each account's latest activity of type visit; accounts without one left out."""
    return dict(
        Activity.objects.filter(type=Activity.Type.VISIT)
        .values("account_id")
        .annotate(last=Max("occurred_at"))
        .values_list("account_id", "last")
        .order_by()
    )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.lists(st.tuples(st.integers(0, ACCOUNTS - 1), kind, moment), max_size=6),
    sequence=st.lists(steps, min_size=1, max_size=20),
)
def test_the_stored_last_visit_equals_the_latest_visit_after_any_writes(world, start: list, sequence: list) -> None:  # noqa: ANN001
    with transaction.atomic():
        # given a rep's accounts with some activities, some of them visits
        owner = world.other_rep
        Account.objects.filter(owner=owner).delete()
        accounts = [Account.objects.create(owner=owner, name=f"客户{i}") for i in range(ACCOUNTS)]
        for i, t, m in start:
            services.activity_create(account=accounts[i], data={"type": t, "occurred_at": at(m)})
        assert stored() == latest_visits()
        # when the writes run, then after each one the stored last visit is the latest visit
        for step in sequence:
            apply(step, owner)
            assert stored() == latest_visits(), step
        transaction.set_rollback(True)


def test_an_account_deleted_leaves_no_last_visit_and_its_tombstones(world) -> None:
    # given an account visited twice and called once
    account = Account.objects.create(owner=world.owner, name="待删除客户")
    for day, kind_ in ((3, "visit"), (5, "visit"), (9, "call")):
        services.activity_create(account=account, data={"type": kind_, "occurred_at": at((date(2026, 3, day), 10))})
    assert LastVisit.objects.get(account=account).occurred_at == at((date(2026, 3, 5), 10))
    # when it is deleted
    account_id = account.pk
    account_services.account_delete(account=account)
    # then no last visit is left, and the deletions feed holds it and its three activities
    assert not LastVisit.objects.filter(account_id=account_id).exists()
    kinds = sorted(DeletedRecord.objects.filter(account_id=account_id).values_list("kind", flat=True))
    assert kinds == ["account", "activity", "activity", "activity"]


def test_the_account_page_reads_the_stored_last_visit_as_a_local_day(world) -> None:
    # given a visit at 23:30 Shanghai time on 3 March (15:30 UTC) and a later call
    services.activity_create(
        account=world.account, data={"type": "visit", "occurred_at": at((date(2026, 3, 3), 23)).replace(minute=30)}
    )
    services.activity_create(account=world.account, data={"type": "call", "occurred_at": at((date(2026, 3, 9), 9))})
    # then the account's last visit is that local day, and the visit retyped leaves none
    assert account_visits(account=world.account, today=date(2026, 3, 10)).last_visit == date(2026, 3, 3)
    Activity.objects.filter(account=world.account, type="visit").update(type="meeting")
    assert account_visits(account=world.account, today=date(2026, 3, 10)).last_visit is None


def expected_not_visited(owner, today: date) -> list[tuple]:  # noqa: ANN001
    """What `not_visited` shows, by the domain's functions in Python: per category (CATEGORIES
    order, then the others by name) the count and the first NOT_VISITED_SHOWN, never visited
    first, then the longest ago, then by name (Python's order) and id."""
    intervals = visit_intervals()
    zone = timezone.get_current_timezone()
    groups: dict[str, list[tuple]] = {}
    for account in Account.objects.filter(owner=owner).select_related("visit_interval"):
        own = getattr(account, "visit_interval", None)
        interval = visit_interval(
            category=account.category, override=own.interval_days if own else None, intervals=intervals
        )
        moment = Activity.objects.filter(account=account, type="visit").aggregate(last=Max("occurred_at"))["last"]
        last = local_day(moment, zone) if moment else None
        if not_visited_for_too_long(last_visit=last, interval_days=interval, today=today):
            groups.setdefault(account.category, []).append((last is not None, last or today, account.name, account.pk))
    order = [c for c in [*CATEGORIES, *sorted(set(groups) - set(CATEGORIES))] if c in groups]
    return [(c, len(groups[c]), [row[3] for row in sorted(groups[c])[:NOT_VISITED_SHOWN]]) for c in order]


# days before today, around the intervals (the defaults', the overrides' and the director's
# below) where "more than the interval ago" turns
days_ago = st.sampled_from([0, 1, 2, 29, 30, 31, 44, 45, 46, 59, 60, 61, 89, 90, 91, 199, 200, 201, 400])


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    accounts=st.lists(
        st.tuples(
            st.text(alphabet="aZ张客户Éb", min_size=1, max_size=3),
            st.sampled_from(["key", "normal", "possible", ""]),
            st.none() | st.sampled_from([1, 45, 200]),
            st.lists(st.tuples(kind, days_ago, st.integers(0, 23)), max_size=3),
        ),
        max_size=30,
    ),
    key_days=st.none() | st.sampled_from([1, 45]),
)
def test_not_visited_shows_what_the_domain_says(world, accounts: list, key_days: int | None) -> None:  # noqa: ANN001
    today = date(2026, 11, 1)
    with transaction.atomic():
        # given a rep's accounts, some with their own interval, some visited (at any local hour)
        owner = world.other_rep
        Account.objects.filter(owner=owner).delete()
        if key_days is not None:  # a director's interval for key accounts
            VisitCategoryInterval.objects.create(category="key", interval_days=key_days)
        for name, category, own, activities in accounts:
            account = Account.objects.create(owner=owner, name=name, category=category)
            if own is not None:
                VisitInterval.objects.create(account=account, interval_days=own)
            for t, days_ago, hour in activities:
                day = today - timedelta(days=days_ago)
                Activity.objects.create(account=account, type=t, occurred_at=at((day, hour)))
        # then the page's groups are the domain's: counts, rows and their order
        groups = not_visited(user=owner, today=today)
        assert [(g.category, g.total, [row.account.pk for row in g.rows]) for g in groups] == expected_not_visited(
            owner, today
        )
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["newer", "older"])
def test_two_transactions_logging_visits_of_one_account_leave_the_latest(first: str) -> None:
    # given an account never visited
    owner = User.objects.create(username="owner", role="rep")
    account = Account.objects.create(name="A", owner=owner)
    newer, older = at((date(2026, 3, 10), 9)), at((date(2026, 3, 1), 9))
    failures: list[BaseException] = []

    def log(when: datetime) -> None:
        Activity.objects.create(account=account, type="visit", occurred_at=when)

    def in_thread(when: datetime) -> None:
        try:
            log(when)
        except BaseException as error:  # reported to the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    # when one transaction logs a visit and, before it commits, another logs one too
    mine, theirs = (newer, older) if first == "newer" else (older, newer)
    with transaction.atomic():
        log(mine)
        other = threading.Thread(target=in_thread, args=(theirs,))
        other.start()
        time.sleep(0.5)  # the other transaction is now waiting on the account's row
    other.join(timeout=30)
    # then both are logged, and the stored last visit is the newer one
    assert not failures
    assert not other.is_alive()
    assert Activity.objects.filter(account=account).count() == 2
    assert list(LastVisit.objects.values_list("occurred_at", flat=True)) == [newer]
