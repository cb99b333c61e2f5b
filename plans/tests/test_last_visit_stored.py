"""The stored last visit (`LastVisit`, kept by the triggers of migration plans/0017 on PostgreSQL
and SQLite) stays equal to each account's latest activity of type visit, with no row for an
account without one, whatever sequence of writes reaches the activities: logged (one, in bulk),
retyped, moved in time or to another account (service, bulk UPDATE, raw SQL), deleted (one, in
bulk) and accounts deleted with theirs; on PostgreSQL its copy on the account's row (plans/0018)
too, which the account's own saves leave alone. And "not visited for too long" (plans.selectors
.not_visited, index ranges over that copy on PostgreSQL) shows what the domain says."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta
from unittest.mock import patch

import pytest
from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts import services as account_services
from accounts.models import Account, AccountTeamMember, DeletedRecord, User
from plans import last_visit_sql, services
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
    st.tuples(st.just("stale_save"), index, moment),
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
    elif name == "stale_save":  # an account read, a visit logged, then the account saved as read
        account = Account.objects.get(pk=pick(accounts, args[0]).pk)
        services.activity_create(account=pick(accounts, args[0]), data={"type": "visit", "occurred_at": at(args[1])})
        account.save()
    elif name == "delete_account":  # its activities go with it; another takes its place
        account_services.account_delete(account=pick(accounts, args[0]))
        Account.objects.create(owner=owner, name=f"客户{len(accounts)}-{args[0]}")


def stored() -> dict[int, datetime]:
    return dict(LastVisit.objects.values_list("account_id", "occurred_at"))


def copied() -> dict[int, datetime]:
    """PostgreSQL: the last visits copied onto the account rows (plans/0018), those not NULL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, last_visit_at FROM accounts_account WHERE last_visit_at IS NOT NULL")
        return dict(cursor.fetchall())


def assert_stored(step: object = None) -> None:
    """The stored last visits are each account's latest visit, and on PostgreSQL so are their
    copies on the account rows."""
    assert stored() == latest_visits(), step
    if connection.vendor == "postgresql":
        assert copied() == stored(), step


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
def test_the_stored_last_visit_and_its_copy_are_the_latest_visit_after_any(world, start: list, sequence: list) -> None:  # noqa: ANN001
    with transaction.atomic():
        # given a rep's accounts with some activities, some of them visits
        owner = world.other_rep
        Account.objects.filter(owner=owner).delete()
        accounts = [Account.objects.create(owner=owner, name=f"客户{i}") for i in range(ACCOUNTS)]
        for i, t, m in start:
            services.activity_create(account=accounts[i], data={"type": t, "occurred_at": at(m)})
        assert_stored()
        # when the writes run, then after each one the stored last visit is the latest visit
        # (and so is its copy on the account's row)
        for step in sequence:
            apply(step, owner)
            assert_stored(step)
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


