"""At 360 px, in English and Chinese: a rep proposes a potential key account's development from
the account page, their manager returns it from "my work"; the time-allocation chart carries
its data points and nothing scrolls sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Account
from accounts.tests.factories import build_world
from plans.models import DevelopmentProposal
from plans.tests.factories import make_activity, make_potential_key
from tests.browser.conftest import login
from tests.test_i18n import ENGLISH_WORDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 360


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    world = build_world()
    make_potential_key(world.account)
    Account.objects.filter(pk=world.other_account.pk).update(category="key")
    yesterday = timezone.now() - timedelta(days=1)
    make_activity(world.account, yesterday, participants=(world.owner,), duration_minutes=90)
    make_activity(world.other_account, yesterday, participants=(world.other_rep,), duration_minutes=30)
    world.month = timezone.localtime(yesterday).strftime("%Y-%m")  # not the default quarter: no edge on the 1st
    return world


def _phone(browser, live_server, chinese: bool = False):  # noqa: ANN001, ANN202
    extra = {"locale": "zh-CN", "extra_http_headers": {"Accept-Language": "zh-hans"}} if chinese else {}
    context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": 780}, **extra)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _no_sideways_scroll(page) -> None:  # noqa: ANN001
    assert page.evaluate("document.documentElement.scrollWidth") == WIDTH


def test_a_rep_proposes_and_the_manager_returns_it_on_a_phone(browser, live_server, world) -> None:  # noqa: ANN001
    context, page = _phone(browser, live_server)
    login(page, "rep1")
    page.goto(f"/accounts/{world.account.pk}/")
    page.click("#new-proposal")
    page.fill("#id_forecast_sales", "1000000")
    page.fill("#id_margin_percent", "20")
    page.fill("#id_management_cost", "50000")
    page.fill("#id_travel_cost", "20000")
    page.fill("#id_other_cost", "30000")
    _no_sideways_scroll(page)
    page.click("#save")
    expect(page.locator("#expected-profit")).to_have_text("100,000.00")
    _no_sideways_scroll(page)
    page.click("#submit-proposal")
    expect(page.locator("#proposal-status")).to_have_text("Submitted")
    context.close()

    context, page = _phone(browser, live_server)
    login(page, "manager1")
    page.goto("/plans/my-work/")
    page.click("#proposals-to-approve a")
    page.fill("#id_comment", "请补充风险分析")
    page.click("#return-proposal")
    expect(page.locator("#proposal-status")).to_have_text("Returned")
    _no_sideways_scroll(page)
    context.close()
    assert DevelopmentProposal.objects.get().return_comment == "请补充风险分析"


@pytest.mark.parametrize("chinese", [False, True])
def test_the_time_allocation_chart_has_data_points_at_360px(browser, live_server, world, chinese) -> None:  # noqa: ANN001
    context, page = _phone(browser, live_server, chinese=chinese)
    login(page, "manager1")
    page.goto(f"/plans/time-allocation/?period={world.month}")
    expect(page.locator("#chart-time-allocation canvas")).to_have_count(1)
    series = page.evaluate("window.kamCharts['chart-time-allocation'].getOption().series")
    # Team 1's 90 minutes are all on a possible account; the other team's key account is not theirs
    assert series[0]["data"] == [0, 0, 100, 0, 0]
    assert series[1]["data"] == [60, 30, 10, None, None]
    expect(page.locator("#table-total tbody tr")).to_have_count(5)
    _no_sideways_scroll(page)
    if chinese:
        text = page.locator("main").inner_text()
        assert [word for word in ENGLISH_WORDS if word in text] == []
        expect(page.locator("h1")).to_contain_text("时间分配")
    context.close()
