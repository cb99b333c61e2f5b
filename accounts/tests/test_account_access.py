"""The access table (`AccountAccess`, kept by PostgreSQL triggers: migration accounts/0014)
stays equal to the visibility rule computed from scratch, whatever sequence of writes reaches
it: owners handed over (one at a time and in bulk), account-team rows added, replaced and
removed, people moved between teams or given another role, teams given another manager or
deleted, accounts created and deleted, people deleted."""

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, AccountAccess, AccountTeamMember, Team, User
from accounts.visibility import computed_rule

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"),
]

ROLES = ["rep", "rep", "manager", "manager", "director", "integration"]
TEAM_ROLES = [choice for choice, _ in AccountTeamMember.Role.choices]
PEOPLE, TEAMS, ACCOUNTS = 6, 3, 8

index = st.integers(0, 99)  # taken modulo the rows that exist when the step runs
steps = st.one_of(
    st.tuples(st.just("hand_over"), index, index),
    st.tuples(st.just("hand_over_all"), index, index),
    st.tuples(st.just("serve"), index, st.sampled_from(TEAM_ROLES), index),
    st.tuples(st.just("unserve"), index, st.sampled_from(TEAM_ROLES)),
    st.tuples(st.just("unserve_all"), index),
    st.tuples(st.just("move"), index, st.none() | index),
    st.tuples(st.just("move_all"), index, st.none() | index),
    st.tuples(st.just("role"), index, st.sampled_from(ROLES)),
    st.tuples(st.just("lead"), index, st.none() | index),
    st.tuples(st.just("delete_team"), index),
    st.tuples(st.just("new_team"), st.none() | index),
    st.tuples(st.just("new_account"), index),
    st.tuples(st.just("new_accounts"), index, st.integers(1, 3)),
    st.tuples(st.just("delete_account"), index),
    st.tuples(st.just("delete_person"), index),
)


def pick(rows: list, i: int | None):  # noqa: ANN201 - a row of any model
    return rows[i % len(rows)] if rows and i is not None else None


def apply(step: tuple) -> None:
    """One write, through the ORM as the services and bulk paths write."""
    people = list(User.objects.order_by("pk"))
    teams = list(Team.objects.order_by("pk"))
    accounts = list(Account.objects.order_by("pk"))
    kind, *args = step
    if kind == "hand_over" and accounts:
        account = pick(accounts, args[0])
        account.owner = pick(people, args[1])
        account.save()
    elif kind == "hand_over_all":  # a bulk hand-over: one UPDATE of many rows
        Account.objects.filter(owner=pick(people, args[0])).update(owner=pick(people, args[1]))
    elif kind == "serve" and accounts:  # add, or give the role to someone else (an UPDATE)
        AccountTeamMember.objects.update_or_create(
            account=pick(accounts, args[0]), role=args[1], defaults={"user": pick(people, args[2])}
        )
    elif kind == "unserve" and accounts:
        AccountTeamMember.objects.filter(account=pick(accounts, args[0]), role=args[1]).delete()
    elif kind == "unserve_all":
        AccountTeamMember.objects.filter(user=pick(people, args[0])).delete()
    elif kind == "move":
        person = pick(people, args[0])
        person.team = pick(teams, args[1])
        person.save()
    elif kind == "move_all":  # a bulk move: one UPDATE of several people
        User.objects.filter(team=pick(teams, args[0])).update(team=pick(teams, args[1]))
    elif kind == "role":
        person = pick(people, args[0])
        person.role = args[1]
        person.save()
    elif kind == "lead" and teams:
        team = pick(teams, args[0])
        team.manager = pick(people, args[1])
        team.save()
    elif kind == "delete_team" and teams:
        pick(teams, args[0]).delete()
    elif kind == "new_team":
        Team.objects.create(name=f"T{Team.objects.count()}-{len(teams)}-{args[0]}", manager=pick(people, args[0]))
    elif kind == "new_account":
        Account.objects.create(name="new", owner=pick(people, args[0]))
    elif kind == "new_accounts":  # a bulk insert: one statement
        Account.objects.bulk_create(Account(name="bulk", owner=pick(people, args[0])) for _ in range(args[1]))
    elif kind == "delete_account" and accounts:
        pick(accounts, args[0]).delete()
    elif kind == "delete_person":
        person = pick(people, args[0])
        if not Account.objects.filter(owner=person).exists():  # owners are handed over first (PROTECT)
            person.delete()


def people_and_accounts(roles: list[str], owners: list[int]) -> tuple[list[User], list[Account]]:
    """TEAMS teams, a person of each role of `roles` (the first TEAMS lead the teams, as
    managers; steps may change that; every fourth in no team), and an account for each of
    `owners` (an index into the people), each with one account-team member."""
    teams = [Team.objects.create(name=f"T{i}") for i in range(TEAMS)]
    people = [
        User.objects.create(
            username=f"u{i}", role="manager" if i < TEAMS else role, team=teams[i % TEAMS] if i % 4 else None
        )
        for i, role in enumerate(roles)
    ]
    for i, team in enumerate(teams):
        team.manager = people[i]
        team.save()
    accounts = []
    for i, owner in enumerate(owners):
        accounts.append(account := Account.objects.create(name=f"A{i}", owner=people[owner]))
        AccountTeamMember.objects.create(account=account, role=TEAM_ROLES[i % 3], user=people[(owner + i) % PEOPLE])
    return people, accounts


