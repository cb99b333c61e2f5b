import os

import pytest

from conftest import CHROMIUM

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# test's own setup happen before any page is driven, so this is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    from playwright.sync_api import expect, sync_playwright

    # expect()'s own 5 s default, not the page's: the API docs' Swagger UI has missed it on a
    # loaded 2-core CI machine. A wait, not a speed target (those live in bench/).
    expect.set_options(timeout=20_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):  # noqa: ANN001, ANN201
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def login(page, username: str, password: str = "pw-for-tests-1") -> None:  # noqa: ANN001
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
