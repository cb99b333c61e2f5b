"""The snapshot roll-up by audience (funnel/rollups_sql.py, migration funnel/0003) equals the
sums computed from the snapshot lines and the access table, whatever sequence of writes
reaches it: snapshots taken and deleted, lines edited, opportunities created and changed,
accounts handed over, served, created and deleted, people moved, given roles, deleted, teams
given managers (the access table's own steps, accounts/tests/test_account_access.py). And the
dashboard's accuracy figures read from it equal those read from the lines, for every person and
scope."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Team, User
from accounts.tests.test_account_access import ROLES, apply, index, people_and_accounts, pick
from accounts.tests.test_account_access import steps as access_steps
from funnel import rollups, selectors, selectors_reps, services
from funnel.domain import stages
from funnel.domain.quarters import quarter_of
from funnel.models import ForecastSnapshot, Opportunity, SnapshotLine
from funnel.tests.rollup_checks import every_scope, rows

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the roll-up and its triggers are PostgreSQL's"),
]

PEOPLE, TEAMS, ACCOUNTS = 6, 3, 6
START = date(2026, 7, 6)  # a Monday early in 2026-Q3
CLOSES = [None, *(date(2026, m, d) for m in (6, 7, 9, 10) for d in (1, 30))]

funnel_steps = st.one_of(
    st.tuples(
        st.just("opportunity"),
        index,
        index,
        st.integers(0, 50_000),
        st.integers(0, 100),
        st.sampled_from(stages.CATEGORIES),
        st.sampled_from(CLOSES),
    ),
    st.tuples(st.just("change"), index, st.sampled_from(stages.STAGES), st.integers(0, 100), st.sampled_from(CLOSES)),
    st.tuples(st.just("snapshot"), st.integers(0, 11)),
    st.tuples(st.just("drop_snapshot"), index),
    st.tuples(st.just("edit_line"), index, st.integers(0, 9_999), st.none() | index, st.sampled_from(CLOSES)),
    st.tuples(st.just("drop_line"), index),
)


FUNNEL_KINDS = {"opportunity", "change", "snapshot", "drop_snapshot", "edit_line", "drop_line"}


def apply_funnel(step: tuple) -> None:
    """One funnel write, as services, the bulk paths or raw SQL would."""
    kind, *args = step
    people = list(User.objects.order_by("pk"))
    accounts = list(Account.objects.order_by("pk"))
    opportunities = list(Opportunity.objects.order_by("pk"))
    lines = list(SnapshotLine.objects.order_by("pk"))
    if kind == "opportunity" and accounts:
        Opportunity.objects.create(
            account=pick(accounts, args[0]),
            owner=pick(people, args[1]),
            name="deal",
            amount=Decimal(args[2]) / 100,
            probability=args[3],
            forecast_category=args[4],
            expected_close_date=args[5],
        )
    elif kind == "change" and opportunities:
        Opportunity.objects.filter(pk=pick(opportunities, args[0]).pk).update(
            stage=args[1], probability=args[2], expected_close_date=args[3]
        )
    elif kind == "snapshot":
        services.snapshot_take(as_of=START + timedelta(days=7 * args[0]))
    elif kind == "drop_snapshot" and ForecastSnapshot.objects.exists():
        pick(list(ForecastSnapshot.objects.order_by("pk")), args[0]).delete()
    elif kind == "edit_line" and lines:
        SnapshotLine.objects.filter(pk=pick(lines, args[0]).pk).update(
            amount=Decimal(args[1]), owner=pick(people, args[2]), expected_close_date=args[3]
        )
    elif kind == "drop_line" and lines:
        SnapshotLine.objects.filter(pk=pick(lines, args[0]).pk).delete()


EXPECTED = """
    SELECT l.snapshot_id, COALESCE(a.users, '{}'), COALESCE(l.owner_id, 0),
           date_trunc('month', l.expected_close_date)::date, count(*),
           sum(CASE WHEN l.forecast_category = 'commit' THEN l.amount ELSE 0 END),
           sum(CASE WHEN l.forecast_category = 'best_case' THEN l.amount ELSE 0 END),
           sum(l.amount * l.probability)
    FROM funnel_snapshotline l
    LEFT JOIN (SELECT account_id, array_agg(user_id ORDER BY user_id) AS users
               FROM accounts_accountaccess GROUP BY account_id) AS a ON a.account_id = l.account_id
    WHERE l.expected_close_date IS NOT NULL
    GROUP BY 1, 2, 3, 4
"""
ROLLUP = """
    SELECT r.snapshot_id, u.users, r.owner_key, r.close_month, r.lines, r.commit, r.best, r.weighted
    FROM funnel_snapshotrollup r JOIN funnel_audience u ON u.id = r.audience_id
"""
AUDIENCES = """
    SELECT acc.id, COALESCE(u.users, '{}') FROM accounts_account acc
    LEFT JOIN funnel_accountaudience c ON c.account_id = acc.id LEFT JOIN funnel_audience u ON u.id = c.audience_id
    EXCEPT
    SELECT acc.id, COALESCE((SELECT array_agg(x.user_id ORDER BY x.user_id) FROM accounts_accountaccess x
                             WHERE x.account_id = acc.id), '{}')
    FROM accounts_account acc
