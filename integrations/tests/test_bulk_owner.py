"""The owner of accounts arriving by bulk and import: named by `owner_username`, by the hand-over
rule (accounts.permissions); a new account naming nobody goes to its creator or, from the ERP,
to the configured default owner; never to nobody (issue 13 item 4)."""

from __future__ import annotations

import io

import pytest

from accounts.models import Account
from integrations.spreadsheets.importing import import_confirm, import_preview
from integrations.tests.factories import post_bulk
from kam.testing import token_client

pytestmark = pytest.mark.django_db


def account(external_id: str, **fields: object) -> dict:
    return {"external_id": external_id, "name": f"客户 {external_id}", **fields}


def test_the_erp_names_the_owner_by_username(world) -> None:
    response = post_bulk(token_client(world.integration), "accounts", [account("C-10", owner_username="rep4")])
    assert response.json()["results"][0]["status"] == "created"
    assert Account.objects.get(external_id="C-10").owner == world.other_rep


def test_a_new_account_from_the_erp_without_owner_goes_to_the_default_owner(world, settings) -> None:
    settings.DEFAULT_ACCOUNT_OWNER = "director"
    response = post_bulk(token_client(world.integration), "accounts", [account("C-11")])
    assert response.json()["results"][0]["status"] == "created"
    assert Account.objects.get(external_id="C-11").owner == world.director


def test_without_a_default_owner_a_new_account_must_name_one(world, settings) -> None:
    settings.DEFAULT_ACCOUNT_OWNER = ""
    response = post_bulk(token_client(world.integration), "accounts", [account("C-12"), account("C-1", region="华东")])
    results = response.json()["results"]
    assert results[0]["errors"] == {
        "owner_username": ["Name the owner: no default owner is configured for new accounts."]
    }
    assert results[1]["status"] == "updated"  # an existing account keeps its owner
    assert not Account.objects.filter(external_id="C-12").exists()
    assert Account.objects.get(external_id="C-1").owner == world.owner


def test_the_integration_user_and_unknown_people_are_refused_alike(world) -> None:
    api = token_client(world.integration)
    response = post_bulk(
        api, "accounts", [account("C-13", owner_username="erp"), account("C-14", owner_username="nobody")]
    )
    errors = [result["errors"] for result in response.json()["results"]]
    assert errors == [
        {"owner_username": ['User "erp" does not exist or cannot be given this account.']},
        {"owner_username": ['User "nobody" does not exist or cannot be given this account.']},
    ]
    assert not Account.objects.filter(external_id__in=["C-13", "C-14"]).exists()


def test_a_rep_creates_accounts_for_themself_only(world) -> None:
    api = token_client(world.owner)
    response = post_bulk(
        api,
        "accounts",
        [account("C-15"), account("C-16", owner_username="rep1"), account("C-17", owner_username="rep4")],
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "created", "error"]
    assert results[2]["errors"] == {"owner_username": ['User "rep4" does not exist or cannot be given this account.']}
    assert set(Account.objects.filter(external_id__in=["C-15", "C-16"]).values_list("owner", flat=True)) == {
        world.owner.pk
    }


def test_a_rep_keeps_the_current_owner_but_cannot_give_an_account_away(world) -> None:
    api = token_client(world.teammate)  # on the account team of C-1, owned by rep1
    kept = post_bulk(api, "accounts", [account("C-1", owner_username="rep1")])
    given = post_bulk(api, "accounts", [account("C-1", owner_username="rep3")])
    assert kept.json()["results"][0]["status"] in ("updated", "unchanged")
    assert given.json()["results"][0]["errors"] == {
        "owner_username": ['User "rep3" does not exist or cannot be given this account.']
    }
    assert Account.objects.get(external_id="C-1").owner == world.owner


def test_a_manager_hands_over_within_their_teams(world) -> None:
    api = token_client(world.manager)
    moved = post_bulk(api, "accounts", [account("C-1", owner_username="rep3")])
    assert moved.json()["results"][0]["status"] == "updated"
    assert Account.objects.get(external_id="C-1").owner == world.same_team_rep


def test_an_import_names_the_owner_by_username_and_uses_the_default(world, settings) -> None:
    settings.DEFAULT_ACCOUNT_OWNER = "director"
    text = "external_id,name,owner\nC-20,甲,rep1\nC-21,乙,\n"
    batch = import_preview(user=world.director, kind="accounts", file=io.BytesIO(text.encode()), filename="a.csv")
    import_confirm(batch=batch)
    assert Account.objects.get(external_id="C-20").owner == world.owner
    assert Account.objects.get(external_id="C-21").owner == world.director  # the importer can own it
