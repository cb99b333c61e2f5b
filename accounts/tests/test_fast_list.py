"""The account list written by PostgreSQL (accounts/api/json_rows.py) is the serializer's page,
value for value, key order included, on every page, cursor and filter (issue 11, benchmark)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from accounts.api import views
from accounts.models import Account, AccountTeamMember, Contact, Order
from accounts.tests.factories import make_account, make_contact, make_order
from kam.api import sql_json
from kam.api.pagination import CURSOR_SALT
from kam.testing import pg_text, token_client
from tiering.models import ScoringRun
from tiering.tests.factories import make_run

pytestmark = pytest.mark.postgres

ZONES = ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kolkata", "America/St_Johns"]
T0 = datetime(2026, 3, 8, 6, 59, 59, tzinfo=UTC)  # a second before New York's clocks go forward


def ordered(value: object) -> object:
    """The parsed body with every object's keys as a list of pairs: equal only in the same order."""
    if isinstance(value, dict):
        return [(key, ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


def unsigned(link: str | None) -> tuple | None:
    """A link with its cursor read: the signature carries the second it was made, the rest must match."""
    if link is None:
        return None
    parts = urlsplit(link)
    query = parse_qs(parts.query)
    cursor = signing.loads(query.pop("cursor")[0], salt=CURSOR_SALT) if "cursor" in query else None
    return parts.path, sorted(query.items()), cursor


def same_page(fast: dict, reference: dict) -> None:
    assert list(fast) == list(reference) == ["next", "previous", "results"]
    assert unsigned(fast["next"]) == unsigned(reference["next"])
    assert unsigned(fast["previous"]) == unsigned(reference["previous"])
    assert ordered(fast["results"]) == ordered(reference["results"])


def fast_path_ran(queries: CaptureQueriesContext) -> bool:
    """Whether a page was written by the database: its statement, or the prepared one run."""
    return any("concat('{\"id\":'" in q["sql"] or "EXECUTE kam_page_" in q["sql"] for q in queries.captured_queries)


def get_both(api, url: str, params: dict | None, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict]:  # noqa: ANN001
    """(fast body, serializer body) of one GET, parsed with key order kept; both must be 200."""
    with CaptureQueriesContext(connection) as queries:
        fast = api.get(url, params)
    assert fast.status_code == 200, fast.content
    assert fast_path_ran(queries), "the fast path did not run"
    with monkeypatch.context() as patch:
        patch.setattr(views, "fast_json_available", lambda: False)
        reference = api.get(url, params)
    assert reference.status_code == 200, reference.content
    assert fast["Content-Type"] == reference["Content-Type"] == "application/json"
    assert fast["Vary"] == reference["Vary"]
    assert fast["Allow"] == reference["Allow"]
    return json.loads(fast.content), json.loads(reference.content)


def build_rich_world(world) -> list[Account]:  # noqa: ANN001
    """Accounts with everything the list writes: contacts (name ties, a reporting line, inactive),
    a full team, scores of a run and none (created after it), nulls and blanks, Chinese text, JSON
    escapes, decimals of every shape, and timestamps with and without microseconds around a DST
    change."""
    make_order(world.account, T0.date() - timedelta(days=3), "5000.00", "500.00")
    make_order(world.other_account, T0.date() - timedelta(days=40), "1234567.89", None)
    parent = make_account(world.owner, name="集团总部", english_name="HQ Group", annual_revenue=Decimal("0.00"))
    child = make_account(
        world.owner,
        name='台灣精密機械股份有限公司 "引号" \\ 反斜杠',
        english_name="Line\nbreak\ttab \u2028 sep \x01 ctl 😀",
        external_id="202611200000012345",
        parent=parent,
        industry="机械",
        region="华东",
        employees=0,
        annual_revenue=Decimal("99999999999999.99"),
        business_strategy="扩张",
        credit_level="AAA",
        operating_status="restructuring",
        relationship_type="partner",
        lifecycle_stage="growth",
    )
    make_order(child, T0.date() - timedelta(days=1), "80.50", "8.05")
    boss = make_contact(world.account, name="王伟", title="总经理", department="管理层")
    make_contact(world.account, name="王伟", buying_role="user", attitude="supporter", reports_to=boss)
    make_contact(world.account, name="Alice", is_active=False, email="a@example.com")
    make_contact(child, name="李娜", buying_role="technical_buyer")
    AccountTeamMember.objects.create(account=world.account, user=world.manager, role="delivery_manager")
    AccountTeamMember.objects.create(account=child, user=world.same_team_rep, role="account_manager")
    make_run()
    late = make_account(world.other_rep, name="未评分客户", english_name="", employees=None)
    make_contact(late, name="张三")
    accounts = list(Account.objects.order_by("id"))
    # Stamps: shared, on the second, .5 s, a microsecond, both sides of the DST change, and UTC midnight.
    stamps = [
        T0,
        T0,
        T0 + timedelta(seconds=1),
        T0 + timedelta(microseconds=500000),
        T0 + timedelta(microseconds=1),
        datetime(2026, 1, 1, tzinfo=UTC),
    ]
    for account, stamp in zip(accounts, stamps, strict=False):
        Account.objects.filter(pk=account.pk).update(updated_at=stamp)
    Account.objects.filter(pk=late.pk).update(tier="", category="")
    Account.objects.filter(pk=child.pk).update(tier="A1", category="key")
    return accounts


FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "region": st.sampled_from(["华东", "East", ""]),
        "q": st.sampled_from(["王", "精密", "HQ", "202611200000012345", "nothing"]),
        "tier": st.sampled_from(["A1", "C6"]),
        "category": st.sampled_from(["key", "normal"]),
        "industry": st.sampled_from(["机械"]),
        "updated_since": st.sampled_from(["2026-03-08T06:59:59Z", "2026-01-01T08:00:00+08:00"]),
        "external_id": st.sampled_from(["202611200000012345", "C-1"]),
    },
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    filters=FILTERS,
    page_size=st.integers(min_value=1, max_value=4),
    who=st.sampled_from(["director", "owner", "manager", "teammate", "other_rep"]),
    zone=st.sampled_from(ZONES),
)
def test_property_every_page_equals_the_serializers_page(
    world, monkeypatch, settings, filters, page_size, who, zone
) -> None:
    # given the rich world (built once per test; examples only read), seen by anyone, in any zone
    if not Account.objects.filter(name="未评分客户").exists():
        build_rich_world(world)
    settings.TIME_ZONE = zone
    api = token_client(getattr(world, who))
    url, params, pages = "/api/v1/accounts/", {**filters, "page_size": page_size}, 0

    # when a client pages to the end, and back one page from each page
    while url:
        fast, reference = get_both(api, url, params, monkeypatch)
        # then each page is the serializer's: same rows, keys, order, values and links
        same_page(fast, reference)
        if fast["previous"]:
            same_page(*get_both(api, fast["previous"], None, monkeypatch))
        url, params, pages = fast["next"], None, pages + 1
        assert pages < 50


