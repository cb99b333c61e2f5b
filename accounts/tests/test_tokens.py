"""The token services (`token_create`, `token_revoke`) and that the page and the command both
go through them."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import token_views, tokens
from accounts.management.commands import create_api_token
from accounts.models import ApiToken
from accounts.tokens import hash_key, token_create, token_revoke
from kam.api import sql_json
from kam.scopes import scope_names

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- token_create


def test_token_create_stores_the_hash_and_the_sorted_scopes_once_each(world) -> None:
    # given / when
    token, key = token_create(user=world.integration, name="SAP", scopes=["runs:read", " accounts:read", "runs:read"])
    # then
    stored = ApiToken.objects.get()
    assert (stored.pk, stored.user, stored.name) == (token.pk, world.integration, "SAP")
    assert stored.scopes == ["accounts:read", "runs:read"]
    assert (stored.prefix, stored.key_hash, len(key)) == (key[:8], hash_key(key), 40)
    assert stored.revoked_at is None


def test_a_persons_token_may_name_no_scope(world) -> None:
    token, _ = token_create(user=world.owner)
    assert ApiToken.objects.get().scopes == []
    assert token.user == world.owner


def test_token_create_refuses_unknown_scopes_naming_each_and_writes_nothing(world) -> None:
    # given a misspelt scope and one no app declares (the example of issue 13)
    with pytest.raises(ValidationError) as raised:
        token_create(user=world.integration, scopes=["admin:all", "accounts:raed", "accounts:read"])
    # then both are named, the known one is not, and no token was made
    assert raised.value.message_dict == {"scopes": ["Unknown scopes: accounts:raed, admin:all."]}
    assert ApiToken.objects.count() == 0


# Nothing is written on a refusal, so one world serves every example.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(scope=st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and s.strip() not in scope_names()))
def test_any_undeclared_scope_is_refused(world, scope: str) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as raised:
        token_create(user=world.owner, scopes=[scope])
    assert raised.value.message_dict == {"scopes": [f"Unknown scopes: {scope.strip()}."]}
    assert ApiToken.objects.count() == 0


def test_an_integration_users_token_needs_a_scope(world) -> None:
    with pytest.raises(ValidationError) as raised:
        token_create(user=world.integration, scopes=[" ", ""])
    assert raised.value.message_dict == {"scopes": ["An integration user's token needs at least one scope."]}
    assert ApiToken.objects.count() == 0


# ---------------------------------------------------------------- token_revoke


def test_token_revoke_stops_the_token_at_once(world) -> None:
    token, key = token_create(user=world.director)
    revoked = token_revoke(token_id=token.pk)
    assert revoked.pk == token.pk
    assert revoked.revoked_at is not None
    assert tokens.api_token_lookup(key) is None


def test_revoking_twice_keeps_the_first_revocation_time(world) -> None:
    token, _ = token_create(user=world.director)
    first = timezone.now() - timedelta(days=2)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=first)
    assert token_revoke(token_id=token.pk).revoked_at == first


def test_revoking_a_missing_token_raises(world) -> None:
    with pytest.raises(ApiToken.DoesNotExist):
        token_revoke(token_id=987654)


# ---------------------------------------------------------------- both paths use them


def test_the_page_makes_and_revokes_through_the_services(client, world, service_calls) -> None:  # noqa: ANN001
    # given
    created = service_calls(token_views, "token_create")
    revoked = service_calls(token_views, "token_revoke")
    client.force_login(world.director)
    # when
    page = client.post(reverse("tokens:list"), {"user": world.integration.pk, "name": "SAP", "scopes": ["runs:read"]})
    token = ApiToken.objects.get()
    gone = client.post(reverse("tokens:revoke", args=[token.pk]))
    # then
    assert page.status_code == 200
    assert created == [{"user": world.integration, "name": "SAP", "scopes": ["runs:read"]}]
    assert (gone.status_code, gone["Location"]) == (302, reverse("tokens:list"))
    assert revoked == [{"token_id": token.pk}]
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoking_a_missing_token_on_the_page_is_404(client, world) -> None:
    client.force_login(world.director)
    assert client.post(reverse("tokens:revoke", args=[987654])).status_code == 404


def test_the_command_makes_tokens_through_the_service(world, service_calls) -> None:  # noqa: ANN001
    created = service_calls(create_api_token, "token_create")
    out = StringIO()
    call_command("create_api_token", "erp", "--name", "SAP", "--scopes", "runs:read,scores:read", stdout=out)
    assert created == [{"user": world.integration, "name": "SAP", "scopes": ["runs:read", "scores:read"]}]
    assert hash_key(out.getvalue().strip()) == ApiToken.objects.get().key_hash


def test_the_command_refuses_unknown_scopes_naming_them(world) -> None:
    # given the example of issue 13, item 9
    out = StringIO()
    # when / then: a CommandError (exit status 1 on the command line) naming both
    with pytest.raises(CommandError) as raised:
        call_command("create_api_token", "erp", "--scopes", "admin:all,accounts:raed", stdout=out)
    assert str(raised.value) == "Unknown scopes: accounts:raed, admin:all."
    assert out.getvalue() == ""
    assert ApiToken.objects.count() == 0


def test_the_page_shows_the_services_refusal_under_scopes(client, world) -> None:
    client.force_login(world.director)
    page = client.post(reverse("tokens:list"), {"user": world.integration.pk, "name": "SAP"})
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert errors == {"scopes": ["An integration user's token needs at least one scope."]}
    assert "An integration user&#x27;s token needs at least one scope." in page.content.decode()
    assert ApiToken.objects.count() == 0


# ---------------------------------------------------------------- token_touch (last_used_at)


def test_token_touch_writes_last_used_at_at_most_once_a_minute(world) -> None:
    # given a token never used
    token, _ = token_create(user=world.director, name="erp")
    first = timezone.now()
    # when it is used, then used again 59 s later, then 60 s and 61 s after the first use
    # then only the first use and the one more than a minute later are written
    assert tokens.token_touch(token=token, now=first) is True
    assert tokens.token_touch(token=token, now=first + timedelta(seconds=59)) is False
    assert tokens.token_touch(token=token, now=first + timedelta(seconds=60)) is False
    token.refresh_from_db()
    assert token.last_used_at == first
    assert tokens.token_touch(token=token, now=first + timedelta(seconds=61)) is True
    token.refresh_from_db()
    assert token.last_used_at == first + timedelta(seconds=61)


@given(offsets=st.lists(st.integers(min_value=-300, max_value=300), min_size=1, max_size=12))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_token_touch_never_moves_last_used_at_back_nor_lags_a_minute(world, offsets) -> None:
    # given a token and uses at any moments, in any order (concurrent requests finish out of order)
    token, _ = token_create(user=world.director, name=f"erp-{len(offsets)}")
    base = timezone.now()
    written = None
    for offset in offsets:
        now = base + timedelta(seconds=offset)
        # when each is recorded, by a request that read the token a moment ago or long ago
        tokens.token_touch(token=ApiToken.objects.get(pk=token.pk) if offset % 2 else token, now=now)
        token.refresh_from_db()
        # then the stamp only moves forward, and is never more than a minute behind the latest use
        assert written is None or token.last_used_at >= written
        assert token.last_used_at > now - tokens.LAST_USED_RESOLUTION - timedelta(microseconds=1)
        written = token.last_used_at


def test_api_requests_write_last_used_at_once_a_minute(world) -> None:
    # given a token used by one request
    from kam.testing import token_client

    client = token_client(world.director)
    assert client.get("/api/v1/deletions/").status_code == 200
    token = ApiToken.objects.get(user=world.director)
    stamped = token.last_used_at
    # when a second request follows within the minute
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/deletions/").status_code == 200
    # then the stamp is the first request's, and the request did not even send an UPDATE
    token.refresh_from_db()
    assert token.last_used_at == stamped
    assert [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")] == []


def test_a_token_read_before_another_request_wrote_it_is_not_written_again(world) -> None:
    # given a token read by a request, then stamped by a concurrent one
    token, _ = token_create(user=world.director, name="erp")
    first = timezone.now()
    read_earlier = ApiToken.objects.get(pk=token.pk)
    assert tokens.token_touch(token=token, now=first) is True
    # when the first request records its use a second later
    # then the UPDATE finds the stamp recent and leaves it
    assert tokens.token_touch(token=read_earlier, now=first + timedelta(seconds=1)) is False
    token.refresh_from_db()
    assert token.last_used_at == first


# ---------------------------------------------------------------- api_token_lookup


def orm_lookup(key: str) -> ApiToken | None:
    """The queryset the lookup's SQL stands in for (accounts/tokens.py)."""
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def field_values(instance) -> list:  # noqa: ANN001
    return [(f.attname, getattr(instance, f.attname)) for f in instance._meta.concrete_fields]


