"""The stage-walk roll-up (funnel/walk_rollup_sql.py, migration funnel/0005) equals the walks
grouped per account audience, owner and UTC day begun, whatever sequence of writes reaches it:
stage changes back and forth (one and in bulk, dated in the future too), history rows moved and
deleted, owners, accounts and creation times changed, deals deleted, and the access table's own
steps moving accounts between audiences. And the stage statistics read from it equal those of
the live walks and of the history folded in Python, for every person and scope, in several time
zones, with deals begun on both sides of the `since` boundary."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Team, User
from accounts.tests.test_account_access import apply, index, people_and_accounts, pick
from accounts.tests.test_account_access import steps as access_steps
from funnel import rollups, selectors, services, walk_rollup_sql, walk_rollups, walks_sql
from funnel.domain import stages
from funnel.models import Opportunity, StageChange
from funnel.tests.rollup_checks import every_scope, rows

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the walk roll-up and its triggers are PostgreSQL's"),
]

PEOPLE, ACCOUNTS = 6, 6
ROLES = ["rep", "rep", "manager", "manager", "director", "integration"]
SINCE = date(2026, 1, 1)
NOW = datetime(2026, 2, 20, 9, 30, 15, 654_321, tzinfo=UTC)  # the reader truncates it to whole seconds
ZONES = ["UTC", "Asia/Shanghai", "America/New_York"]

hours = st.integers(-30, 30)  # deals begun around the local midnight of SINCE
moment = st.integers(0, 60 * 86_400 * 10**6)  # microseconds after it: up to ten days after NOW

walk_steps = st.one_of(
    st.tuples(st.just("deal"), index, index, hours, st.integers(0, 3599), st.sampled_from(stages.STAGES), moment),
    st.tuples(st.just("stage"), index, st.sampled_from(stages.STAGES), moment),
    st.tuples(st.just("bulk_stage"), st.sampled_from(stages.STAGES), moment),
    st.tuples(st.just("move_change"), index, index, moment),
    st.tuples(st.just("drop_change"), index, index),
    st.tuples(st.just("owner"), index, st.none() | index),
    st.tuples(st.just("account"), index, index),
    st.tuples(st.just("created"), index, hours, st.integers(0, 3599)),
    st.tuples(st.just("drop_deal"), index),
)
WALK_KINDS = {"deal", "stage", "bulk_stage", "move_change", "drop_change", "owner", "account", "created", "drop_deal"}


def boundary() -> datetime:
    """The local midnight starting SINCE in the current time zone."""
    return timezone.make_aware(datetime.combine(SINCE, time.min))


def stand_at_last_change() -> None:
    """Every deal at the stage of its last recorded change, as the services keep it (one UPDATE
    of many rows: won-ness may change for several deals at once)."""
    last = StageChange.objects.filter(opportunity=OuterRef("pk")).order_by("-changed_at", "-id")
    Opportunity.objects.update(stage=Coalesce(Subquery(last.values("to_stage")[:1]), F("stage")))


def apply_walks(step: tuple) -> None:
    """One write to deals or their history, through the services, the ORM or bulk statements."""
    kind, *args = step
    people = list(User.objects.order_by("pk"))
    accounts = list(Account.objects.order_by("pk"))
    deals = list(Opportunity.objects.order_by("pk"))
    deal = pick(deals, args[0]) if isinstance(args[0], int) else None
    if kind == "deal" and accounts:
        account, owner = pick(accounts, args[0]), pick(people, args[1])
        created = services.opportunity_create(
            user=owner,
            data={"account": account, "owner": owner, "name": "d", "amount": Decimal(100), "stage": args[4]},
            at=boundary() + timedelta(microseconds=args[5]),
        )
        begun = boundary() + timedelta(hours=args[2], seconds=args[3])
        Opportunity.objects.filter(pk=created.pk).update(created_at=begun)
    elif kind == "stage" and deal:
        services.opportunity_update(
            user=deal.owner or people[0],
            opportunity=deal,
            data={"stage": args[1]},
            at=boundary() + timedelta(microseconds=args[2]),
        )
    elif kind == "bulk_stage" and deals:  # one history INSERT of many deals' changes, then their stage
        at = boundary() + timedelta(microseconds=args[1])
        StageChange.objects.bulk_create(
            StageChange(opportunity=d, account_id=d.account_id, from_stage=d.stage, to_stage=args[0], changed_at=at)
            for d in deals
        )
    elif kind == "move_change" and deal:
        history = list(StageChange.objects.filter(opportunity=deal).order_by("pk"))
        if history:
            changed = pick(history, args[1])
            at = boundary() + timedelta(microseconds=args[2])
            StageChange.objects.filter(pk=changed.pk).update(changed_at=at)
    elif kind == "drop_change" and deal:
        history = list(StageChange.objects.filter(opportunity=deal).order_by("pk"))
        if history:
            StageChange.objects.filter(pk=pick(history, args[1]).pk).delete()
    elif kind == "owner" and deal:
        Opportunity.objects.filter(pk=deal.pk).update(owner=pick(people, args[1]))
    elif kind == "account" and deal and accounts:
        Opportunity.objects.filter(pk=deal.pk).update(account=pick(accounts, args[1]))
    elif kind == "created" and deal:
        Opportunity.objects.filter(pk=deal.pk).update(created_at=boundary() + timedelta(hours=args[1], seconds=args[2]))
    elif kind == "drop_deal" and deal:
        deal.delete()
    stand_at_last_change()


_team_names = itertools.count(1)


def apply_access(step: tuple) -> None:
    """The access table's own steps; a new team gets a name of its own (the shared step's name can
    repeat after a team is deleted)."""
    if step[0] == "new_team":
        Team.objects.create(name=f"W{next(_team_names)}", manager=pick(list(User.objects.order_by("pk")), step[1]))
    else:
        apply(step)


_AUDIENCE = """LEFT JOIN (SELECT account_id, array_agg(user_id ORDER BY user_id) AS users
                   FROM accounts_accountaccess GROUP BY account_id) AS a ON a.account_id = o.account_id"""
EXPECTED = f"""
    SELECT COALESCE(a.users, '{{}}'), COALESCE(o.owner_id, 0), (o.created_at AT TIME ZONE 'UTC')::date,
           {", ".join(walk_rollup_sql.measures("w", "o", "1"))}
    FROM funnel_stagewalk w JOIN funnel_opportunity o ON o.id = w.opportunity_id {_AUDIENCE}
    GROUP BY 1, 2, 3
