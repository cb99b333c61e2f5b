"""Every error page uses the base layout (navigation, viewport), in the user's language, and says
what to do next; /favicon.ico is not a dead end."""

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import path

from kam.urls import urlpatterns as kam_urlpatterns


def _boom(request):  # noqa: ANN001, ANN202
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), *kam_urlpatterns]

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@pytest.mark.django_db
def test_a_forbidden_page_has_the_layout_and_a_way_on(client, world) -> None:
    # given: an integration user is API-only and may not use pages
    client.force_login(world.integration)
    # when
    response = client.get("/accounts/")
    # then
    assert response.status_code == 403
    body = response.content.decode()
    assert VIEWPORT in body
    assert "You may not open this page" in body
    assert 'href="/accounts/"' in body


@pytest.mark.django_db
def test_a_missing_page_is_in_the_users_language(client, world) -> None:
    # given
    client.force_login(world.owner)
    # when
    response = client.get("/accounts/999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then
    assert response.status_code == 404
    body = response.content.decode()
    assert VIEWPORT in body
    assert '<html lang="zh-hans">' in body
    assert 'class="navbar' in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_page_has_the_layout(client) -> None:
    # given
    client.raise_request_exception = False
    # when
    response = client.get("/boom/")
    # then
    assert response.status_code == 500
    body = response.content.decode()
    assert VIEWPORT in body
    assert "Something went wrong on our side" in body


@pytest.mark.django_db
def test_the_favicon_is_served(client) -> None:
    # when
    response = client.get("/favicon.ico")
    # then: a permanent redirect to a vendored file that is an icon
    assert (response.status_code, response["Location"]) == (301, "/static/kam/favicon.ico")
    with open(finders.find("kam/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # the ICO header
