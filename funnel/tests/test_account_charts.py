"""The dashboard's account charts, counted in the database: the account funnel and its
conversion over a quarter, the tier matrix, migrations, RFM segments and the pyramid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Account, Order
from accounts.tests.factories import make_account, make_order, make_payment
from funnel.domain.quarters import Quarter
from funnel.selectors import Scope
from funnel.selectors_accounts import account_funnel, tiering_charts
from funnel.tests.factories import make_scored_run

pytestmark = pytest.mark.django_db

Q3 = Quarter(2026, 3)
TODAY = date(2026, 11, 30)


@pytest.fixture
def funnel_world(world):  # noqa: ANN001, ANN201
    """rep1's four accounts (manager1's team) at different stages, and rep4's signed one."""
    signing = world.account  # possible on 30 June; signed and paid in Q3; a new open receivable since
    Account.objects.filter(pk=signing.pk).update(category="key", tier="A2")
    make_order(signing, date(2026, 5, 1), "1000.00")
    make_order(signing, date(2026, 7, 15), "400.00")
    make_payment(signing, "1000.00", due_on=date(2026, 7, 31), paid_on=date(2026, 8, 1))
    make_payment(signing, "400.00", due_on=date(2026, 12, 1))  # not open yet on 30 September
    normal = make_account(world.owner, name="Normal Co", category="normal", tier="A3")
    make_order(normal, date(2026, 8, 10), "250.50")  # an order, but nothing paid: not signed
    make_order(normal, date(2026, 8, 11), "999.00", status=Order.Status.CANCELLED)
    unattractive = make_account(world.owner, name="Unattractive Co", category="unattractive", tier="C6")
    untiered = make_account(world.owner, name="Untiered Co")
    Account.objects.filter(pk=world.other_account.pk).update(category="key", tier="A1")
    make_order(world.other_account, date(2026, 7, 1), "5000.00")
    make_payment(world.other_account, "5000.00", due_on=date(2026, 7, 1), paid_on=date(2026, 7, 1))
    make_scored_run(
        date(2026, 6, 30),
        {
            signing: {"tier": "A4", "category": "possible"},
            normal: {"tier": "A3", "category": "normal"},
            unattractive: {"tier": "C6", "category": "unattractive"},
            world.other_account: {"tier": "A1", "category": "key"},
        },
    )
    world.accounts = (signing, normal, unattractive, untiered)
    return world


def rows_of(result) -> dict:  # noqa: ANN001
    return {
        row.stage: (row.at_stage, row.reached, row.revenue, row.conversion.at_start, row.conversion.moved_on,
                    row.conversion.conversion)
        for row in result.rows
    }  # fmt: skip


