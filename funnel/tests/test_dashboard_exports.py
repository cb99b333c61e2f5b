"""The dashboard's new charts on the page and in their CSV and XLSX exports: labels in the
user's language, the page's filters, and who sees what (page, chart data and exports alike)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Account
from accounts.tests.factories import make_order, make_payment
from funnel.selectors import ALL_CHARTS
from funnel.tests.factories import make_opportunity, make_scored_run
from kam.testing import csv_download

pytestmark = pytest.mark.django_db

Q3 = {"quarter": "2026-Q3"}


def workbook_rows(answer) -> list[list]:  # noqa: ANN001
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(answer) -> list[list[str]]:  # noqa: ANN001
    return csv_download(answer)


@pytest.fixture
def signed_world(world):  # noqa: ANN001, ANN201
    # rep1's account signed in Q3 (an order and its first payment), rep4's only ordered
    Account.objects.filter(pk=world.account.pk).update(category="key", tier="A1")
    make_order(world.account, date(2026, 7, 15), "1111.11")
    make_payment(world.account, "1111.11", due_on=date(2026, 8, 1), paid_on=date(2026, 8, 1))
    make_order(world.other_account, date(2026, 7, 20), "4446.44")
    return world


def test_every_chart_exports_csv_and_xlsx_and_an_unknown_one_is_404(client, world) -> None:  # noqa: ANN001
    client.force_login(world.manager)
    for chart in ALL_CHARTS:
        assert client.get(reverse("funnel:dashboard_csv", args=[chart]), Q3).status_code == 200, chart
        answer = client.get(reverse("funnel:dashboard_xlsx", args=[chart]), Q3)
        assert (answer.status_code, answer["Content-Disposition"]) == (200, f'attachment; filename="{chart}.xlsx"')
        assert len(workbook_rows(answer)[0]) >= 2, chart
    assert client.get(reverse("funnel:dashboard_xlsx", args=["secrets"])).status_code == 404


def test_the_account_funnel_exports_as_csv_with_codes_and_as_xlsx_with_labels(client, signed_world) -> None:  # noqa: ANN001
    client.force_login(signed_world.owner)
    rows = csv_rows(client.get(reverse("funnel:dashboard_csv", args=["accounts"]), Q3))
    assert rows[0] == ["stage", "at_stage", "reached", "revenue", "at_start", "moved_on", "conversion"]
    # untiered on 30 June (no run yet), signed and fully paid since
    assert rows[1] == ["Target market", "0", "1", "0.00", "1", "1", "1.0000"]
    assert rows[7] == ["Qualified signed (fully paid)", "1", "1", "1111.11", "0", "0", ""]
    # the workbook: labels, amounts as numbers, an empty cell for "none"
    english = workbook_rows(client.get(reverse("funnel:dashboard_xlsx", args=["accounts"]), Q3))
    assert english[0] == [
        "Stage",
        "At this stage",
        "Reached",
        "Revenue",
        "At the start of the period",
        "Moved on",
        "Conversion",
    ]
    assert english[7] == ["Qualified signed (fully paid)", 1, 1, 1111.11, 0, 0, None]
    chinese = workbook_rows(
        client.get(reverse("funnel:dashboard_xlsx", args=["accounts"]), Q3, HTTP_ACCEPT_LANGUAGE="zh-hans")
    )
    assert chinese[0][:3] == ["阶段", "处于本阶段", "已到达"]
    assert chinese[7][0] == "合格成交客户（已全额付款）"


def test_an_existing_charts_xlsx_has_labels_and_its_stage_names(client, world) -> None:  # noqa: ANN001
    make_opportunity(world.account, stage="negotiation", amount="1000.00")
    client.force_login(world.owner)
    rows = workbook_rows(client.get(reverse("funnel:dashboard_xlsx", args=["funnel"]), Q3))
    assert rows[0] == ["Stage", "Count", "Amount", "Weighted"]
    assert rows[4] == ["Negotiation", 1, 1000, 750]
    conversion = workbook_rows(client.get(reverse("funnel:dashboard_xlsx", args=["conversion"]), Q3))
    assert [row[0] for row in conversion[1:3]] == ["First contact", "Needs understood"]


def test_a_formula_like_name_stays_text_in_the_workbook(client, world) -> None:  # noqa: ANN001
    Account.objects.filter(pk=world.account.pk).update(name='=HYPERLINK("http://x")', category="key", tier="A1")
    client.force_login(world.owner)
    answer = client.get(reverse("funnel:dashboard_xlsx", args=["whitespace"]))
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    # a string cell, unguarded: Excel never runs it
    assert (sheet["A2"].value, sheet["A2"].data_type) == ('=HYPERLINK("http://x")', "s")


@pytest.mark.parametrize(
    ("person", "rep1_figures", "rep4_figures"),
    [
        ("owner", True, False),
        ("teammate", False, False),
        ("other_rep", False, True),
        ("manager", True, False),
        ("other_manager", False, True),
        ("director", True, True),
    ],
)
def test_the_account_funnel_shows_only_the_persons_accounts(
    client,  # noqa: ANN001
    signed_world,  # noqa: ANN001
    person: str,
    rep1_figures: bool,
    rep4_figures: bool,
) -> None:
    client.force_login(getattr(signed_world, person))
    # when the page (tables and chart data), the CSV and the XLSX are opened for 2026-Q3
    page = client.get(reverse("funnel:dashboard"), Q3).content.decode()
    chart_data = page[page.index('id="dashboard-data"') :]
    exported = "\n".join(
        ",".join(row) for row in csv_download(client.get(reverse("funnel:dashboard_csv", args=["accounts"]), Q3))
    )
    workbook = workbook_rows(client.get(reverse("funnel:dashboard_xlsx", args=["accounts"]), Q3))
    revenue = {row[3] for row in workbook[1:]}
    # then each rep's revenue shows exactly to those who may see it, everywhere
    assert ("1111.11" in page, "1111.11" in chart_data, "1111.11" in exported, 1111.11 in revenue) == (
        (rep1_figures,) * 4
    )
    assert ("4446.44" in page, "4446.44" in chart_data, "4446.44" in exported, 4446.44 in revenue) == (
        (rep4_figures,) * 4
    )


def test_the_page_shows_every_new_chart_with_its_table_and_exports(client, signed_world) -> None:  # noqa: ANN001
    client.force_login(signed_world.director)
    page = client.get(reverse("funnel:dashboard"), Q3).content.decode()
    for chart, element in (
        ("accounts", "chart-accounts"),
        ("rep_accuracy", "chart-rep-accuracy"),
        ("tiers", "chart-tiers"),
        ("migrations", "chart-migrations"),
        ("segments", "chart-segments"),
        ("pyramid", "chart-pyramid"),
    ):
        assert f'id="{element}"' in page, chart
        assert f'id="table-{chart}"' in page, chart
        assert reverse("funnel:dashboard_xlsx", args=[chart]) + "?quarter=2026-Q3" in page, chart
    assert reverse("funnel:dashboard_xlsx", args=["funnel"]) in page
    table = page[page.index('id="table-accounts"') :]
    assert '<th scope="col">Reached</th>' in table


@pytest.mark.parametrize(
    ("person", "champions", "lost"),
    [("owner", "1", "0"), ("manager", "1", "0"), ("other_manager", "0", "1"), ("director", "1", "1")],
)
def test_the_tiering_exports_count_only_the_persons_accounts(
    client,  # noqa: ANN001
    world,  # noqa: ANN001
    person: str,
    champions: str,
    lost: str,
) -> None:
    # given a run placing rep1's account among the champions and rep4's among the lost
    make_scored_run(
        date(2026, 9, 1),
        {
            world.account: {"tier": "A1", "segment": "Champions", "pareto_class": "A"},
            world.other_account: {"tier": "C6", "segment": "Lost"},
        },
    )
    client.force_login(getattr(world, person))
    # when the segments and tier exports are opened for 2026-Q3
    segments = {row[0]: row[1] for row in csv_rows(client.get(reverse("funnel:dashboard_csv", args=["segments"]), Q3))}
    tiers = {row[0]: row[2] for row in csv_rows(client.get(reverse("funnel:dashboard_csv", args=["tiers"]), Q3))}
    # then
    assert (segments["Champions"], segments["Lost"]) == (champions, lost)
    assert (tiers["A1"], tiers["C6"]) == (champions, lost)
