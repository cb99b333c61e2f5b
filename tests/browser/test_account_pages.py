"""A real Chromium drives the account pages, on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from accounts.tests.factories import build_world, make_account, make_contact
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    world = build_world()
    make_account(world.owner, name="南方电子", region="华南")
    make_contact(world.account, name="张总", title="总经理", buying_role="decision_maker")
    return world


def test_a_rep_logs_in_searches_and_opens_an_account(page, world) -> None:
    login(page, "rep1")
    expect(page.locator("h1")).to_have_text("My work")  # a rep's landing page
    page.goto("/accounts/")
    rows = page.locator("#account-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#account-rows")).not_to_contain_text("北方重工")  # another team's account
    page.fill("#id_q", "南方")  # htmx swaps the rows in without a page load
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("南方电子")
    page.fill("#id_q", "")
    page.click("text=华东精密机械")
    expect(page.locator("h1")).to_contain_text("华东精密机械")
    expect(page.locator("body")).to_contain_text("张总")
    page.screenshot(path="/tmp/kam-account-page.png", full_page=True)


def test_bad_input_shows_the_error_and_keeps_what_was_typed(page, world) -> None:
    login(page, "rep1")
    page.goto(f"/accounts/{world.account.pk}/edit/")
    page.fill("#id_english_name", "Huadong Precision")
    page.fill("#id_annual_revenue", "-5")
    page.click("#save")
    expect(page.locator("#error-annual_revenue")).to_be_visible()
    expect(page.locator("#id_english_name")).to_have_value("Huadong Precision")
    assert Account.objects.get(pk=world.account.pk).english_name == ""


def test_an_integration_user_is_turned_away_at_login(page, world) -> None:
    world.integration.set_password("pw-for-tests-1")
    world.integration.save()
    login(page, "erp")
    expect(page.locator(".alert-danger")).to_contain_text("API-only")
