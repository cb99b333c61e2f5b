"""The opportunity roll-up by audience (funnel/opportunity_rollup_sql.py, migration funnel/0004)
equals the live opportunities grouped by the same key, whatever sequence of writes reaches it:
deals created, changed one by one (stage, category, amount, probability, dates, owner, account)
and in bulk, deleted; accounts handed over, served, created and deleted, people moved, given
roles, deleted, teams given managers (the access table's own steps, which move accounts between
audiences). And the dashboard's opportunity pass and the won deals per rep read from it equal
those read from the deals, for every person and scope."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Team, User
from accounts.tests.test_account_access import ROLES, apply, index, people_and_accounts, pick
from accounts.tests.test_account_access import steps as access_steps
from funnel import folded, opportunity_rollup_sql, rollups, selectors, selectors_reps, services
from funnel.domain import stages
from funnel.domain.quarters import quarter_of
from funnel.models import Opportunity
from funnel.tests.rollup_checks import every_scope, rows

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the roll-up and its triggers are PostgreSQL's"),
]

PEOPLE, ACCOUNTS = 6, 6
TODAY = date(2026, 8, 20)  # in 2026-Q3; the dashboard's quarters run 2026-Q2 to 2027-Q1
QUARTER = quarter_of(TODAY)
# Days inside and outside the dashboard's quarters, at month starts, ends and between.
DAYS = [
    None,
    *(
        date(y, m, d)
        for y, m in ((2026, 3), (2026, 4), (2026, 7), (2026, 9), (2027, 3), (2027, 4))
        for d in (1, 14, 30)
    ),
]
DAYS_SOME = st.sampled_from(DAYS)

opportunity_steps = st.one_of(
    st.tuples(
        st.just("create"),
        index,  # account
        st.none() | index,  # owner
        st.sampled_from(stages.STAGES),
        st.sampled_from(stages.CATEGORIES),
        st.integers(0, 50_000),  # amount, cents
        st.integers(0, 100),  # probability
        DAYS_SOME,  # expected close
        DAYS_SOME,  # closed at
    ),
    st.tuples(
        st.just("change"),
        index,
        st.sampled_from(["stage", "forecast_category", "amount", "probability", "expected_close_date", "closed_at"]),
        index,
    ),
    st.tuples(st.just("reassign"), index, st.none() | index, index),  # owner and account at once
    st.tuples(st.just("delete"), index),
    st.tuples(st.just("bulk_stage"), st.sampled_from(stages.STAGES), index, DAYS_SOME),  # one UPDATE of many
    st.tuples(st.just("bulk_delete"), st.sampled_from(stages.STAGES)),
    st.tuples(st.just("snapshot"), st.integers(0, 9)),
)
OPPORTUNITY_KINDS = {"create", "change", "reassign", "delete", "bulk_stage", "bulk_delete", "snapshot"}


def _value(field: str, i: int) -> object:
    """A value of `field` picked by `i`."""
    if field == "stage":
        return stages.STAGES[i % len(stages.STAGES)]
    if field == "forecast_category":
        return stages.CATEGORIES[i % len(stages.CATEGORIES)]
    if field == "amount":
        return Decimal(i * 137) / 100
    if field == "probability":
        return i % 101
    return DAYS[i % len(DAYS)]


def apply_opportunity(step: tuple) -> None:
    """One write of deals, as services, the bulk paths or raw SQL would."""
    kind, *args = step
    people = list(User.objects.order_by("pk"))
    accounts = list(Account.objects.order_by("pk"))
    deals = list(Opportunity.objects.order_by("pk"))
    if kind == "create" and accounts:
        account, owner, stage, category, cents, probability, close, closed = args
        Opportunity.objects.create(
            account=pick(accounts, account),
            owner=pick(people, owner),
            name="deal",
            stage=stage,
            forecast_category=category,
            amount=Decimal(cents) / 100,
            probability=probability,
            expected_close_date=close,
            closed_at=closed,
        )
    elif kind == "change" and deals:
        Opportunity.objects.filter(pk=pick(deals, args[0]).pk).update(**{args[1]: _value(args[1], args[2])})
    elif kind == "reassign" and deals and accounts:
        Opportunity.objects.filter(pk=pick(deals, args[0]).pk).update(
            owner=pick(people, args[1]), account=pick(accounts, args[2])
        )
    elif kind == "delete" and deals:
        pick(deals, args[0]).delete()
    elif kind == "bulk_stage":
        Opportunity.objects.filter(account=pick(accounts, args[1])).update(stage=args[0], closed_at=args[2])
    elif kind == "bulk_delete":
        Opportunity.objects.filter(stage=args[0]).delete()
    elif kind == "snapshot":
        services.snapshot_take(as_of=QUARTER.start + (TODAY - QUARTER.start) * args[0] // 9)


# The live deals grouped by the roll-up's key, with the account's audience as its set of people.
EXPECTED = f"""
    SELECT COALESCE(a.users, '{{}}'), COALESCE(o.owner_id, 0), o.stage,
           CASE WHEN o.stage IN ({opportunity_rollup_sql.OPEN}) THEN o.forecast_category ELSE '' END,
           CASE WHEN o.stage IN ({opportunity_rollup_sql.OPEN})
                THEN COALESCE(date_trunc('month', o.expected_close_date)::date, 'infinity')
                WHEN o.stage IN ({opportunity_rollup_sql.WON}) THEN o.closed_at
                ELSE date_trunc('month', o.closed_at)::date END::text,
           count(*), sum(o.amount), sum(o.amount * o.probability)
    FROM funnel_opportunity o
    LEFT JOIN (SELECT account_id, array_agg(user_id ORDER BY user_id) AS users
               FROM accounts_accountaccess GROUP BY account_id) AS a ON a.account_id = o.account_id
    WHERE o.stage IN ({opportunity_rollup_sql.OPEN}) OR o.closed_at IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