"""


def assert_rollup_exact(step: object) -> None:
    assert rows(ROLLUP) == rows(EXPECTED), step
    assert rows(AUDIENCES) == set(), step  # each account's audience is its access set


def figures_both_ways(user: User, scope: selectors.Scope) -> tuple:
    """(from the roll-up, from the lines) of the quarter's accuracy and accuracy per rep."""
    quarter = quarter_of(START)
    found = []
    for use_rollup in (True, False):
        with mock.patch.object(rollups, "applies", return_value=use_rollup):
            accuracy = selectors._accuracy_with_won(user=user, quarter=quarter, scope=scope, won=[], today=START)
            per_rep = selectors_reps.rep_accuracy(user=user, scope=scope, quarter=quarter, today=START)
        found.append((accuracy, per_rep))
    return tuple(found)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    roles=st.lists(st.sampled_from(ROLES), min_size=PEOPLE, max_size=PEOPLE),
    owners=st.lists(st.integers(0, PEOPLE - 1), min_size=ACCOUNTS, max_size=ACCOUNTS),
    sequence=st.lists(st.one_of(access_steps, funnel_steps, funnel_steps), min_size=1, max_size=30),
)
def test_the_rollup_equals_the_lines_after_any_writes(roles: list, owners: list, sequence: list) -> None:
    with transaction.atomic():
        # given people in teams with managers, accounts owned and served, each with a deal
        people_and_accounts(roles, owners)
        for i, owner in enumerate(owners):
            apply_funnel(("opportunity", i, owner + i, 100_00 * (i + 1), 10 * i, stages.CATEGORIES[i % 5], CLOSES[i]))
        apply_funnel(("snapshot", 0))
        assert_rollup_exact("start")
        # when the writes run, then after each one the roll-up is the lines' sums
        for step in sequence:
            (apply_funnel if step[0] in FUNNEL_KINDS else apply)(step)
            assert_rollup_exact(step)
        # and the dashboard's accuracy figures read from it are the lines' for everyone
        scopes = every_scope()
        for user in User.objects.all():
            for scope in scopes:
                from_rollup, from_lines = figures_both_ways(user, scope)
                assert from_rollup == from_lines, (user.username, user.role, scope)
        transaction.set_rollback(True)


def row_versions() -> set[tuple]:
    """Every access and roll-up row with its physical place: a rewritten row moves."""
    return rows("SELECT 'r', ctid::text, snapshot_id, audience_id FROM funnel_snapshotrollup") | rows(
        "SELECT 'a', ctid::text, user_id, account_id FROM accounts_accountaccess"
    )


@pytest.mark.django_db
def test_a_refresh_that_changes_nothing_rewrites_nothing() -> None:
    """accounts/0016: a refresh writes only the access rows that differ from the rule, so one
    that finds nothing changed leaves the access rows and the roll-up untouched (0014's
    refresh deleted and re-inserted them, and the roll-up would have moved twice)."""
    team = Team.objects.create(name="T")
    manager = User.objects.create(username="m", role="manager", team=team)
    team.manager = manager
    team.save()
    rep = User.objects.create(username="r", role="rep", team=team)
    account = Account.objects.create(name="A", owner=rep)
    Opportunity.objects.create(account=account, owner=rep, name="d", amount=Decimal(5), expected_close_date=START)
    services.snapshot_take(as_of=START)
    before = row_versions()
    assert len(before) == 3  # two access rows (rep, manager), one roll-up row
    # when both refreshes run over everything touched, with nothing changed
    with connection.cursor() as cursor:
        cursor.execute("SELECT accounts_access_refresh_users(ARRAY[%s, %s]::bigint[])", [rep.pk, manager.pk])
        cursor.execute("SELECT accounts_access_refresh_accounts(ARRAY[%s]::bigint[], true)", [account.pk])
    # then no row was rewritten
    assert row_versions() == before
    # and a real change still is written
    other = User.objects.create(username="o", role="rep", team=team)
    Account.objects.filter(pk=account.pk).update(owner=other)
    assert rows("SELECT user_id FROM accounts_accountaccess") == {(other.pk,), (manager.pk,)}
    assert rows("SELECT u.users FROM funnel_snapshotrollup r JOIN funnel_audience u ON u.id = r.audience_id") == {
        (tuple(sorted([other.pk, manager.pk])),)
    }


@pytest.mark.django_db
def test_the_seed_fills_the_rollup_as_the_triggers_would() -> None:
    """seed_demo loads the lines with the roll-up's line triggers off and fills it once (like the
    walks); afterwards it equals the lines' sums and the triggers are on again."""
    from django.core.management import call_command

    from funnel import rollups_sql

    call_command("seed_demo", accounts=40, orders=400, opportunities=300, seed=3, as_of=START, reset=True, verbosity=0)
    assert SnapshotLine.objects.exists()
    assert_rollup_exact("seed")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'funnel_snapshotline'::regclass AND tgenabled = 'O'"
        )
        enabled = {name for (name,) in cursor.fetchall()}
    assert set(rollups_sql.LINE_TRIGGERS) <= enabled