def test_the_lookup_reads_what_the_orm_reads_token_and_user_in_one_query(world) -> None:
    # given a token with scopes, used once, of a user with a team
    token, key = token_create(user=world.owner, name="ERP", scopes=["accounts:read", "orders:read"])
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(hours=1))

    tokens.api_token_lookup(key)  # on PostgreSQL, its statement prepared on this connection first

    # when it is looked up
    with CaptureQueriesContext(connection) as queries:
        found = tokens.api_token_lookup(key)
        user = found.user

    # then every field of the token and its user is the ORM's, converted alike, in one query
    expected = orm_lookup(key)
    assert len(queries) == 1
    assert field_values(found) == field_values(expected)
    assert field_values(user) == field_values(expected.user)
    assert found.scopes == ["accounts:read", "orders:read"]
    assert user.team_id == world.owner.team_id
    assert not found._state.adding


@pytest.mark.parametrize("case", ["unknown", "revoked", "inactive user"])
def test_the_lookup_finds_no_dead_token(world, case) -> None:
    token, key = token_create(user=world.owner)
    if case == "unknown":
        key = "0" * 40
    elif case == "revoked":
        token_revoke(token_id=token.pk)
    else:
        world.owner.is_active = False
        world.owner.save(update_fields=["is_active"])
    assert orm_lookup(key) is None
    assert tokens.api_token_lookup(key) is None