"""  # noqa: S608 - stage codes written here
ROLLUP = """
    SELECT u.users, r.owner_key, r.stage, r.forecast_category, r.on_day::text, r.n, r.amount, r.weighted
    FROM funnel_opportunityrollup r JOIN funnel_audience u ON u.id = r.audience_id
"""


def assert_rollup_exact(step: object) -> None:
    assert rows(ROLLUP) == rows(EXPECTED), step


def figures_both_ways(user: User, scope: selectors.Scope) -> tuple:
    """(from the roll-up, from the deals) of the opportunity pass and accuracy per rep."""
    quarters = [QUARTER.previous(), QUARTER, QUARTER.next(), QUARTER.next().next()]
    found = []
    for use_rollup in (True, False):
        with mock.patch.object(rollups, "applies", return_value=use_rollup):
            sums = folded.pipeline_sums(user=user, scope=scope, quarter=QUARTER, quarters=quarters)
            other = folded.pipeline_sums(user=user, scope=scope, quarter=QUARTER.next(), quarters=quarters[:1])
            per_rep = selectors_reps.rep_accuracy(user=user, scope=scope, quarter=QUARTER, today=TODAY)
        found.append((sums, other, per_rep))
    return tuple(found)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    roles=st.lists(st.sampled_from(ROLES), min_size=PEOPLE, max_size=PEOPLE),
    owners=st.lists(st.integers(0, PEOPLE - 1), min_size=ACCOUNTS, max_size=ACCOUNTS),
    sequence=st.lists(st.one_of(access_steps, opportunity_steps, opportunity_steps), min_size=1, max_size=30),
)
def test_the_rollup_equals_the_deals_after_any_writes(roles: list, owners: list, sequence: list) -> None:
    with transaction.atomic():
        # given people in teams with managers, accounts owned and served, each with a few deals
        people_and_accounts(roles, owners)
        for i, owner in enumerate(owners):
            for j, stage in enumerate(stages.STAGES[i % 3 :: 3]):
                apply_opportunity(
                    (
                        "create",
                        i,
                        owner + j,
                        stage,
                        stages.CATEGORIES[i % 5],
                        100_00 * (i + 1),
                        10 * i,
                        DAYS[i + j],
                        DAYS[i + 2 * j],
                    )
                )
        apply_opportunity(("snapshot", 3))
        assert_rollup_exact("start")
        # when the writes run, then after each one the roll-up is the deals' sums
        for step in sequence:
            (apply_opportunity if step[0] in OPPORTUNITY_KINDS else apply)(step)
            assert_rollup_exact(step)
        # and the dashboard's figures read from it are the deals' for everyone
        scopes = every_scope()
        for user in User.objects.all():
            for scope in scopes:
                from_rollup, from_deals = figures_both_ways(user, scope)
                assert from_rollup == from_deals, (user.username, user.role, scope)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_hand_over_moves_the_deals_to_the_new_audience_and_a_truncate_empties_the_rollup() -> None:
    # given a rep's account with an open deal and a won one
    team = Team.objects.create(name="T")
    manager = User.objects.create(username="m", role="manager", team=team)
    team.manager = manager
    team.save()
    rep, other = (User.objects.create(username=name, role="rep", team=team) for name in ("r", "o"))
    account = Account.objects.create(name="A", owner=rep)
    Opportunity.objects.create(account=account, owner=rep, name="open", amount=Decimal("5.50"), probability=20)
    Opportunity.objects.create(
        account=account, owner=rep, name="won", amount=Decimal(7), stage="signed", closed_at=date(2026, 7, 3)
    )
    audience = (
        "SELECT u.users, r.on_day::text, r.n, r.amount "
        "FROM funnel_opportunityrollup r JOIN funnel_audience u ON u.id = r.audience_id"
    )
    assert rows(audience) == {
        (tuple(sorted([rep.pk, manager.pk])), "infinity", 1, Decimal("5.50")),
        (tuple(sorted([rep.pk, manager.pk])), "2026-07-03", 1, Decimal(7)),
    }
    # when the account is handed over, then its deals are summed in the new audience only
    Account.objects.filter(pk=account.pk).update(owner=other)
    assert rows(audience) == {
        (tuple(sorted([other.pk, manager.pk])), "infinity", 1, Decimal("5.50")),
        (tuple(sorted([other.pk, manager.pk])), "2026-07-03", 1, Decimal(7)),
    }
    # and a truncate of the deals empties the roll-up
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction has deferred checks pending
        cursor.execute("TRUNCATE funnel_opportunity CASCADE")
    assert rows(audience) == set()


@pytest.mark.django_db
def test_the_seed_fills_the_rollup_as_the_triggers_would() -> None:
    """seed_demo loads the deals with the roll-up's triggers off and fills it once after the
    audiences; afterwards it equals the deals' sums and its triggers are on again."""
    from django.core.management import call_command

    call_command("seed_demo", accounts=40, orders=400, opportunities=300, seed=3, as_of=TODAY, reset=True, verbosity=0)
    assert Opportunity.objects.exists()
    assert_rollup_exact("seed")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid IN ('funnel_opportunity'::regclass, "
            "'funnel_accountaudience'::regclass) AND tgenabled = 'O'"
        )
        enabled = {name for (name,) in cursor.fetchall()}
    assert {t for triggers in opportunity_rollup_sql.TRIGGERS.values() for t in triggers} <= enabled
