"""A rep on a phone: lands on "my work", logs a visit with a key contact from the account page,
and sees the contact plan's next date move."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import build_world, make_contact
from plans.tests.factories import make_contact_plan
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    world = build_world()
    boss = make_contact(world.account, name="张总", title="总经理", buying_role="decision_maker")
    make_contact_plan(boss, world.owner, 14, date(2026, 1, 1))  # nobody in touch yet: overdue
    return world


def test_a_rep_logs_a_visit_and_the_next_contact_moves(page, world) -> None:
    # given a rep on a phone, landing on their work with an overdue contact
    login(page, "rep1")
    expect(page.locator("h1")).to_have_text("My work")
    expect(page.locator("#overdue-contacts")).to_contain_text("张总")
    # when they open the account from there and log yesterday's visit with 张总
    page.click("#overdue-contacts >> text=张总")
    row = page.locator("#contact-plan tbody tr")
    expect(row).to_contain_text("overdue")
    page.click("#log-activity")
    yesterday = timezone.localdate() - timedelta(days=1)
    page.select_option("#id_type", "visit")
    page.fill("#id_occurred_at", f"{yesterday.isoformat()}T10:00")
    page.fill("#id_duration_minutes", "60")
    page.get_by_label("张总").check()
    page.fill("#id_outcome", "同意试用")
    page.click("#save")
    # then the timeline shows the visit and the contact plan's next date is 14 days after it
    expect(page.locator("#timeline")).to_contain_text("同意试用")
    expect(row.locator(".next-contact")).to_have_text((yesterday + timedelta(days=14)).isoformat())
    expect(row).not_to_contain_text("overdue")
    assert page.evaluate("document.documentElement.scrollWidth") == 390  # no sideways scrolling
    page.screenshot(path="/tmp/kam-plans-phone.png", full_page=True)
