"""Who sees what, as a matrix: each person against list, detail, update and delete,
through the pages and through the API."""

import pytest
from django.urls import reverse

from accounts.models import Account, Contact, Order
from accounts.tests.factories import make_contact, make_order

# person -> (sees the account, may delete it)
from kam.testing import token_client

MATRIX = {
    "owner": (True, False),
    "teammate": (True, False),
    "same_team_rep": (False, False),
    "other_rep": (False, False),
    "manager": (True, True),
    "other_manager": (False, False),
    "director": (True, True),
}
API_MATRIX = {**MATRIX, "integration": (True, False)}


@pytest.mark.django_db
@pytest.mark.parametrize(("person", "expected"), MATRIX.items())
def test_pages_follow_the_visibility_rule(client, world, person, expected) -> None:
    sees, may_delete = expected
    client.force_login(getattr(world, person))
    pk = world.account.pk

    listing = client.get(reverse("accounts:list"))
    assert listing.status_code == 200
    assert (world.account.name in listing.content.decode()) is sees
    exported = b"".join(client.get(reverse("accounts:export", args=["csv"])).streaming_content).decode("utf-8")
    assert (world.account.name in exported) is sees

    assert client.get(reverse("accounts:detail", args=[pk])).status_code == (200 if sees else 404)

    form = {
        "name": "Renamed",
        "owner": world.owner.pk,
        "operating_status": "operating",
        "relationship_type": "vendor",
        "lifecycle_stage": "growth",
    }
    edit = client.post(reverse("accounts:edit", args=[pk]), form)
    assert edit.status_code == (302 if sees else 404)
    assert (Account.objects.get(pk=pk).name == "Renamed") is sees

    delete = client.post(reverse("accounts:delete", args=[pk]))
    assert delete.status_code == (302 if may_delete else 403 if sees else 404)
    assert Account.objects.filter(pk=pk).exists() is not may_delete


@pytest.mark.django_db
@pytest.mark.parametrize(("person", "expected"), API_MATRIX.items())
def test_api_follows_the_visibility_rule(world, person, expected) -> None:
    sees, may_delete = expected
    api = token_client(getattr(world, person))
    url = f"/api/v1/accounts/{world.account.pk}/"

    listing = api.get("/api/v1/accounts/")
    assert listing.status_code == 200
    assert (world.account.pk in [row["id"] for row in listing.json()["results"]]) is sees

    assert api.get(url).status_code == (200 if sees else 404)

    patch = api.patch(url, {"region": "华南"}, format="json")
    assert patch.status_code == (200 if sees else 404)
    assert (Account.objects.get(pk=world.account.pk).region == "华南") is sees

    delete = api.delete(url)
    assert delete.status_code == (204 if may_delete else 403 if sees else 404)
    assert Account.objects.filter(pk=world.account.pk).exists() is not may_delete


@pytest.mark.django_db
def test_integration_user_cannot_use_pages(client, world) -> None:
    # A token user is API-only: the login form refuses them and a session gets 403.
    world.integration.set_password("pw-for-tests-1")
    world.integration.save()
    response = client.post(reverse("login"), {"username": "erp", "password": "pw-for-tests-1"})
    assert response.status_code == 200
    assert "API-only" in response.content.decode()
    client.force_login(world.integration)
    assert client.get(reverse("accounts:list")).status_code == 403


@pytest.mark.django_db
def test_account_owned_objects_follow_their_account(world) -> None:
    contact = make_contact(world.account)
    hidden = make_contact(world.other_account, name="李强")
    make_order(world.account, "2026-01-05", "100.00")
    make_order(world.other_account, "2026-01-05", "900.00")

    assert list(Contact.objects.visible_to(world.owner)) == [contact]
    assert set(Contact.objects.visible_to(world.director)) == {contact, hidden}
    assert list(Contact.objects.visible_to(world.other_manager)) == [hidden]
    assert [o.amount for o in Order.objects.visible_to(world.manager)] == [100]


@pytest.mark.django_db
def test_api_contacts_of_hidden_accounts_answer_404(world) -> None:
    hidden = make_contact(world.other_account, name="李强")
    api = token_client(world.owner)
    assert api.get(f"/api/v1/contacts/{hidden.pk}/").status_code == 404
    created = api.post(
        "/api/v1/contacts/", {"account": world.other_account.pk, "name": "X", "buying_role": "user"}, format="json"
    )
    assert created.status_code == 400
    assert "account" in created.json()["errors"]


@pytest.mark.django_db
def test_manager_sees_accounts_of_every_team_they_lead(world) -> None:
    from accounts.models import Team
    from accounts.tests.factories import make_account, make_user

    team3 = Team.objects.create(name="Team 3", manager=world.manager)
    rep = make_user("rep9", team=team3)
    third = make_account(rep, name="第三")
    visible = set(Account.objects.visible_to(world.manager))
    assert visible == {world.account, third}


@pytest.mark.django_db
def test_anonymous_and_inactive_users_see_nothing(world) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not Account.objects.visible_to(AnonymousUser()).exists()
    world.director.is_active = False
    world.director.save()
    assert not Account.objects.visible_to(world.director).exists()
