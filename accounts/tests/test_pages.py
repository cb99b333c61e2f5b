import re

import pytest
from django.urls import reverse

from accounts.tests.factories import make_account


@pytest.fixture
def many(world):  # noqa: ANN001, ANN201
    for i in range(30):
        make_account(
            world.owner,
            name=f"客户{i:02d}",
            region="华南" if i % 2 else "华北",
            industry="汽车",
            tier="A1" if i < 3 else "",
            category="key" if i < 3 else "",
        )
    return world


def names(response) -> list[str]:  # noqa: ANN001
    return re.findall(r'href="/accounts/\d+/">([^<]+)</a>', response.content.decode())


@pytest.mark.django_db
def test_login_page_signs_in_and_lands_on_my_accounts(client, world) -> None:
    # A manager lands on the accounts (a rep on "my work": plans/tests/test_my_work.py).
    response = client.post(reverse("login"), {"username": "manager1", "password": "pw-for-tests-1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:list")
    assert "华东精密机械" in response.content.decode()


@pytest.mark.django_db
def test_pages_need_a_login(client, db) -> None:
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_list_is_paginated_and_sorted(client, many) -> None:
    client.force_login(many.owner)
    first = client.get(reverse("accounts:list"), {"sort": "name"})
    assert len(names(first)) == 25
    assert names(first)[:2] == ["华东精密机械", "客户00"]  # 华 (U+534E) sorts before 客 (U+5BA2)
    second = client.get(reverse("accounts:list"), {"sort": "-name", "page": 2})
    assert names(second) == [f"客户{i:02d}" for i in range(4, -1, -1)] + ["华东精密机械"]
    assert "sort=-name" in second.content.decode()  # pagination links keep the filters


@pytest.mark.django_db
def test_list_filters_by_region_tier_and_category(client, many) -> None:
    client.force_login(many.owner)
    assert len(names(client.get(reverse("accounts:list"), {"region": "华南"}))) == 15
    assert names(client.get(reverse("accounts:list"), {"tier": "A1", "sort": "name"})) == ["客户00", "客户01", "客户02"]
    assert len(names(client.get(reverse("accounts:list"), {"category": "key"}))) == 3
    assert names(client.get(reverse("accounts:list"), {"q": "客户07"})) == ["客户07"]


@pytest.mark.django_db
def test_an_invalid_filter_says_so_instead_of_showing_everything(client, many) -> None:
    client.force_login(many.owner)
    response = client.get(reverse("accounts:list"), {"tier": "Z9"})
    assert names(response) == []
    assert "not valid" in response.content.decode()


@pytest.mark.django_db
def test_htmx_requests_get_only_the_rows(client, many) -> None:
    client.force_login(many.owner)
    response = client.get(reverse("accounts:list"), {"region": "华北"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert len(names(response)) == 15


@pytest.mark.django_db
def test_pages_are_translated_into_simplified_chinese(client, world) -> None:
    client.force_login(world.owner)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("accounts:list")).content.decode()
    assert 'lang="zh-hans"' in page
    assert "我的客户" in page


@pytest.mark.django_db
def test_pages_load_only_vendored_assets(client, world) -> None:
    client.force_login(world.owner)
    page = client.get(reverse("accounts:detail", args=[world.account.pk])).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert assets
    assert all(a.startswith("/static/") for a in assets)


@pytest.mark.django_db
def test_the_all_option_of_a_filter_means_no_filter(client, many) -> None:
    client.force_login(many.owner)
    response = client.get(reverse("accounts:list"), {"tier": "", "category": "", "owner": "", "q": "客户07"})
    assert names(response) == ["客户07"]


@pytest.mark.django_db
def test_the_list_exports_what_it_shows(client, many) -> None:
    client.force_login(many.owner)
    page = client.get(reverse("accounts:list"), {"tier": "A1"}).content.decode()
    link = re.search(r'id="account-export">.*?<a href="([^"]+)">CSV</a>', page).group(1).replace("&amp;", "&")
    assert "tier=A1" in link

    exported = b"".join(client.get(link).streaming_content).decode("utf-8-sig").splitlines()

    assert len(exported) == 1 + 3  # the header, then the three A1 accounts of the list
    assert all("客户0" in line for line in exported[1:])
