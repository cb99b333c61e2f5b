"""Revenue plan vs actual: actuals from the period's orders, cancelled ones excluded."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import make_account, make_order
from plans.selectors import revenue_report
from plans.tests.factories import make_plan

pytestmark = pytest.mark.django_db


def test_actuals_are_the_periods_orders_without_the_cancelled_ones(client, world) -> None:
    # given a Q2 plan and orders around and inside the quarter
    plan = make_plan(
        world.account, world.owner, "2026-Q2", revenue_target=Decimal("1000.00"), success_probability=35,
        profit_target=Decimal("200.00"),
    )  # fmt: skip
    make_order(world.account, date(2026, 3, 31), "500.00", "50.00")  # the day before
    make_order(world.account, date(2026, 4, 1), "300.00", "60.00")  # first day
    make_order(world.account, date(2026, 6, 30), "120.00", None)  # last day, margin unknown
    make_order(world.account, date(2026, 5, 5), "900.00", "90.00", status="cancelled")
    make_order(world.account, date(2026, 5, 6), "-20.00", "-4.00")  # a credit note reduces it
    make_order(world.account, date(2026, 7, 1), "700.00", "70.00")  # the day after
    client.force_login(world.owner)
    # when the plan page is shown
    page = client.get(reverse("plans:detail", args=[plan.pk])).context["page"]
    # then actual revenue is 300 + 120 − 20, margin 60 − 4 (the unknown one adds nothing)
    line = page.revenue
    assert (line.planned, line.expected, line.actual, line.planned_profit, line.actual_margin) == (
        Decimal("1000.00"),
        Decimal("350.00"),
        Decimal("400.00"),
        Decimal("200.00"),
        Decimal("56.00"),
    )


def test_plan_vs_actual_per_rep_and_team_over_what_one_sees(client, world) -> None:
    second = make_account(world.teammate, name="苏州新材料")
    make_plan(world.account, world.owner, "2026", revenue_target=Decimal("1000.00"), success_probability=50)
    make_plan(second, world.teammate, "2026", revenue_target=Decimal("500.00"), success_probability=20)
    make_plan(world.other_account, world.other_rep, "2026", revenue_target=Decimal("9000.00"))
    make_order(world.account, date(2026, 2, 1), "800.00")
    make_order(second, date(2026, 2, 1), "600.00")
    make_order(world.other_account, date(2026, 2, 1), "7000.00")
    report = revenue_report(user=world.manager, period="2026")
    assert [(t.group.username, t.planned, t.expected, t.actual, t.attainment) for t in report.per_rep] == [
        ("rep1", Decimal("1000.00"), Decimal("500.00"), Decimal("800.00"), Decimal("80.0")),
        ("rep2", Decimal("500.00"), Decimal("100.00"), Decimal("600.00"), Decimal("120.0")),
    ]
    assert [(str(t.group), t.plans, t.actual) for t in report.per_team] == [("Team 1", 2, Decimal("1400.00"))]
    director = revenue_report(user=world.director, period="2026")
    assert director.total.actual == Decimal("8400.00")
    client.force_login(world.other_manager)
    page = client.get(reverse("plans:revenue"), {"period": "2026"})
    assert [line.key.account for line in page.context["report"].lines] == [world.other_account]
    bad = client.get(reverse("plans:revenue"), {"period": "2026-Q5"}, follow=True)
    assert bad.status_code == 200
    assert "A period is a year" in bad.content.decode()