"""  # noqa: S608 - written here
ROLLUP = f"""
    SELECT u.users, r.owner_key, r.created_day, {", ".join(f"r.{c}" for c in walk_rollup_sql.COLUMNS)}
    FROM funnel_walkrollup r JOIN funnel_audience u ON u.id = r.audience_id
"""  # noqa: S608 - written here


def assert_rollup_exact(step: object) -> None:
    assert rows(ROLLUP) == rows(EXPECTED), step


def statistics_three_ways(user: User, scope: selectors.Scope) -> tuple:
    """(from the roll-up, from the live walks, from the history folded in Python)."""
    from_rollup = selectors._stage_statistics(user=user, scope=scope, since=SINCE, now=NOW)
    with mock.patch.object(rollups, "applies", return_value=False):
        live = selectors._stage_statistics(user=user, scope=scope, since=SINCE, now=NOW)
    opportunities = selectors._scoped(Opportunity.objects.all(), user=user, scope=scope)
    python = selectors._stage_statistics_python(
        opportunities.filter(created_at__date__gte=SINCE), now=NOW.replace(microsecond=0)
    )
    return from_rollup, live, python


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    zone=st.sampled_from(ZONES),
    roles=st.lists(st.sampled_from(ROLES), min_size=PEOPLE, max_size=PEOPLE),
    owners=st.lists(st.integers(0, PEOPLE - 1), min_size=ACCOUNTS, max_size=ACCOUNTS),
    sequence=st.lists(st.one_of(access_steps, walk_steps, walk_steps), min_size=1, max_size=25),
)
def test_the_rollup_equals_the_walks_after_any_writes(zone: str, roles: list, owners: list, sequence: list) -> None:
    with override_settings(TIME_ZONE=zone), transaction.atomic():
        # given people, accounts and a deal on each, begun on either side of the boundary
        people_and_accounts(roles, owners)
        for i, owner in enumerate(owners):
            apply_walks(("deal", i, owner + i, 2 * i - 6, 1799 * (i % 3), stages.STAGES[i], 10**9 * (i + 1)))
        assert_rollup_exact("start")
        # when the writes run, then after each one the roll-up is the walks' sums
        for step in sequence:
            (apply_walks if step[0] in WALK_KINDS else apply_access)(step)
            assert_rollup_exact(step)
        # and the stage statistics read from it are the live walks' and the history's, for everyone
        scopes = every_scope()
        for user in User.objects.all():
            for scope in scopes:
                from_rollup, live, python = statistics_three_ways(user, scope)
                assert from_rollup == live == python, (zone, user.username, user.role, scope)
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ZONES)
def test_deals_on_both_sides_of_the_boundary_and_open_visits_in_the_future(zone: str) -> None:
    with override_settings(TIME_ZONE=zone):
        # given a director, and deals begun a second before, at and after the local midnight of
        # SINCE and a day later, one of them whose open visit begins after NOW
        director = User.objects.create(username="d", role="director")
        account = Account.objects.create(name="A", owner=director)
        for seconds, stage, at in [
            (-1, stages.PROPOSAL, NOW - timedelta(days=3)),
            (0, stages.NEGOTIATION, NOW.replace(microsecond=0) - timedelta(days=2)),
            (1, stages.SIGNED, NOW + timedelta(days=1)),
            (86_400, stages.FIRST_CONTACT, NOW.replace(microsecond=0) - timedelta(hours=5, microseconds=1)),
        ]:
            apply_walks(("deal", 0, 0, 0, 0, stage, 0))
            deal = Opportunity.objects.order_by("-pk").first()
            StageChange.objects.filter(opportunity=deal).update(changed_at=at)
            Opportunity.objects.filter(pk=deal.pk).update(created_at=boundary() + timedelta(seconds=seconds))
        assert account.opportunities.count() == 4
        # when the statistics are read from the roll-up
        found = {
            s.stage: s
            for s in selectors._stage_statistics(user=director, scope=selectors.Scope(), since=SINCE, now=NOW)
        }
        # then the deal begun before the boundary is left out, the future open visit counts 0 s,
        # and the others count whole seconds up to NOW in whole seconds
        assert found[stages.PROPOSAL].reached == 0
        assert (found[stages.NEGOTIATION].reached, found[stages.NEGOTIATION].seconds) == (1, 2 * 86_400)
        assert (found[stages.SIGNED].reached, found[stages.SIGNED].won, found[stages.SIGNED].seconds) == (1, 1, 0)
        assert (found[stages.FIRST_CONTACT].reached, found[stages.FIRST_CONTACT].seconds) == (1, 5 * 3600)
        assert list(found.values()) == statistics_three_ways(director, selectors.Scope())[1]


def test_the_first_whole_day_starts_after_the_local_midnight() -> None:
    for zone, expected in [
        ("UTC", date(2026, 1, 2)),
        ("Asia/Shanghai", date(2026, 1, 1)),
        ("America/New_York", date(2026, 1, 2)),
    ]:
        with override_settings(TIME_ZONE=zone):
            start, first_day = walk_rollups.first_whole_day(SINCE)
        assert start == boundary_in(zone)
        assert first_day == expected, zone
        assert datetime.combine(first_day, time.min, tzinfo=UTC) >= start + timedelta(hours=3)


def boundary_in(zone: str) -> datetime:
    with override_settings(TIME_ZONE=zone):
        return boundary()


def test_the_stage_codes_are_the_domains() -> None:
    assert tuple(stages.STAGES) == walks_sql.STAGES
    assert tuple(stages.WON_STAGES) == walk_rollup_sql.WON


@pytest.mark.django_db
def test_the_seed_fills_the_walk_rollup_as_the_triggers_would() -> None:
    """seed_demo loads with the walk roll-up's triggers off and fills it once at the end;
    afterwards it equals the walks' sums and its triggers are on again."""
    from django.core.management import call_command

    call_command(
        "seed_demo", accounts=40, orders=400, opportunities=300, seed=3, as_of=date(2026, 7, 6), reset=True, verbosity=0
    )
    assert rows("SELECT 1 FROM funnel_walkrollup")
    assert_rollup_exact("seed")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'funnel_walkrollup_%%' AND tgenabled = 'O'")
        enabled = {name for (name,) in cursor.fetchall()}
    assert {name for _table, name in walk_rollup_sql.TRIGGERS} == enabled


@pytest.mark.django_db
def test_the_audiences_emptied_at_once_fold_everything_again() -> None:
    # given deals on accounts with audiences
    people_and_accounts(ROLES, [0, 1, 2, 3, 4, 5])
    for i in range(ACCOUNTS):
        apply_walks(("deal", i, i, 0, 0, stages.STAGES[i], 0))
    assert rows("SELECT 1 FROM funnel_walkrollup WHERE audience_id <> 0")
    # when the account audiences are truncated (their old audiences unknown to a trigger)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE funnel_accountaudience")
    # then every walk is in audience 0, where the accounts now are (until the next settle)
    assert rows(ROLLUP) == rows(EXPECTED.replace(_AUDIENCE, "LEFT JOIN (SELECT NULL::bigint[] AS users) AS a ON true"))
    assert not rows("SELECT 1 FROM funnel_walkrollup WHERE audience_id <> 0")