only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's (SQLite runs the SQL as it is)"
)


def prepared_names() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements ORDER BY name")
        return cursor.fetchall()


@only_postgresql
def test_the_lookup_is_prepared_once_per_connection_and_reads_what_the_orm_reads(world) -> None:
    # given a connection with nothing prepared (earlier tests share it), two live tokens and a dead one
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    sql_json._prepared.pop(connection.connection, None)
    first, first_key = token_create(user=world.owner, name="ERP", scopes=["accounts:read"])
    _, second_key = token_create(user=world.director, name="BI")
    dead, dead_key = token_create(user=world.owner, name="old")
    token_revoke(token_id=dead.pk)

    # when each is looked up, the first twice
    with CaptureQueriesContext(connection) as queries:
        found = [tokens.api_token_lookup(key) for key in (first_key, second_key, dead_key, first_key)]

    # then each is what the ORM reads, every field converted alike
    for key, token in zip((first_key, second_key, dead_key, first_key), found, strict=True):
        expected = orm_lookup(key)
        assert (token is None) == (expected is None)
        if token is not None:
            assert field_values(token) == field_values(expected)
            assert field_values(token.user) == field_values(expected.user)
    assert found[1].user == world.director
    assert found[2] is None
    # and the lookup was prepared once and run by name each time
    statements = [q["sql"] for q in queries.captured_queries]
    assert [sql.split(" AS ")[0] for sql in statements if sql.startswith("PREPARE")] == ["PREPARE kam_token_1"]
    assert [sql.split("(")[0] for sql in statements if sql.startswith("EXECUTE")] == ["EXECUTE kam_token_1"] * 4
    assert [name for name, _ in prepared_names()] == ["kam_token_1"]


@only_postgresql
def test_without_prepared_statements_the_lookup_runs_its_sql(world, settings) -> None:
    # given prepared statements turned off (a transaction-mode pooler in front of the database)
    settings.API_PREPARED_STATEMENTS = False
    token, key = token_create(user=world.owner)

    # when it is looked up
    with CaptureQueriesContext(connection) as queries:
        found = tokens.api_token_lookup(key)

    # then it is found by its SQL itself, nothing prepared or executed by name
    assert found == token
    assert field_values(found.user) == field_values(orm_lookup(key).user)
    assert len(queries) == 1
    assert queries.captured_queries[0]["sql"].startswith("SELECT ")
