"""Every main page runs under the Content-Security-Policy (no inline scripts) without one
violation, and the behaviour moved out of inline handlers (static/kam/kam.js) still works."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Account
from accounts.tests.factories import build_world, make_order
from tests.browser.conftest import login
from tiering.services import run_execute, run_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded before any page script runs (an init script is not subject to the page's CSP).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def tiered(db):  # noqa: ANN001, ANN201
    world = build_world()
    make_order(world.account, timezone.localdate() - timedelta(days=3), "5000.00", "500.00")
    run_execute(run_id=run_request(trigger="test").pk)
    world.director.is_staff = world.director.is_superuser = True  # the admin pages too
    world.director.save(update_fields=["is_staff", "is_superuser"])
    return world


def test_the_main_pages_load_without_a_csp_violation(page, tiered) -> None:  # noqa: ANN001
    # given a director whose browser records every CSP report and console error
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.add_init_script(LISTEN)
    login(page, "director")
    pages = [
        "/accounts/",
        f"/accounts/{tiered.account.pk}/",
        f"/accounts/{tiered.account.pk}/edit/",
        "/tiering/matrix/",
        "/tiering/needs-assessment/",
        "/tiering/migration/",
        "/tiering/runs/",
        "/tiering/settings/",
        "/plans/my-work/",
        "/plans/visits/rates/",
        "/plans/visits/intervals/",
        "/integrations/import/",
        "/integrations/webhooks/",
        "/integrations/webhooks/deliveries/",
        "/api-tokens/",
        "/api/docs/",
        "/api/v1/accounts/?format=api",
        "/admin/",
        "/admin/accounts/account/",
    ]
    violations = {}
    for path in pages:
        # when each page loads and its scripts have run
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__csp")
        if found:
            violations[path] = found
    # then nothing was blocked, and the charts and the API docs did draw
    assert violations == {}
    assert [text for text in console if "Content Security Policy" in text] == []


def test_the_api_docs_render_under_the_csp(page, tiered) -> None:  # noqa: ANN001
    login(page, "director")
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("KAM CRM API")


def test_the_matrix_chart_draws_under_the_csp(page, tiered) -> None:  # noqa: ANN001
    login(page, "director")
    page.goto("/tiering/matrix/")
    expect(page.locator("#matrix-chart canvas")).to_have_count(1)


def test_the_language_menu_switches_the_language(page, tiered) -> None:  # noqa: ANN001
    login(page, "rep1")
    page.goto("/accounts/")
    page.click(".navbar-toggler")  # a phone: the menu is folded
    page.select_option("select[name=language]", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_deleting_an_account_asks_first_and_a_no_keeps_it(page, tiered) -> None:  # noqa: ANN001
    # given a manager on an account page
    login(page, "manager1")
    page.goto(f"/accounts/{tiered.account.pk}/")
    # when they press delete and answer "cancel", the account stays
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form[data-confirm] button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/accounts/{tiered.account.pk}/$"))
    assert Account.objects.filter(pk=tiered.account.pk).exists()
    # when they answer "OK", it is deleted
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[data-confirm] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/$"))
    assert not Account.objects.filter(pk=tiered.account.pk).exists()
