import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import hash_key
from kam.testing import token_client


@pytest.mark.django_db
def test_create_api_token_prints_a_key_that_authenticates(world) -> None:
    out = StringIO()
    call_command("create_api_token", "erp", "--scopes", "orders:write,accounts:read", stdout=out)
    key = out.getvalue().strip()
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    token = ApiToken.objects.get(user=world.integration)
    # Only the hash is stored; the key itself is nowhere in the database.
    assert token.key_hash == hash_key(key)
    assert key not in (token.prefix, token.key_hash)
    assert token.scopes == ["accounts:read", "orders:write"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/accounts/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_create_api_token_for_an_unknown_user_fails_clearly(db) -> None:
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("create_api_token", "ghost", stdout=StringIO())


@pytest.mark.django_db
def test_a_wrong_or_revoked_token_is_refused(world) -> None:
    from django.utils import timezone

    from accounts.tokens import token_create

    token, key = token_create(user=world.director)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api.get("/api/v1/accounts/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/accounts/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert api.get("/api/v1/accounts/").status_code == 401


def test_anonymous_api_calls_are_refused(db) -> None:
    response = APIClient().get("/api/v1/accounts/")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


@pytest.mark.django_db
def test_session_authentication_works_for_the_api(client, world) -> None:
    client.force_login(world.owner)
    response = client.get("/api/v1/accounts/")
    assert [row["external_id"] for row in response.json()["results"]] == ["C-1"]


@pytest.mark.django_db
def test_account_detail_carries_contacts_and_team(world) -> None:
    from accounts.tests.factories import make_contact

    make_contact(world.account, name="张总", buying_role="decision_maker")
    body = token_client(world.owner).get(f"/api/v1/accounts/{world.account.pk}/").json()
    assert [c["name"] for c in body["contacts"]] == ["张总"]
    assert {(m["role"], m["username"]) for m in body["team"]} == {
        ("account_manager", "rep1"),
        ("solution_manager", "rep2"),
    }


@pytest.mark.django_db
def test_api_create_validates_external_id_and_reports_the_field(world) -> None:
    api = token_client(world.director)
    clash = api.post("/api/v1/accounts/", {"name": "Dup", "external_id": "C-1"}, format="json")
    assert clash.status_code == 400
    assert "ERP ID already exists" in clash.json()["errors"]["external_id"][0]
    blank = api.post("/api/v1/accounts/", {"name": "No ERP", "external_id": "", "owner": world.owner.pk}, format="json")
    assert blank.status_code == 201
    assert blank.json()["external_id"] is None


@pytest.mark.django_db
def test_api_filters_by_region_and_search(world) -> None:
    world.account.region = "华东"
    world.account.save()
    api = token_client(world.director)
    by_region = api.get("/api/v1/accounts/", {"region": "华东"}).json()
    assert [r["external_id"] for r in by_region["results"]] == ["C-1"]
    by_search = api.get("/api/v1/accounts/", {"q": "北方"}).json()
    assert [r["external_id"] for r in by_search["results"]] == ["C-2"]


def test_openapi_schema_is_generated_without_warnings(db) -> None:
    out, err = StringIO(), StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=err)
    assert "/api/v1/accounts/" in out.getvalue()
    assert "tokenAuth" in out.getvalue()


def test_api_docs_are_served_without_a_cdn(client, world) -> None:
    client.force_login(world.owner)
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert not re.search(r"https?://(cdn|unpkg|cdnjs|fonts\.googleapis)", page)
