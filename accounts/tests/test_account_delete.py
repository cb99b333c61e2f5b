"""Deleting an account: one service (`account_delete`) behind the page and the API, and the
same refusal from both when the account heads a group."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Account, Contact
from accounts.tests.factories import make_account, make_contact
from kam.testing import token_client

pytestmark = pytest.mark.django_db

REFUSAL = "This account has subsidiaries; move or delete them first."


def test_account_delete_removes_the_account_with_what_it_owns(world) -> None:  # noqa: ANN001
    # given an account with a contact
    contact = make_contact(world.account)
    # when it is deleted
    services.account_delete(account=world.account)
    # then both are gone, and nothing else
    assert not Account.objects.filter(pk=world.account.pk).exists()
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert list(Account.objects.values_list("pk", flat=True)) == [world.other_account.pk]


def test_account_delete_refuses_a_group_parent_and_deletes_nothing(world) -> None:  # noqa: ANN001
    # given a parent with a subsidiary
    child = make_account(world.owner, name="分公司", parent=world.account)
    # when deleting the parent
    with pytest.raises(services.AccountHasSubsidiaries) as refusal:
        services.account_delete(account=world.account)
    # then it is refused as a conflict, and both accounts stay
    assert (refusal.value.code, refusal.value.message) == ("conflict", REFUSAL)
    assert set(Account.objects.values_list("pk", flat=True)) == {world.account.pk, child.pk, world.other_account.pk}


def test_the_page_and_the_api_delete_through_the_service(client, world, service_calls) -> None:  # noqa: ANN001
    # given two leaf accounts and a watch on the service
    calls = service_calls(services, "account_delete")
    by_page, by_api = make_account(world.owner, name="页面"), make_account(world.owner, name="接口")
    # when the director deletes one on the page and the other over the API
    client.force_login(world.director)
    page = client.post(reverse("accounts:delete", args=[by_page.pk]))
    api = token_client(world.director).delete(f"/api/v1/accounts/{by_api.pk}/")
    # then each went through the service once, and both are gone
    assert (page.status_code, page["Location"], api.status_code) == (302, reverse("accounts:list"), 204)
    assert [c["account"].name for c in calls] == ["页面", "接口"]  # (a deleted instance has no pk)
    assert not Account.objects.filter(pk__in=[by_page.pk, by_api.pk]).exists()


def test_the_page_and_the_api_give_the_same_refusal_for_a_group_parent(client, world, service_calls) -> None:  # noqa: ANN001
    # given a parent with a subsidiary
    calls = service_calls(services, "account_delete")
    make_account(world.owner, name="分公司", parent=world.account)
    # when the director tries to delete it on the page and over the API
    client.force_login(world.director)
    page = client.post(reverse("accounts:delete", args=[world.account.pk]), follow=True)
    api = token_client(world.director).delete(f"/api/v1/accounts/{world.account.pk}/")
    # then the page says why and the API answers 409 with the same reason; the account stays
    assert [m.message for m in page.context["messages"]] == [REFUSAL]
    assert page.redirect_chain == [(reverse("accounts:detail", args=[world.account.pk]), 302)]
    assert (api.status_code, api.json()) == (409, {"code": "conflict", "message": REFUSAL, "errors": {}})
    assert [c["account"].pk for c in calls] == [world.account.pk, world.account.pk]
    assert Account.objects.filter(pk=world.account.pk).exists()


def test_who_may_delete_is_checked_before_the_service_is_called(client, world, service_calls) -> None:  # noqa: ANN001
    calls = service_calls(services, "account_delete")
    client.force_login(world.owner)
    assert client.post(reverse("accounts:delete", args=[world.account.pk])).status_code == 403
    assert token_client(world.owner).delete(f"/api/v1/accounts/{world.account.pk}/").status_code == 403
    assert calls == []
    assert Account.objects.filter(pk=world.account.pk).exists()