def test_the_account_funnel_counts_stages_revenue_and_conversion_of_the_managers_team(funnel_world) -> None:  # noqa: ANN001
    # when manager1 opens the 2026-Q3 account funnel after the quarter ended
    result = account_funnel(user=funnel_world.manager, scope=Scope(), quarter=Q3, today=TODAY)
    # then rep1's four accounts, not rep4's: now, reached, Q3 revenue; on 30 June vs 30 September
    assert (result.start, result.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert rows_of(result) == {
        "target_market": (1, 4, Decimal("0.00"), 1, 0, Decimal("0.0000")),
        "prospect": (1, 3, Decimal("0.00"), 1, 0, Decimal("0.0000")),
        "possible": (0, 2, Decimal("0.00"), 1, 1, Decimal("1.0000")),
        "normal": (1, 2, Decimal("250.50"), 1, 0, Decimal("0.0000")),
        "key": (0, 1, Decimal("0.00"), 0, 0, None),
        # signed now (a receivable is open), fully paid on 30 September
        "signed": (1, 1, Decimal("400.00"), 0, 0, None),
        "qualified_signed": (0, 0, Decimal("0.00"), 0, 0, None),
    }


def test_the_director_sees_every_account_and_a_team_narrows_it(funnel_world) -> None:  # noqa: ANN001
    everyone = rows_of(account_funnel(user=funnel_world.director, scope=Scope(), quarter=Q3, today=TODAY))
    # rep4's account: key on 30 June, paid on 1 July with nothing open: qualified signed since
    assert everyone["target_market"][:2] == (1, 5)
    assert everyone["qualified_signed"][:3] == (1, 1, Decimal("5000.00"))
    assert everyone["key"][3:] == (1, 1, Decimal("1.0000"))
    team2 = funnel_world.other_rep.team
    narrowed = rows_of(account_funnel(user=funnel_world.director, scope=Scope(team=team2), quarter=Q3, today=TODAY))
    assert [narrowed[stage][0] for stage in narrowed] == [0, 0, 0, 0, 0, 0, 1]


def test_the_account_funnel_honours_region_industry_and_tier(funnel_world) -> None:  # noqa: ANN001
    Account.objects.filter(pk=funnel_world.accounts[1].pk).update(region="East China", industry="Machinery")
    scope = Scope(region="East China", industry="Machinery", tier="A3")
    rows = rows_of(account_funnel(user=funnel_world.manager, scope=scope, quarter=Q3, today=TODAY))
    assert {stage: row[0] for stage, row in rows.items() if row[0]} == {"normal": 1}
    assert (
        rows_of(account_funnel(user=funnel_world.manager, scope=Scope(tier="B1"), quarter=Q3, today=TODAY))[
            "target_market"
        ][1]
        == 0
    )


def test_a_rep_sees_only_their_own_accounts(funnel_world) -> None:  # noqa: ANN001
    mine = rows_of(account_funnel(user=funnel_world.other_rep, scope=Scope(), quarter=Q3, today=TODAY))
    assert mine["target_market"][1] == 1
    assert mine["qualified_signed"][0] == 1


def test_the_running_quarter_compares_with_today(funnel_world) -> None:  # noqa: ANN001
    # Q4 up to 30 November: on 30 September the signing account was fully paid, today a
    # receivable is open again (signed): it fell back, which is not moving on
    rows = rows_of(account_funnel(user=funnel_world.manager, scope=Scope(), quarter=Quarter(2026, 4), today=TODAY))
    assert rows["qualified_signed"][3:] == (1, 0, None)
    assert rows["signed"][0] == 1


def test_tiering_charts_read_the_run_current_at_the_periods_end(funnel_world) -> None:  # noqa: ANN001
    signing, normal, unattractive, untiered = funnel_world.accounts
    make_scored_run(
        date(2026, 9, 15),
        {
            signing: {"tier": "A2", "category": "key", "segment": "Champions", "pareto_class": "A",
                      "monetary": "1400.00"},
            normal: {"tier": "A3", "category": "normal", "segment": "Loyal", "pareto_class": "B", "monetary": "250.50"},
            unattractive: {"tier": "C6", "segment": "Lost", "pareto_class": "C"},
            untiered: {"tier": "C4", "category": "possible", "segment": "New", "pareto_class": "C",
                       "monetary": "-20.00"},
            funnel_world.other_account: {"tier": "A1", "category": "key", "segment": "Champions",
                                         "pareto_class": "A", "monetary": "5000.00"},
        },
    )  # fmt: skip
    make_scored_run(date(2026, 10, 15), {signing: {"tier": "C6"}})  # after the quarter: not read
    # when
    charts = tiering_charts(user=funnel_world.manager, scope=Scope(), quarter=Q3, today=TODAY)
    # then rep1's accounts in the 15 September run, compared with the 30 June one
    assert (charts.run.as_of, charts.previous.as_of) == (date(2026, 9, 15), date(2026, 6, 30))
    matrix = {cell.label: (cell.accounts, cell.revenue) for row in charts.matrix for cell in row}
    assert len(matrix) == 18
    assert {tier: value for tier, value in matrix.items() if value[0]} == {
        "A2": (1, Decimal("1400.00")),
        "A3": (1, Decimal("250.50")),
        "C4": (1, Decimal("-20.00")),
        "C6": (1, Decimal("0.00")),
    }
    assert [(m.before, m.after, m.accounts) for m in charts.migrations] == [("", "C4", 1), ("A4", "A2", 1)]
    segments = {c.label: c.accounts for c in charts.segments}
    assert (len(segments), segments["Champions"], segments["Loyal"], segments["Lost"], segments["New"]) == (
        11,
        1,
        1,
        1,
        1,
    )
    assert [(c.label, c.accounts, c.revenue) for c in charts.pyramid] == [
        ("A", 1, Decimal("1400.00")),
        ("B", 1, Decimal("250.50")),
        ("C", 2, Decimal("-20.00")),
    ]


def test_without_a_run_the_tiering_charts_are_empty(world) -> None:  # noqa: ANN001
    charts = tiering_charts(user=world.director, scope=Scope(), quarter=Q3, today=TODAY)
    assert (charts.run, charts.previous, charts.migrations) == (None, None, [])
    assert sum(cell.accounts for row in charts.matrix for cell in row) == 0
