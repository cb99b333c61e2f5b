"""kam/pages.py: the page decorator and the one "visible object or 404" helper."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from accounts.models import Account, Contact
from accounts.tests.factories import make_contact
from kam.pages import visible_or_404

pytestmark = pytest.mark.django_db


def test_visible_or_404_returns_what_the_user_sees(world) -> None:
    assert visible_or_404(Account, user=world.owner, pk=world.account.pk) == world.account
    assert visible_or_404(Account, user=world.director, pk=world.other_account.pk) == world.other_account


def test_visible_or_404_takes_a_queryset_and_keeps_its_shape(world, django_assert_num_queries) -> None:
    account = visible_or_404(Account.objects.select_related("owner"), user=world.owner, pk=world.account.pk)
    with django_assert_num_queries(0):
        assert account.owner.username == "rep1"


def test_visible_or_404_works_for_account_owned_models(world) -> None:
    contact = make_contact(world.account)
    assert visible_or_404(Contact, user=world.teammate, pk=contact.pk) == contact
    with pytest.raises(Http404):
        visible_or_404(Contact, user=world.other_rep, pk=contact.pk)


@pytest.mark.parametrize("pk", ["hidden", 987654, "not-a-number", None])
def test_a_hidden_a_missing_and_a_malformed_id_answer_alike(world, pk) -> None:  # noqa: ANN001
    pk = world.account.pk if pk == "hidden" else pk
    with pytest.raises(Http404) as raised:
        visible_or_404(Account, user=world.other_rep, pk=pk)
    assert str(raised.value) == ""  # nothing tells a hidden object from a missing one


def test_page_view_sends_anonymous_visitors_to_log_in(client, world) -> None:
    url = reverse("accounts:detail", args=[world.account.pk])
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={url}")


def test_page_view_refuses_integration_users(client, world) -> None:
    client.force_login(world.integration)
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 403