@pytest.mark.django_db
def test_the_rich_world_page_holds_what_the_serializer_writes(world, monkeypatch, settings) -> None:
    # given the rich world, read in Shanghai (the offsets below are +08:00)
    settings.TIME_ZONE = "Asia/Shanghai"
    build_rich_world(world)
    child = Account.objects.get(external_id="202611200000012345")

    # when the director reads it in one page
    fast, reference = get_both(token_client(world.director), "/api/v1/accounts/", {"page_size": 100}, monkeypatch)

    # then the bodies are equal, and they hold the hard cases (so the comparison compared them)
    same_page(fast, reference)
    rows = {row["id"]: row for row in fast["results"]}
    row = rows[child.pk]
    assert row["name"] == '台灣精密機械股份有限公司 "引号" \\ 反斜杠'
    assert row["english_name"] == "Line\nbreak\ttab \u2028 sep \x01 ctl 😀"
    assert row["annual_revenue"] == "99999999999999.99"
    assert (row["tier"], row["category"], row["employees"]) == ("A1", "key", 0)
    assert row["updated_at"] == "2026-03-08T14:59:59.500000+08:00"
    assert row["scores"]["composite"] == reference["results"][list(rows).index(child.pk)]["scores"]["composite"]
    assert [c["name"] for c in rows[world.account.pk]["contacts"]] == ["Alice", "王伟", "王伟"]
    late = Account.objects.get(name="未评分客户")
    assert (rows[late.pk]["scores"], rows[late.pk]["tier"], rows[late.pk]["monetary"]) == (None, None, None)
    assert rows[Account.objects.get(name="集团总部").pk]["annual_revenue"] == "0.00"


