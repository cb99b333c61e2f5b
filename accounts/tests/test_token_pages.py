import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import hash_key
from kam.testing import token_client

pytestmark = pytest.mark.django_db


def test_only_directors_manage_tokens(client, world) -> None:
    for person in (world.owner, world.manager):
        client.force_login(person)
        assert client.get(reverse("tokens:list")).status_code == 403


def test_a_director_makes_a_token_sees_the_key_once_and_revokes_it(client, world) -> None:
    client.force_login(world.director)
    page = client.post(reverse("tokens:list"), {"user": world.integration.pk, "name": "SAP", "scopes": ["runs:read"]})
    key = page.content.decode().split('id="new-secret">')[1].split("<")[0]
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key)
    assert token.scopes == ["runs:read"]
    assert key not in client.get(reverse("tokens:list")).content.decode()  # never shown again
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/tiering/runs/").status_code == 200
    client.post(reverse("tokens:revoke", args=[token.pk]))
    assert api.get("/api/v1/tiering/runs/").status_code == 401


def test_an_integration_token_without_scopes_is_refused(client, world) -> None:
    client.force_login(world.director)
    page = client.post(reverse("tokens:list"), {"user": world.integration.pk, "name": "SAP"})
    assert "needs at least one scope" in page.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("scopes", "method", "url", "expected"),
    [
        (["orders:write"], "get", "/api/v1/accounts/", 403),
        (["accounts:read"], "get", "/api/v1/accounts/", 200),
        (["accounts:read"], "post", "/api/v1/accounts/", 403),
        (["accounts:write"], "post", "/api/v1/accounts/", 400),  # allowed through; the empty body is refused
        (["accounts:read"], "get", "/api/v1/contacts/", 403),
        (["contacts:read"], "get", "/api/v1/contacts/", 200),
        (["scores:read"], "get", "/api/v1/tiering/runs/", 403),
        (["runs:read"], "get", "/api/v1/tiering/runs/", 200),
    ],
)
def test_an_integration_token_may_do_only_what_its_scopes_name(world, scopes, method, url, expected) -> None:
    api = token_client(world.integration, scopes)
    response = getattr(api, method)(url, {}, format="json")
    assert response.status_code == expected
    if expected == 403:
        assert "lacks the scope" in response.json()["message"]
