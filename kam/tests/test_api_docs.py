"""The OpenAPI document and its docs page are closed to anonymous visitors unless made public
(issue 13, item 9)."""

import pytest

from kam.testing import token_client

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_gets_neither_the_document_nor_the_docs(client) -> None:
    # when
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    # then
    assert schema.status_code == 401
    assert schema.json()["code"] == "not_authenticated"
    assert (docs.status_code, docs["Location"]) == (302, "/login/?next=/api/docs/")


def test_signed_in_people_and_tokens_get_the_document(client, world) -> None:
    # given
    client.force_login(world.owner)
    # when
    page = client.get("/api/docs/")
    by_session = client.get("/api/schema/")
    by_token = token_client(world.integration).get("/api/schema/")
    # then
    assert page.status_code == 200
    assert "swagger-ui" in page.content.decode()
    assert '<a href="/accounts/">← Back to KAM</a>' in page.content.decode()  # a way back into the app
    assert (by_session.status_code, by_token.status_code) == (200, 200)
    assert by_session.content == by_token.content


def test_the_docs_can_be_made_public(client, settings) -> None:
    # given
    settings.API_DOCS_PUBLIC = True
    # when
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    # then
    assert (schema.status_code, docs.status_code) == (200, 200)
    assert b"openapi: 3.1.0" in schema.content