def table() -> set[tuple[int, int]]:
    return set(AccountAccess.objects.values_list("user_id", "account_id"))


def from_scratch() -> set[tuple[int, int]]:
    """The rule computed from owners, account teams and teams, for every person."""
    return {
        (person.pk, account_id)
        for person in User.objects.all()
        for account_id in Account._base_manager.filter(computed_rule(person)).values_list("pk", flat=True)
    }


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    roles=st.lists(st.sampled_from(ROLES), min_size=PEOPLE, max_size=PEOPLE),
    owners=st.lists(st.integers(0, PEOPLE - 1), min_size=ACCOUNTS, max_size=ACCOUNTS),
    sequence=st.lists(steps, min_size=1, max_size=25),
)
def test_the_access_table_equals_the_rule_after_any_writes(roles: list, owners: list, sequence: list) -> None:
    with transaction.atomic():
        # given people in teams with managers, and accounts owned by them
        people_and_accounts(roles, owners)
        assert table() == from_scratch()
        # when the writes run, then after each one the table is the rule
        for step in sequence:
            apply(step)
            assert table() == from_scratch(), step
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_rolls_back_leaves_the_table_as_it_was() -> None:
    # given a rep who owns an account
    rep = User.objects.create(username="rep", role="rep")
    other = User.objects.create(username="other", role="rep")
    account = Account.objects.create(name="A", owner=rep)
    before = table()
    assert before == {(rep.pk, account.pk)}
    # when a hand-over is rolled back
    inside = set()
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(owner=other)
        inside = table()
        transaction.set_rollback(True)
    assert inside == {(other.pk, account.pk)}
    # then the rep still sees it, and only the rep
    assert table() == before
    assert list(Account.objects.visible_to(rep)) == [account]
    assert not Account.objects.visible_to(other).exists()


@pytest.mark.django_db(transaction=True)
def test_a_truncate_of_the_account_team_rebuilds_the_table() -> None:
    # given a rep who owns an account and another who serves on it
    owner = User.objects.create(username="owner", role="rep")
    server = User.objects.create(username="server", role="rep")
    account = Account.objects.create(name="A", owner=owner)
    AccountTeamMember.objects.create(account=account, role=TEAM_ROLES[0], user=server)
    assert table() == {(owner.pk, account.pk), (server.pk, account.pk)}
    # when the account team is truncated (no row triggers fire)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {AccountTeamMember._meta.db_table}")
    # then the server no longer sees the account; the owner still does
    assert table() == {(owner.pk, account.pk)} == from_scratch()
    # and a TRUNCATE of the accounts (seed_demo --reset) leaves nothing behind
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Account._meta.db_table} CASCADE")
    assert table() == set()


@pytest.mark.django_db
def test_a_persons_whole_list_is_counted_on_their_access_range_and_a_filtered_one_on_the_accounts() -> None:
    from django.test.utils import CaptureQueriesContext

    # given a rep who owns two accounts (one tiered A1) and serves on a third, and an account of another rep's
    rep = User.objects.create(username="rep", role="rep")
    other = User.objects.create(username="other", role="rep")
    a1 = Account.objects.create(name="A", owner=rep, tier="A1")
    Account.objects.create(name="B", owner=rep)
    served = Account.objects.create(name="C", owner=other)
    Account.objects.create(name="D", owner=other)
    AccountTeamMember.objects.create(account=served, role=TEAM_ROLES[0], user=rep)
    visible = Account.objects.visible_to(rep).select_related("owner", "parent")
    # when the whole list is counted
    with CaptureQueriesContext(connection) as queries:
        whole = visible.count()
    # then it is the access range alone, and the same number as the rows
    assert whole == len(list(visible)) == 3
    assert len(queries) == 1
    assert "accounts_accountaccess" in queries[0]["sql"]
    assert '"accounts_account"' not in queries[0]["sql"]
    # and a filtered, an excluded or a sliced list counts its rows as before
    assert visible.filter(tier="A1").count() == 1
    assert visible.exclude(pk=a1.pk).count() == 2
    assert visible.filter(name__in=["A", "D"]).count() == 1
    assert visible.distinct().count() == 3
    assert Account.objects.visible_to(rep)[:2].count() == 2
    assert visible.none().count() == 0
    assert Account.objects.filter(tier="A1").visible_to(other).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_leave_the_table_equal_to_the_rule() -> None:
    import threading
    import time

    from django.db import connections

    # given an account of rep A's, served on by rep S
    owner = User.objects.create(username="owner", role="rep")
    heir = User.objects.create(username="heir", role="rep")
    server = User.objects.create(username="server", role="rep")
    account = Account.objects.create(name="A", owner=owner)
    AccountTeamMember.objects.create(account=account, role=TEAM_ROLES[0], user=server)
    failures: list[BaseException] = []

    def remove_the_server() -> None:
        try:
            AccountTeamMember.objects.filter(account=account).delete()
        except BaseException as error:  # reported to the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    # when the account is handed over in one transaction while another removes the server,
    # the second starting before the first commits
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(owner=heir)
        other = threading.Thread(target=remove_the_server)
        other.start()
        time.sleep(0.5)  # the other transaction is now waiting (on the lock, or on our rows)
    other.join(timeout=30)
    # then both happened, and the table is the rule: the server no longer sees the account
    assert not failures
    assert not other.is_alive()
    assert not AccountTeamMember.objects.filter(account=account).exists()
    assert table() == from_scratch() == {(heir.pk, account.pk)}
