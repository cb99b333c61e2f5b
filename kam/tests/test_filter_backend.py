"""The API filter backend skips the FilterSet when a request names none of its filters (every page
of a sync), and only then."""

from __future__ import annotations

import pytest

from accounts.filters import AccountApiFilter
from accounts.tests.factories import make_account
from kam.api.filters import asks_for_a_filter
from kam.testing import token_client


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cursor": "x", "page_size": "1000"}, False),
        ({}, False),
        ({"region": ""}, True),  # named, even empty: the FilterSet decides what it means
        ({"updated_after": "2026-01-01"}, True),  # a part of a range filter `updated`
        ({"regional": "x"}, False),  # another name that merely starts alike
    ],
)
def test_a_query_string_asks_for_a_filter_when_it_names_one(params, expected) -> None:
    assert asks_for_a_filter(params, ["region", "updated"]) is expected


@pytest.mark.django_db
def test_a_sync_page_builds_no_filterset_and_a_filtered_page_still_filters(world, monkeypatch) -> None:
    # given an account in another region, and a count of the account FilterSets built
    make_account(world.owner, region="华南")
    built = []
    original = AccountApiFilter.__init__

    def counting(self, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(AccountApiFilter, "__init__", counting)
    api = token_client(world.director)

    # when the director reads a page without filters, then one filtered by region
    everything = api.get("/api/v1/accounts/", {"page_size": 100}).json()["results"]
    south = api.get("/api/v1/accounts/", {"page_size": 100, "region": "华南"}).json()["results"]

    # then only the filtered request built a FilterSet, and it filtered
    assert len(built) == 1
    assert len(everything) > len(south) == 1
    assert south[0]["region"] == "华南"
