"""The account list's export is for people: the page's labels in the user's language, the
effective and computed tier, category, scores and the owner by name; it streams."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tiering import services
from tiering.tests.factories import build_tiered_world

pytestmark = pytest.mark.django_db

HEADER = [
    "Account",
    "English name",
    "ERP ID",
    "Tier",
    "Computed tier",
    "Category",
    "Pinned by a manager",
    "Recency (days)",
    "Orders in window",
    "Revenue in window",
    "R score",
    "F score",
    "M score",
    "Composite",
    "Owner",
    "Industry",
    "Region",
    "Group",
    "Relationship type",
    "Lifecycle stage",
    "Operating status",
    "Credit level",
    "Employees",
    "Annual revenue",
]


@pytest.fixture
def tiered(db):  # noqa: ANN001, ANN201
    """华东精密机械 (rep1 张伟, computed B4, pinned to A2) and 北方重工 (rep4, B2) in 北京 / 机械."""
    world = build_tiered_world(amounts=("5000.00", "10000.00"))
    world.owner.first_name, world.owner.last_name = "伟", "张"
    world.owner.save()
    world.account.region, world.account.industry, world.account.employees = "北京", "机械", 1200
    world.account.save()
    services.override_create(
        account=world.account,
        tier="A2",
        reason="Reference",
        expires_on=timezone.localdate() + timedelta(days=9),
        user=world.manager,
    )
    return world


def read_csv(response) -> list[list[str]]:  # noqa: ANN001
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads Chinese right only with the BOM
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_csv_carries_tier_category_scores_and_owner_as_the_page_shows_them(client, tiered) -> None:
    client.force_login(tiered.director)
    response = client.get(reverse("accounts:export", args=["csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="accounts-{timezone.localdate():%Y-%m-%d}.csv"'
    assert read_csv(response) == [
        HEADER,
        # fmt: off
        [
            "北方重工",
            "",
            "C-2",
            "B2",
            "B2",
            "Key account",
            "no",
            "3",
            "1",
            "10000.00",
            "5",
            "5",
            "5",
            "92.5",
            "rep4",
            "",
            "",
            "",
            "Vendor",
            "Breakthrough",
            "Operating",
            "",
            "",
            "",
        ],
        [
            "华东精密机械",
            "",
            "C-1",
            "A2",
            "B4",
            "Key account",
            "yes",
            "3",
            "1",
            "5000.00",
            "5",
            "5",
            "1",
            "52.5",
            "张伟",
            "机械",
            "北京",
            "",
            "Vendor",
            "Breakthrough",
            "Operating",
            "",
            "1200",
            "",
        ],
        # fmt: on
    ]


def test_the_export_follows_the_lists_filters_and_visibility(client, tiered) -> None:
    client.force_login(tiered.owner)
    assert [row[0] for row in read_csv(client.get(reverse("accounts:export", args=["csv"])))] == [
        "Account",
        "华东精密机械",
    ]
    client.force_login(tiered.director)
    filtered = client.get(reverse("accounts:export", args=["csv"]), {"tier": "B2"})
    assert [row[0] for row in read_csv(filtered)] == ["Account", "北方重工"]


def test_in_chinese_headers_and_values_are_the_chinese_labels(client, tiered) -> None:
    client.force_login(tiered.owner)
    rows = read_csv(client.get(reverse("accounts:export", args=["csv"]), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    header, row = rows
    picked = dict(zip(header, row, strict=True))
    assert {k: picked.get(k) for k in ("客户", "分级", "类别", "负责人", "地区", "行业", "综合得分")} == {
        "客户": "华东精密机械",
        "分级": "A2",
        "类别": "重点客户",
        "负责人": "张伟",
        "地区": "北京",
        "行业": "机械",
        "综合得分": "52.5",
    }
    assert (row[HEADER.index("Relationship type")], row[HEADER.index("Operating status")]) == ("卖主", "正常经营")
    # the kind: no header is a raw field name and no value a code
    assert not {"name", "tier", "category", "owner", "operating_status"} & set(header)
    assert not {"operating", "vendor", "breakthrough", "key"} & set(row)


def test_the_xlsx_streams_the_same_rows_with_numbers_as_numbers(client, tiered) -> None:
    client.force_login(tiered.owner)
    response = client.get(reverse("accounts:export", args=["xlsx"]))
    assert response.streaming
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert rows[1][:10] == ["华东精密机械", None, "C-1", "A2", "B4", "Key account", "yes", 3, 1, 5000]
    assert rows[1][14:17] == ["张伟", "机械", "北京"]
    assert len(rows) == 2


def test_an_unknown_format_is_404(client, tiered) -> None:
    client.force_login(tiered.owner)
    assert client.get("/accounts/export.pdf").status_code == 404
