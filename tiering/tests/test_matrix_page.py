"""The tier matrix page: category colours, numbers per locale, one rep's matrix."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountTeamMember, User
from accounts.tests.factories import build_world, make_account, make_order, make_user
from tiering.domain.matrix import TIER_CATEGORY, TIERS
from tiering.selectors import matrix_reps
from tiering.tests.factories import make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def big(db):  # noqa: ANN001, ANN201
    """rep1 owns 华东精密机械 (orders 1,234,567.00) and rep3 owns 新客户 (orders 5,000.00); rep4, of
    the other team, owns 北方重工 (orders 10,000.00)."""
    world = build_world()
    day = timezone.localdate() - timedelta(days=3)
    make_order(world.account, day, "1234567.00", "500.00")
    make_order(world.other_account, day, "10000.00", "500.00")
    third = make_account(world.same_team_rep, name="新客户")
    make_order(third, day, "5000.00", "500.00")
    make_run()
    return world


def cells(page: str) -> dict[str, tuple[str, str, str]]:
    """The non-empty cells: {tier: (category class, accounts text, revenue text)}."""
    found = re.findall(
        r'<td class="cat-(\w+)" data-tier="(\w\d)".*?matrix-accounts">([^<]*)<.*?matrix-revenue">([^<]*)<', page, re.S
    )
    return {tier: (category, accounts, revenue) for category, tier, accounts, revenue in found if accounts != "0"}


def test_every_cell_carries_the_class_of_its_tiers_category(client, big) -> None:
    # the kind: a cell coloured for another category than its tier's, or not at all
    client.force_login(big.director)
    page = client.get(reverse("tiering:matrix")).content.decode()
    found = dict(re.findall(r'<td class="cat-(\w+)" data-tier="(\w\d)"', page)[i][::-1] for i in range(18))
    assert found == {tier: TIER_CATEGORY[tier] for tier in TIERS}
    assert len(re.findall(r"<td ", page)) == 18


def test_the_matrix_groups_thousands_in_english_and_chinese(client, big) -> None:
    client.force_login(big.director)
    english = cells(client.get(reverse("tiering:matrix")).content.decode())
    chinese = cells(client.get(reverse("tiering:matrix"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert english == chinese == {"B2": ("key", "1", "1,234,567"), "B4": ("possible", "2", "15,000")}


def test_a_manager_sees_the_matrix_of_each_rep_of_their_teams(client, big) -> None:
    client.force_login(big.manager)
    page = client.get(reverse("tiering:matrix")).content.decode()
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', page)
    assert [name for _pk, name in options] == ["All I see", "rep1", "rep2", "rep3"]
    assert cells(page) == {"B2": ("key", "1", "1,234,567"), "B4": ("possible", "1", "5,000")}
    only_rep3 = client.get(reverse("tiering:matrix"), {"rep": big.same_team_rep.pk}).content.decode()
    assert cells(only_rep3) == {"B4": ("possible", "1", "5,000")}
    assert "The accounts rep3 sees." in only_rep3
    # rep2 serves on the account team of 华东精密机械: the accounts a rep sees are theirs
    only_rep2 = client.get(reverse("tiering:matrix"), {"rep": big.teammate.pk}).content.decode()
    assert cells(only_rep2) == {"B2": ("key", "1", "1,234,567")}


def test_a_rep_of_another_team_is_not_a_choice_and_changes_nothing(client, big) -> None:
    client.force_login(big.manager)
    page = client.get(reverse("tiering:matrix"), {"rep": big.other_rep.pk}).content.decode()
    assert cells(page) == {"B2": ("key", "1", "1,234,567"), "B4": ("possible", "1", "5,000")}
    assert "The accounts" not in page


def test_a_rep_sees_only_their_own_matrix(client, big) -> None:
    client.force_login(big.owner)
    page = client.get(reverse("tiering:matrix"), {"rep": big.same_team_rep.pk}).content.decode()
    assert cells(page) == {"B2": ("key", "1", "1,234,567")}
    assert list(matrix_reps(user=big.owner)) == [big.owner]


def test_rep_choices_follow_the_teams(big) -> None:
    extra_manager = make_user("manager3", User.Role.MANAGER)
    assert list(matrix_reps(user=extra_manager)) == []
    assert [u.username for u in matrix_reps(user=big.other_manager)] == ["rep4"]
    assert [u.username for u in matrix_reps(user=big.director)] == ["rep1", "rep2", "rep3", "rep4"]
    AccountTeamMember.objects.filter(user=big.teammate).delete()
    assert [u.username for u in matrix_reps(user=big.manager)] == ["rep1", "rep2", "rep3"]
