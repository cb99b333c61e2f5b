"""A real Chromium on the funnel: the manager dashboard's charts carry data points (not just a
canvas; the account funnel and the tier heatmap at phone width too), and the pipeline board
moves a card by drag and drop and by its menu."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import build_world
from funnel.models import Opportunity
from funnel.tests.factories import make_opportunity
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pipeline(db):  # noqa: ANN001, ANN201
    world = build_world()
    make_opportunity(world.account, name="Won deal", stage="signed", amount=Decimal("9000.00"), closed_at=date.today())
    for name, stage in (("Deal A", "proposal"), ("Deal B", "proposal"), ("Deal C", "negotiation")):
        make_opportunity(world.account, name=name, stage=stage, amount=Decimal("1000.00"))
    make_opportunity(world.other_account, name="Other team", stage="first_contact")
    return world


def test_the_managers_funnel_chart_has_data_points(page, pipeline) -> None:  # noqa: ANN001
    login(page, "manager1")
    page.goto("/funnel/dashboard/")
    expect(page.locator("#chart-funnel canvas")).to_have_count(1)
    counts = page.evaluate("window.kamCharts['chart-funnel'].getOption().series[0].data")
    # first contact, needs understood, proposal, negotiation, signed, paid, lost: Team 1 only
    assert counts == [0, 0, 2, 1, 1, 0, 0]
    expect(page.locator("#table-funnel tbody tr")).to_have_count(7)


def test_the_managers_account_funnel_and_tier_heatmap_have_data_points_at_phone_width(page, pipeline) -> None:  # noqa: ANN001
    from accounts.models import Account
    from accounts.tests.factories import make_account, make_order, make_payment

    # given rep1's account signed (an order and its first payment) and an untiered one; rep4's apart
    Account.objects.filter(pk=pipeline.account.pk).update(category="key", tier="A1")
    make_order(pipeline.account, date.today(), "500.00")
    make_payment(pipeline.account, "500.00", due_on=date.today(), paid_on=date.today())
    make_account(pipeline.owner, name="Untiered Co")
    page.set_viewport_size({"width": 360, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, "manager1")
    page.goto("/funnel/dashboard/")
    expect(page.locator("#chart-accounts canvas")).to_have_count(1)
    expect(page.locator("#chart-pyramid canvas")).to_have_count(1)
    reached = page.evaluate("window.kamCharts['chart-accounts'].getOption().series[0].data")
    # target market, prospects, possible, normal, key, signed, qualified signed: Team 1's two accounts
    assert reached == [2, 1, 1, 1, 1, 1, 1]
    expect(page.locator("#table-accounts tbody tr")).to_have_count(7)
    # the heatmap draws 18 cells (no run yet: all zero), the page does not scroll sideways
    cells = page.evaluate("window.kamCharts['chart-tiers'].getOption().series[0].data.length")
    assert cells == 18
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []


def test_a_card_moves_by_drag_and_drop_and_by_its_menu(page, pipeline) -> None:  # noqa: ANN001
    page.set_viewport_size({"width": 1600, "height": 900})
    login(page, "rep1")
    page.goto("/funnel/")
    deal_a = Opportunity.objects.get(name="Deal A")
    card = page.locator(f"#card-{deal_a.pk} .drag-handle")
    target = page.locator('.pipeline-cards[data-stage="negotiation"]')
    with page.expect_response(lambda response: response.url.endswith(f"/funnel/{deal_a.pk}/move/")) as moved:
        card.drag_to(target)
    assert moved.value.status == 200
    expect(page.locator(f'.pipeline-cards[data-stage="negotiation"] #card-{deal_a.pk}')).to_have_count(1)
    expect(page.locator(f"#card-{deal_a.pk} select[name=stage]")).to_have_value("negotiation")
    assert Opportunity.objects.get(pk=deal_a.pk).stage == "negotiation"

    # the keyboard/menu way: choose the stage and press Move
    deal_b = Opportunity.objects.get(name="Deal B")
    page.select_option(f"#move-{deal_b.pk}", "lost")
    with page.expect_response(lambda response: response.url.endswith(f"/funnel/{deal_b.pk}/move/")):
        page.locator(f"#card-{deal_b.pk} button[type=submit]").click()
    expect(page.locator(f"#card-{deal_b.pk} select[name=stage]")).to_have_value("lost")
    assert Opportunity.objects.get(pk=deal_b.pk).stage == "lost"


def test_at_phone_width_the_board_is_a_list(page, pipeline) -> None:  # noqa: ANN001
    login(page, "rep1")
    page.goto("/funnel/")
    expect(page.locator("#board")).to_be_hidden()
    expect(page.locator("#pipeline-list li")).to_have_count(4)
