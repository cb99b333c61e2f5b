"""A real Chromium in Chinese walks the account page, the matrix and the runs page and reads no
English word that only untranslated text would carry (issue 12 item 1)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import build_world, make_order
from tests.browser.conftest import login
from tests.test_i18n import ENGLISH_WORDS
from tiering.models import TierOverride
from tiering.services import run_execute, run_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chinese_page(browser, live_server):  # noqa: ANN001, ANN201
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_chinese_reader_meets_no_english_on_the_tier_pages(chinese_page) -> None:
    # given a tiered account with a relationship type and a manager's pin, tiered by the demo loader
    world = build_world()
    world.account.relationship_type = "preferred_supplier"
    world.account.save()
    make_order(world.account, timezone.localdate() - timedelta(days=3), "5000.00", "500.00")
    TierOverride.objects.create(
        account=world.account,
        tier="A2",
        reason="总部决定",
        expires_on=timezone.localdate() + timedelta(days=30),
        created_by=world.director,
    )
    run_execute(run_id=run_request(trigger="seed_demo").pk)
    page = chinese_page
    login(page, "director")

    # when the reader walks the account page, the matrix and the runs page
    seen = {}
    for url in (f"/accounts/{world.account.pk}/", "/tiering/matrix/", "/tiering/runs/"):
        page.goto(url)
        expect(page.locator("main")).to_be_visible()
        text = page.locator("body").inner_text()
        seen[url] = [word for word in ENGLISH_WORDS if word in text]

    # then none of them shows an English word, and the reasons are there in Chinese
    assert seen == {url: [] for url in seen}
    page.goto(f"/accounts/{world.account.pk}/")
    expect(page.locator("#tier-reasons li").first).to_contain_text("分级")
