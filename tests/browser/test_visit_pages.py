"""A rep on a phone checks in at a planned visit from "my work" (the browser gives its
position), records it, and sees the contact plan's next date move; a manager reads the visit
completion rate on a 360 px phone, chart and table."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import build_world, make_contact
from plans.models import Visit
from plans.tests.factories import make_contact_plan
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    world = build_world()
    boss = make_contact(world.account, name="张总", title="总经理", buying_role="decision_maker")
    make_contact_plan(boss, world.owner, 14, date(2026, 1, 1))  # nobody in touch yet: overdue
    Visit.objects.create(account=world.account, owner=world.owner, planned_on=timezone.localdate())
    return world


@pytest.fixture
def phone(browser, live_server):  # noqa: ANN001, ANN201
    """A phone whose browser gives a position in Shanghai."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 31.230416, "longitude": 121.473701},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_rep_checks_in_at_a_visit_and_the_next_contact_moves(phone, world) -> None:
    # given a rep on a phone with a visit planned today and an overdue key contact
    login(phone, "rep1")
    expect(phone.locator("#visits")).to_contain_text("华东精密机械")
    # when they check in from "my work", the browser giving the position, and record the visit
    phone.click("#visits >> text=Check in")
    expect(phone.locator("#location-status")).to_have_text("Location found.")
    phone.get_by_label("张总").check()
    phone.fill("#id_notes", "现场交流，参观产线")
    phone.fill("#id_outcome", "同意试用")
    phone.click("#check-in")
    # then the account page says where, the timeline has the visit, the contact plan moved on
    expect(phone.locator("body")).to_contain_text("Checked in at 31.230416, 121.473701.")
    expect(phone.locator("#timeline")).to_contain_text("同意试用")
    row = phone.locator("#contact-plan tbody tr")
    expect(row.locator(".next-contact")).to_have_text((timezone.localdate() + timedelta(days=14)).isoformat())
    expect(row).not_to_contain_text("overdue")
    assert phone.evaluate("document.documentElement.scrollWidth") == 390  # no sideways scrolling
    visit = Visit.objects.get()
    assert (visit.status, str(visit.latitude)) == ("done", "31.230416")


def test_a_manager_reads_the_visit_rates_on_a_small_phone(browser, live_server, world) -> None:
    Visit.objects.create(
        account=world.account, owner=world.owner, planned_on=timezone.localdate() - timedelta(days=1)
    )  # missed
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    login(page, "manager1")
    page.goto("/plans/visits/rates/")
    expect(page.locator("h1")).to_contain_text("Visit completion rate")
    expect(page.locator("#rates-reps")).to_contain_text("rep1")
    page.wait_for_function("window.kamCharts && window.kamCharts['chart-visit-rates']")
    assert page.evaluate("document.documentElement.scrollWidth") == 360
    page.screenshot(path="/tmp/kam-visit-rates-360.png", full_page=True)
    context.close()
