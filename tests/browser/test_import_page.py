"""A real Chromium uploads a CSV, reads the preview and confirms it, on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from accounts.models import Order
from accounts.tests.factories import build_world
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = '\ufeffERP 编号,客户 ERP 编号,订单日期,金额,毛利\nSO-1,C-1,2026/3/2,"12,500.00",3100\nSO-2,C-404,2026/3/3,10,1\n'


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    return build_world()


def test_a_rep_uploads_a_csv_sees_the_problems_and_confirms(page, world) -> None:
    login(page, "rep1")
    page.goto("/integrations/import/")
    page.select_option("#id_kind", "orders")
    page.set_input_files("#id_file", files=[{"name": "订单.csv", "mimeType": "text/csv", "buffer": CSV.encode()}])
    page.click("#preview")
    expect(page.locator("#count-created")).to_contain_text("1")
    expect(page.locator("#count-error")).to_contain_text("1")
    problem = page.locator("#import-rows tr.table-danger")
    expect(problem).to_contain_text("3")
    expect(problem).to_contain_text('Account "C-404" does not exist.')
    page.screenshot(path="/tmp/kam-import-preview.png", full_page=True)
    assert not Order.objects.exists()
    page.click("#confirm")
    expect(page.locator(".alert-success")).to_contain_text("Imported 订单.csv.")
    expect(page.locator("#confirm")).to_have_count(0)
    assert list(Order.objects.values_list("external_id", "amount")) == [("SO-1", 12500)]
