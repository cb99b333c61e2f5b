"""A real Chromium on the tier matrix (ECharts from static/vendor) and the assessment form."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import build_world, make_order
from tests.browser.conftest import login
from tiering.services import run_execute, run_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tiered(db):  # noqa: ANN001, ANN201
    world = build_world()
    make_order(world.account, timezone.localdate() - timedelta(days=3), "5000.00", "500.00")
    run_execute(run_id=run_request(trigger="test").pk)
    world.account.refresh_from_db()
    return world


def test_the_matrix_draws_a_chart_and_links_to_the_accounts_of_a_cell(page, tiered) -> None:
    login(page, "director")
    page.goto("/tiering/matrix/")
    expect(page.locator("#matrix-chart canvas")).to_have_count(1)  # ECharts rendered
    tier = tiered.account.tier
    page.click(f'#tier-matrix td[data-tier="{tier}"] a')
    expect(page).to_have_url(re.compile(rf"/accounts/\?tier={tier}$"))
    expect(page.locator("#account-rows tbody tr")).to_have_count(1)
    page.screenshot(path="/tmp/kam-matrix-accounts.png", full_page=True)


def test_an_assessment_makes_the_tier_final(page, tiered) -> None:
    login(page, "rep1")
    page.goto(f"/accounts/{tiered.account.pk}/")
    expect(page.locator("#provisional")).to_be_visible()
    page.click("#assess-link")
    for factor in ("differentiation", "value_vs_price", "leaning", "access_to_key_people", "purchase_rules"):
        page.select_option(f"#id_{factor}", "A")
    page.fill("#id_prospects_rating", "5")
    page.click("#save")
    expect(page.locator(".alert-success")).to_be_visible()
    run_execute(run_id=run_request(trigger="test").pk)
    page.reload()
    expect(page.locator("#provisional")).to_have_count(0)


CATEGORY_COLOURS = {  # static/kam/kam.css, as the browser computes them
    "key": "rgb(209, 231, 221)",
    "normal": "rgb(207, 226, 255)",
    "possible": "rgb(255, 243, 205)",
    "unattractive": "rgb(248, 215, 218)",
}


def test_at_phone_width_every_matrix_column_is_reachable_in_its_category_colour(page, tiered) -> None:
    # given the matrix on a 390 px phone
    login(page, "director")
    page.goto("/tiering/matrix/")
    width = page.viewport_size["width"]
    assert width == 390
    # then every cell, the sixth column's too, can be scrolled into view and is painted in the
    # colour of its category, as the legend's badge of that category is
    from tiering.domain.matrix import TIER_CATEGORY, TIERS

    for tier in TIERS:
        cell = page.locator(f'#tier-matrix td[data-tier="{tier}"]')
        cell.scroll_into_view_if_needed()
        box = cell.bounding_box()
        assert (box["x"] >= 0, box["x"] + box["width"] <= width) == (True, True), tier
        colour = cell.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour == CATEGORY_COLOURS[TIER_CATEGORY[tier]], tier
    for category, colour in CATEGORY_COLOURS.items():
        legend = page.locator(f"p .badge.cat-{category}")
        assert legend.evaluate("el => getComputedStyle(el).backgroundColor") == colour
    # and the page itself does not scroll sideways: the table scrolls inside its box
    assert page.evaluate("document.documentElement.scrollWidth") == width
    page.screenshot(path="/tmp/kam-matrix-phone.png", full_page=True)
