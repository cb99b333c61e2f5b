"""API conventions shared by every endpoint: error shape, sync paging, throttling, body limit."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account
from accounts.tests.factories import make_account
from kam.testing import token_client
from tiering.tests.factories import make_run

pytestmark = pytest.mark.django_db


def test_errors_have_one_shape_with_the_field_and_the_reason(world) -> None:
    api = token_client(world.director)
    response = api.post("/api/v1/accounts/", {"external_id": "C-1"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": {
            "external_id": ["account with this ERP ID already exists."],
            "name": ["This field is required."],
        },
    }
    missing = api.get("/api/v1/accounts/999999/")
    assert missing.status_code == 404
    assert (missing.json()["code"], missing.json()["errors"]) == ("not_found", {})
    anonymous = APIClient().get("/api/v1/accounts/")
    assert (anonymous.status_code, anonymous.json()) == (
        401,
        {"code": "not_authenticated", "message": "Authentication credentials were not provided.", "errors": {}},
    )


def test_cursor_paging_from_updated_since_sees_every_changed_row_once(world) -> None:
    api = token_client(world.director)
    since = timezone.now()
    created = [make_account(world.owner, name=f"同步{i}").pk for i in range(7)]
    seen, url = [], "/api/v1/accounts/"
    params = {"updated_since": since.isoformat(), "page_size": 3}
    while url:
        page = api.get(url, params).json()
        seen += [row["id"] for row in page["results"]]
        url, params = page["next"], None
    assert seen == created  # in the order they changed, none twice, none missed
    # A row changed after the sync started comes after the ones already seen.
    # (Stamped now, not in the future: a row stamped ahead of the clock waits for the clock.)
    Account.objects.filter(pk=created[0]).update(updated_at=timezone.now())
    again = api.get("/api/v1/accounts/", {"updated_since": since.isoformat()}).json()
    assert [row["id"] for row in again["results"]] == [*created[1:], created[0]]


def test_updated_since_needs_a_time_zone(world) -> None:
    response = token_client(world.director).get("/api/v1/accounts/", {"updated_since": "2026-01-01"})
    assert response.status_code == 400
    assert "updated_since" in response.json()["errors"]


def test_a_token_over_its_rate_gets_429_with_retry_after(world, settings) -> None:
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    cache.clear()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "token": "3/min"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        api = token_client(world.director)
        statuses = [api.get("/api/v1/accounts/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        last = api.get("/api/v1/accounts/")
        assert int(last["Retry-After"]) > 0
        assert last.json()["code"] == "throttled"
        # Another token has its own budget.
        assert token_client(world.manager).get("/api/v1/accounts/").status_code == 200
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
        cache.clear()


def test_an_oversized_body_gets_a_clear_413(world, settings) -> None:
    settings.API_MAX_BODY_BYTES = 1000
    api = token_client(world.director)
    response = api.post("/api/v1/accounts/", {"name": "x" * 5000}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "limit is 1000 bytes" in response.json()["message"]


def test_a_malformed_cursor_is_bad_input_not_a_missing_page(world) -> None:
    response = token_client(world.director).get("/api/v1/accounts/", {"cursor": "garbage"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"cursor": ["Not a cursor this API gave out."]}


def test_an_unknown_api_path_answers_json(world) -> None:
    response = token_client(world.director).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


NOT_A_DATETIME = {"updated_since": ["Give an ISO 8601 date-time with a time zone."]}


@pytest.mark.parametrize(
    ("value", "status", "answer"),
    [
        ("4711-12-26T08:40:22-17:28", 200, []),  # a valid moment after every run: nothing changed since
        ("9999-12-31T23:59:59-23:00", 400, NOT_A_DATETIME),  # past the last moment UTC can hold
        ("2026-13-45T00:00Z", 400, NOT_A_DATETIME),
    ],
)
def test_odd_updated_since_values_are_handled(world, value, status, answer) -> None:  # noqa: ANN001
    # given a run, so an empty answer means "filtered out", not "nothing there"
    make_run()
    # when
    response = token_client(world.director).get("/api/v1/tiering/runs/", {"updated_since": value})
    # then
    assert response.status_code == status
    assert (response.json()["results"] if status == 200 else response.json()["errors"]) == answer


def test_a_nul_in_the_query_string_is_bad_input(world) -> None:
    response = token_client(world.director).get("/api/v1/accounts/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"q": ["Must not contain NUL (\\u0000) characters."]}


def test_an_unreadable_content_type_is_a_documented_415(world) -> None:
    # Found by the contract run: a body whose Content-Type did not reach the app.
    api = token_client(world.director)
    response = api.generic("POST", "/api/v1/tiering/runs/", b"\xf1\x95m", content_type="")
    assert response.status_code == 415
    assert set(response.json()) == {"code", "message", "errors"}
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "415" in schema["paths"]["/api/v1/tiering/runs/"]["post"]["responses"]
    assert "415" not in schema["paths"]["/api/v1/tiering/runs/"]["get"]["responses"]
