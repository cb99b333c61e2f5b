"""The stage walks (funnel.models.StageWalk, kept by PostgreSQL triggers on the history) give the
conversion and time-in-stage figures that folding the history itself gives, whatever writes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import make_account
from funnel import selectors, services
from funnel.domain import stages
from funnel.models import Opportunity, StageChange, StageWalk
from funnel.tests.factories import make_opportunity

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY_US = 86_400 * 10**6
# A step: the stage entered and when, in microseconds after T0: whole days (ties happen) or any.
_step = st.tuples(
    st.sampled_from(stages.STAGES),
    st.one_of(st.integers(0, 5).map(lambda days: days * DAY_US), st.integers(0, 50 * DAY_US)),
)
_walk = st.lists(_step, min_size=1, max_size=8)
_edit = st.sampled_from(["none", "move_one", "drop_one", "second_statement"])


def _figures(now: datetime) -> tuple[list, list]:
    opportunities = Opportunity.objects.all()
    return (
        selectors._stage_statistics_sql(opportunities, now=now),
        selectors._stage_statistics_python(opportunities, now=now),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(walks=st.lists(st.tuples(_walk, _edit), min_size=1, max_size=5), now_days=st.integers(-1, 400))
def test_the_walks_give_the_figures_of_the_history_on_any_histories(world, walks, now_days) -> None:  # noqa: ANN001
    # given opportunities whose histories move back and forth, with ties, written out of order
    # in one or two statements, then one change moved or dropped by plain SQL writes
    Opportunity.objects.all().delete()
    for walk, edit in walks:
        deal = make_opportunity(world.account)
        StageChange.objects.filter(opportunity=deal).delete()
        rows = [
            StageChange(
                opportunity=deal, account=world.account, to_stage=stage, changed_at=T0 + timedelta(microseconds=us)
            )
            for stage, us in reversed(walk)
        ]
        if edit == "second_statement" and len(rows) > 1:
            StageChange.objects.bulk_create(rows[:1])
            StageChange.objects.bulk_create(rows[1:])
        else:
            StageChange.objects.bulk_create(rows)
        history = StageChange.objects.filter(opportunity=deal).order_by("changed_at", "id")
        if edit == "move_one":
            history.filter(pk=history.first().pk).update(changed_at=T0 + timedelta(days=3, seconds=7))
        elif edit == "drop_one" and len(rows) > 1:
            history.filter(pk=history.last().pk).delete()
        # the deal stands at its last recorded stage, as the services keep it
        Opportunity.objects.filter(pk=deal.pk).update(stage=history.last().to_stage)
    # when the chart is read at any moment, before or after the changes
    sql, python = _figures(T0 + timedelta(days=now_days, microseconds=now_days * 7919))
    # then the walks give every figure of the history, one walk per deal
    assert sql == python
    assert StageWalk.objects.count() == Opportunity.objects.count()


def test_a_deal_moved_back_and_forth_by_the_services_keeps_its_walk(world) -> None:  # noqa: ANN001
    # given a deal moved forward, back, forward and won, through the stage-change service
    deal = make_opportunity(world.account, stage=stages.FIRST_CONTACT)
    StageChange.objects.filter(opportunity=deal).update(changed_at=T0)
    for day, stage in enumerate([stages.PROPOSAL, stages.NEEDS_UNDERSTOOD, stages.PROPOSAL, stages.SIGNED], 1):
        services.opportunity_update(
            user=world.owner, opportunity=deal, data={"stage": stage}, at=T0 + timedelta(days=day * 2)
        )
    # then its walk counts each visit and the finished visits' seconds
    walk = StageWalk.objects.get(opportunity=deal)
    assert (walk.visits_first_contact, walk.visits_needs_understood, walk.visits_proposal, walk.visits_signed) == (
        1,
        1,
        2,
        1,
    )
    assert (walk.seconds_first_contact, walk.seconds_needs_understood, walk.seconds_proposal) == (
        2 * 86400,
        2 * 86400,
        4 * 86400,
    )
    assert (walk.seconds_signed, walk.last_stage, walk.last_at) == (0, stages.SIGNED, T0 + timedelta(days=8))
    assert walk.furthest == 4  # signed, in the forward order


def test_deleting_a_deal_or_its_account_removes_its_walk(world) -> None:  # noqa: ANN001
    # given two deals with walks, one on an account of its own
    kept = make_opportunity(world.account)
    gone = make_opportunity(world.account)
    other = make_opportunity(make_account(world.owner, name="Doomed"))
    # when one deal is deleted and the other's account too
    gone.delete()
    other.account.delete()
    # then only the kept deal has a walk
    assert list(StageWalk.objects.values_list("opportunity_id", flat=True)) == [kept.pk]


def test_the_history_emptied_at_once_leaves_no_walk(world) -> None:  # noqa: ANN001
    from django.db import connection

    # given a deal with its walk
    make_opportunity(world.account)
    # when its history is truncated (as a flush or a reset does)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses while key checks wait
        cursor.execute(f"TRUNCATE {StageChange._meta.db_table}")  # noqa: S608 - a table name from _meta
    # then no walk is left
    assert not StageWalk.objects.exists()
