"""The Chinese interface says everything in Chinese (issue 12 item 1).

Two checks that catch the next untranslated text of any kind: the zh_Hans catalogue is
complete (every entry translated, none fuzzy, placeholders kept), and the main pages rendered
in zh-hans show none of the English words only untranslated text would carry.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from tiering.domain.matrix import TIER_CATEGORY
from tiering.models import AccountScore, TierOverride
from tiering.services import run_execute, run_request
from tiering.tests.factories import build_tiered_world
from tools.i18n import problems

# Words that only English text left untranslated would show on a zh-hans page.
ENGLISH_WORDS = (
    "Tier ",
    "Relationship",
    "attractiveness",
    "Attractiveness",
    "Potential",
    "Need attention",
    "Can't lose",
    "Champions",
    "Hibernating",
    "quality",
    "Pinned",
    "Updated at",
    "seed_demo",
    "Forbidden",
    "Not Found",
    "preferred_supplier",
    "strategic_alliance",
    "no relationship type",
    "nightly schedule",
    "Guideline",
    "Proposal",
    "development proposal",
    "Unscored",
)


def visible_text(html: str) -> str:
    """What a reader sees: the page without scripts, styles, tags and attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def english_in(html: str) -> list[str]:
    text = visible_text(html)
    return [word for word in ENGLISH_WORDS if word in text]


def test_the_chinese_catalogue_is_complete():
    # given the committed zh_Hans catalogue / when checked / then nothing is missing or fuzzy
    assert problems() == []


@pytest.fixture
def chinese_world(db):  # noqa: ANN001, ANN201
    world = build_tiered_world(amounts=("5000.00", "10000.00"))
    account = world.account
    account.relationship_type = "preferred_supplier"
    account.save()
    TierOverride.objects.create(
        account=account,
        tier="A2",
        reason="客户总部决定",
        expires_on=timezone.localdate() + timedelta(days=30),
        created_by=world.director,
    )
    run_execute(run_id=run_request(trigger="seed_demo").pk)
    return world


@pytest.mark.django_db
def test_main_pages_in_chinese_carry_no_english_words(client, chinese_world):
    # given the director, Chinese, a pinned account whose reasons name its relationship type
    world = chinese_world
    client.force_login(world.director)
    pages = [
        reverse("accounts:list"),
        reverse("accounts:list") + "?sort=-updated_at",
        reverse("accounts:detail", args=[world.account.pk]),
        reverse("tiering:matrix"),
        reverse("tiering:needs_assessment"),
        reverse("tiering:migration"),
        reverse("tiering:runs"),
        reverse("integrations:import"),
        reverse("integrations:webhooks"),
        "/api-tokens/",
        reverse("plans:time_allocation") + "?period=2026",
        reverse("plans:my_work"),
        "/no-such-page/",
    ]

    # when each is rendered in zh-hans / then no English word shows
    found = {}
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code in (200, 404), url
        found[url] = english_in(response.content.decode())
    assert found == {url: [] for url in pages}
    # and a rep on the director's runs settings is refused in Chinese too
    client.force_login(world.owner)
    forbidden = client.get(reverse("tiering:settings"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (forbidden.status_code, english_in(forbidden.content.decode())) == (403, [])


@pytest.mark.django_db
def test_the_reasons_the_segment_and_the_pin_read_in_chinese(client, chinese_world):
    # given the pinned account
    world = chinese_world
    client.force_login(world.director)

    # when its page is read in Chinese
    page = client.get(reverse("accounts:detail", args=[world.account.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    reasons = re.findall(r"<li>(.*?)</li>", page.content.decode().split('id="tier-reasons">')[1].split("</ul>")[0])

    # then every reason is Chinese with labels for codes, and the run's pin note names the pin
    score = AccountScore.objects.get(account=world.account, is_group=False, run__trigger="seed_demo")
    tier = score.computed_tier
    category = {"key": "重点客户", "normal": "普通客户", "possible": "可能客户", "unattractive": "无吸引力客户"}
    assert reasons[0] == f"分级 {tier}（{category[TIER_CATEGORY[tier]]}）：吸引力 {tier[0]}，位置 {tier[1]}"
    with translation.override("zh-hans"):
        until = date_format(timezone.localdate() + timedelta(days=30), "SHORT_DATE_FORMAT")
    assert reasons[-1] == f"由 director 锁定为 A2，至 {until}：客户总部决定"
    assert [r for r in reasons[:-1] if re.search(r"[A-Za-z]{4,}", r.replace("RFM", ""))] == []