# ---------------------------------------------------------------- each kind of value, as DRF writes it


def pg_value(sql: str, value: object, cast: str, zone: str = "UTC") -> object:
    """The JSON text PostgreSQL writes for `value` through a helper, parsed."""
    return json.loads(pg_text(sql, value, cast, zone))


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(
    # From 1970: earlier, some zones' offsets had seconds (local mean time), which TZH:TZM drops.
    moment=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(ZONES),
)
def test_property_a_datetime_is_written_as_drf_writes_it(moment, zone) -> None:
    from django.test import override_settings

    with override_settings(TIME_ZONE=zone):
        expected = serializers.DateTimeField().to_representation(moment)
    assert pg_value(sql_json.iso_datetime("v.x"), moment, "timestamptz", zone) == expected


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(amount=st.decimals(min_value=-(10**14) + 1, max_value=10**14 - 1, places=2, allow_nan=False))
def test_property_a_decimal_is_written_as_drf_writes_it(amount) -> None:
    expected = serializers.DecimalField(max_digits=16, decimal_places=2).to_representation(amount)
    assert pg_value(sql_json.decimal_text("v.x"), amount, "numeric(16,2)") == expected


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_property_text_is_written_as_drf_writes_it(text) -> None:
    assert pg_value(sql_json.string("v.x"), text, "text") == text
    assert pg_value(sql_json.blank_as_null("v.x"), text, "text") == (text or None)


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "expected"), [(None, None), (0, 0), (2147483647, 2147483647)])
def test_numbers_and_nulls_are_written_as_json(value, expected) -> None:
    assert pg_value(sql_json.number("v.x"), value, "integer") == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "expected"), [(None, None), (True, True), (False, False)])
def test_booleans_are_written_as_json(value, expected) -> None:
    assert pg_value(sql_json.boolean("v.x"), value, "boolean") == expected


@pytest.mark.django_db
def test_the_session_zone_is_utc_again_after_a_page(world) -> None:
    # given a page built under the current zone
    make_contact(world.account, name="甲")
    assert token_client(world.director).get("/api/v1/accounts/").status_code == 200

    # then Django's connection reads in UTC again
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone')")
        assert cursor.fetchone() == ("UTC",)