def expected_not_visited(owner, today: date, *, user=None, shown: int = NOT_VISITED_SHOWN) -> list[tuple]:  # noqa: ANN001
    """What `not_visited` shows, by the domain's functions in Python: per category (CATEGORIES
    order, then the others by name) the count and the first `shown`, never visited first, then
    the longest ago, then by name (Python's order) and id. The accounts of `owner` (one person
    or a list), among those `user` sees when given."""
    intervals = visit_intervals()
    zone = timezone.get_current_timezone()
    groups: dict[str, list[tuple]] = {}
    accounts = Account.objects.visible_to(user) if user is not None else Account.objects.all()
    owners = owner if isinstance(owner, list) else [owner]
    for account in accounts.filter(owner__in=owners).select_related("visit_interval"):
        own = getattr(account, "visit_interval", None)
        interval = visit_interval(
            category=account.category, override=own.interval_days if own else None, intervals=intervals
        )
        moment = Activity.objects.filter(account=account, type="visit").aggregate(last=Max("occurred_at"))["last"]
        last = local_day(moment, zone) if moment else None
        if not_visited_for_too_long(last_visit=last, interval_days=interval, today=today):
            groups.setdefault(account.category, []).append((last is not None, last or today, account.name, account.pk))
    order = [c for c in [*CATEGORIES, *sorted(set(groups) - set(CATEGORIES))] if c in groups]
    return [(c, len(groups[c]), [row[3] for row in sorted(groups[c])[:shown]]) for c in order]


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


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    accounts=st.lists(
        st.tuples(
            st.integers(0, 3),  # whose: the manager, two of their reps, a rep of another team
            st.text(alphabet="aZ张É", min_size=1, max_size=2),
            st.sampled_from(["key", "normal", ""]),
            st.none() | st.sampled_from([1, 45]),
            # mostly visited (a category with never-visited accounts shows those first), on few days
            st.lists(st.tuples(st.sampled_from([0, 31, 61, 62, 63, 200]), st.integers(0, 23)), min_size=1, max_size=2)
            | st.just([]),
        ),
        max_size=40,
    ),
    shown=st.sampled_from([1, 2, 3]),
)
# One person's two accounts last visited on one day: the later visit's name comes first.
@example(accounts=[(1, "a", "normal", None, [(62, 9)]), (1, "Z", "normal", None, [(62, 15)])], shown=1)
def test_a_managers_not_visited_is_the_domains_over_their_teams_accounts(world, accounts: list, shown: int) -> None:  # noqa: ANN001
    """Few rows shown per category, many accounts visited on one local day at different hours
    (the page orders a day's accounts by name, not by the hour), some with their own interval,
    in Shanghai: the first rows of each category and the counts are still the domain's."""
    today = date(2026, 11, 1)
    manager = world.manager
    whose = [manager, world.owner, world.teammate, world.other_rep]
    with transaction.atomic(), timezone.override(SHANGHAI):
        # given accounts of the manager, of two reps of their team and of a rep of another team
        # (one of those served by the manager on its account team: visible, yet not theirs)
        Account.objects.all().delete()
        for i, name, category, own, visits in accounts:
            account = Account.objects.create(owner=whose[i], name=name, category=category)
            if i == 3:
                AccountTeamMember.objects.create(account=account, user=manager, role="account_manager")
            if own is not None:
                VisitInterval.objects.create(account=account, interval_days=own)
            for days_ago, hour in visits:
                day = today - timedelta(days=days_ago)
                Activity.objects.create(account=account, type="visit", occurred_at=at((day, hour)))
        # then the manager's groups are the domain's over the accounts of their team's people
        with patch("plans.selectors.NOT_VISITED_SHOWN", shown):
            groups = not_visited(user=manager, today=today)
        team = [manager, world.owner, world.teammate, world.same_team_rep]
        assert [(g.category, g.total, [row.account.pk for row in g.rows]) for g in groups] == expected_not_visited(
            team, today, user=manager, shown=shown
        )
        # and each row's last visit, interval and days since are those of its account
        for group in groups:
            for row in group.rows:
                moment = Activity.objects.filter(account=row.account, type="visit").aggregate(m=Max("occurred_at"))["m"]
                assert row.last_visit == (local_day(moment, SHANGHAI) if moment else None)
                assert row.days_since == ((today - row.last_visit).days if moment else None)
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the copy on the account row is PostgreSQL's")
@pytest.mark.django_db
def test_the_copies_follow_the_stored_rows_written_directly_and_truncated(world) -> None:
    # given two accounts visited
    for account, day in ((world.account, 3), (world.other_account, 5)):
        services.activity_create(account=account, data={"type": "visit", "occurred_at": at((date(2026, 3, day), 9))})
    assert copied() == stored() != {}
    # when the stored rows are written as the seed's fill writes them, then truncated
    with connection.cursor() as cursor:
        for statement in last_visit_sql.FILL:
            cursor.execute(statement)
        assert copied() == stored() != {}
        cursor.execute("UPDATE plans_lastvisit SET occurred_at = occurred_at - interval '1 day'")
        assert copied() == stored()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: TRUNCATE refuses them
        cursor.execute("TRUNCATE plans_lastvisit")
    # then the copies are gone too
    assert copied() == {}


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