@pytest.mark.django_db
def test_the_browsable_api_keeps_the_serializer(world) -> None:
    # given a client that asks for the browsable API (HTML)
    api = token_client(world.director)

    # when the page is asked for as HTML
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/accounts/", {"format": "api"})

    # then it is the serializer's page (prefetching contacts), not the SQL one
    assert response.status_code == 200
    assert not any("concat('{" in q["sql"] for q in queries.captured_queries)
    assert not fast_path_ran(queries)
    assert any('FROM "accounts_contact"' in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    collection=st.sampled_from(["contacts", "orders"]),
    filters=st.sampled_from([{}, {"search": "王伟"}, {"is_active": "false"}, {"status": "fulfilled"}]),
    page_size=st.integers(min_value=1, max_value=3),
    who=st.sampled_from(["director", "owner", "other_rep"]),
    zone=st.sampled_from(ZONES),
)
def test_property_contact_and_order_pages_equal_the_serializers(
    world, monkeypatch, settings, collection, filters, page_size, who, zone
) -> None:
    # given the rich world, with contacts met on a day and orders with and without an ERP id
    if not Account.objects.filter(name="未评分客户").exists():
        build_rich_world(world)
        Contact.objects.filter(name="李娜").update(last_contacted_on=date(2026, 2, 28), phone="+86 138 0000 0000")
        Order.objects.filter(margin=None).update(external_id="202611200000012345")
        # Stamped in the past (shared ones too): a row stamped "now" may sit at the sync horizon.
        for model in (Contact, Order):
            for n, pk in enumerate(model.objects.order_by("id").values_list("id", flat=True)):
                model.objects.filter(pk=pk).update(updated_at=T0 + timedelta(microseconds=n // 2 * 250000))
    settings.TIME_ZONE = zone
    api = token_client(getattr(world, who))
    url, params, pages = f"/api/v1/{collection}/", {**filters, "page_size": page_size}, 0

    # when a client pages to the end
    while url:
        fast, reference = get_both(api, url, params, monkeypatch)
        # then each page is the serializer's
        same_page(fast, reference)
        url, params, pages = fast["next"], None, pages + 1
        assert pages < 50


@pytest.mark.django_db
@settings(max_examples=100, deadline=None)
@given(day=st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_property_a_date_is_written_as_drf_writes_it(day) -> None:
    assert pg_value(sql_json.iso_date("v.x"), day, "date") == serializers.DateField().to_representation(day)
    assert pg_value(sql_json.iso_date("v.x"), None, "date") is None


@pytest.mark.django_db
def test_the_fast_page_keeps_the_sync_horizon_in_any_time_zone(world, settings) -> None:
    # given the default settle margin, east of UTC, and an account changed just now
    settings.SYNC_SETTLE_SECONDS = 60
    settings.TIME_ZONE = "Asia/Shanghai"
    Account.objects.filter(pk=world.other_account.pk).update(updated_at=T0)

    # when a client syncs
    body = token_client(world.director).get("/api/v1/accounts/").json()

    # then only the settled row is handed out (the horizon is read in UTC, not the page's zone)
    assert [row["id"] for row in body["results"]] == [world.other_account.pk]


@pytest.mark.django_db
def test_the_fast_page_shows_the_scores_of_the_newest_succeeded_run_only(world, monkeypatch) -> None:
    # given a finished run, then a newer one that failed and a newer one still running
    build_rich_world(world)
    finished = ScoringRun.objects.get()
    ScoringRun.objects.create(as_of=finished.as_of, config=finished.config, status=ScoringRun.Status.FAILED)
    ScoringRun.objects.create(as_of=finished.as_of, config=finished.config, status=ScoringRun.Status.RUNNING)

    # when the director reads the accounts
    fast, reference = get_both(token_client(world.director), "/api/v1/accounts/", {"page_size": 100}, monkeypatch)

    # then both paths show the finished run's scores, and only its
    same_page(fast, reference)
    assert {row["scores"]["run"] for row in fast["results"] if row["scores"]} == {finished.pk}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "UTC"])
def test_in_autocommit_the_zone_is_set_by_the_page_query_itself_and_ends_with_it(world, monkeypatch, settings, zone):
    # given the rich world committed (no test transaction: requests run in autocommit, as served)
    build_rich_world(world)
    settings.TIME_ZONE = zone
    api = token_client(world.director)
    url, params, pages = "/api/v1/accounts/", {"page_size": 2}, 0

    while url:
        # when a client pages to the end
        fast, reference = get_both(api, url, params, monkeypatch)
        with CaptureQueriesContext(connection) as queries:
            assert json.loads(api.get(url, params).content)["results"] == fast["results"]
        # then each page is the serializer's, the zone was set in the page's own statement string
        same_page(fast, reference)
        page_sql = [q["sql"] for q in queries.captured_queries if "EXECUTE kam_page_" in q["sql"]]
        assert len(page_sql) == 1
        assert page_sql[0].startswith(f"SELECT set_config('TimeZone', '{zone}', true); EXECUTE kam_page_")
        # and the connection's zone is Django's again after it (a datetime read later is right)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('TimeZone')")
            assert cursor.fetchone() == (connection.timezone_name,)
        url, params, pages = fast["next"], None, pages + 1
    assert pages == 3


@pytest.mark.django_db(transaction=True)
def test_a_sync_plans_its_page_statement_once_per_connection(world) -> None:
    # given accounts to page through (autocommit, as served), on a connection that has prepared
    # nothing yet (earlier tests share it)
    build_rich_world(world)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    sql_json._prepared.pop(connection.connection, None)
    api = token_client(world.director)
    url, params, statements, ids = "/api/v1/accounts/", {"page_size": 2}, [], []

    # when a client pages to the end (each request starts a new query log: capture each)
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = api.get(url, params).json()
        statements += [q["sql"] for q in queries.captured_queries]
        ids += [row["id"] for row in body["results"]]
        url, params = body["next"], None

    # then every account came once
    assert sorted(ids) == sorted(Account.objects.values_list("id", flat=True))
    # and each page ran a prepared statement, prepared twice in all: the first page's (no cursor
    # condition) and the one every later page reuses with its own position
    prepares = [sql.split(" AS ")[0] for sql in statements if sql.startswith("PREPARE kam_page_")]
    executes = [sql.split("; ")[1].split("(")[0] for sql in statements if "EXECUTE kam_page_" in sql]
    assert prepares == ["PREPARE kam_page_1", "PREPARE kam_page_2"]
    assert executes == ["EXECUTE kam_page_1", "EXECUTE kam_page_2", "EXECUTE kam_page_2"]  # 5 accounts, 2 a page


@pytest.mark.django_db
def test_without_prepared_statements_a_page_is_planned_each_time(world, monkeypatch, settings) -> None:
    # given prepared statements turned off (a transaction-mode pooler in front of the database)
    settings.API_PREPARED_STATEMENTS = False

    # when a client reads a page
    with CaptureQueriesContext(connection) as queries:
        fast, reference = get_both(token_client(world.director), "/api/v1/accounts/", None, monkeypatch)

    # then it is the serializer's page, and no statement was prepared or executed by name
    same_page(fast, reference)
    assert not any("PREPARE" in q["sql"] or "EXECUTE" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_a_statement_postgresql_cannot_prepare_still_runs() -> None:
    # given a statement whose parameter PostgreSQL cannot type on its own (PREPARE is refused)
    sql = "SELECT %s AS x"

    # when it is run twice inside the test's transaction
    first = sql_json.json_rows_in_local_time_zone(sql, ["甲"])
    second = sql_json.json_rows_in_local_time_zone(sql, ["乙"])

    # then it ran as it is, the transaction still usable, the text as UTF-8 bytes
    assert (first, second) == ([("甲".encode(),)], [("乙".encode(),)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_a_connection_keeps_its_most_recently_used_statements(monkeypatch) -> None:
    # given room for one prepared statement, on a connection that has prepared none
    monkeypatch.setattr(sql_json, "PREPARED_PER_CONNECTION", 1)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    sql_json._prepared.pop(connection.connection, None)

    # when two statements run, then the first again
    runs = [
        sql_json.json_rows_in_local_time_zone(sql, [n])
        for n, sql in enumerate(["SELECT %s::int + 1", "SELECT %s::int + 2", "SELECT %s::int + 1"])
    ]

    # then each gave its answer, and only the one used last is still prepared
    assert runs == [[(1,)], [(3,)], [(3,)]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        assert cursor.fetchall() == [("kam_page_3", "PREPARE kam_page_3 AS SELECT $1::int + 1")]
