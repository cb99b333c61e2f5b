"""The sync page's hand-written pieces equal what they stand in for (issue 11, benchmark): the rows
SQL written around the queryset's WHERE (`_page_rows_sql`) selects the ORM's rows; a CSV datetime
written for a UTC session is DRF's text; the links built once a page are DRF's URLs."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from accounts.api.json_rows import account_csv, account_json
from accounts.models import Account
from accounts.tests.factories import make_account
from accounts.tests.test_fast_list import ZONES
from kam.api import pagination, sql_json
from kam.api.pagination import CURSOR_SALT, SyncCursorPagination, _plain_table_query, _quote_plus_cursor
from kam.api.sql_json import csv_copy_in_local_time_zone
from kam.testing import pg_text
from tiering.selectors import current_run_id

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


class View:
    sync_ordering = "updated_at"


def paginator_for(params: dict) -> tuple[SyncCursorPagination, Request]:
    request = Request(RequestFactory().get("/api/v1/accounts/", params))
    return SyncCursorPagination(), request


def cursor(position: tuple, *, backwards: bool = False) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in position]
    return signing.dumps(
        {"c": "accounts.account", "k": ["updated_at", "id"], "v": values, "b": backwards}, salt=CURSOR_SALT
    )


def rows_of(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.fetchall()


def orm_rows(queryset, params: dict) -> list[tuple]:  # noqa: ANN001
    """The page's rows as the ORM path selects them (`_keyset_page`, sliced `values_list`)."""
    paginator, request = paginator_for(params)
    page = paginator._keyset_page(queryset, request, View())
    fields = [f.attname for f in Account._meta.concrete_fields]
    return [tuple(r) for r in page.values_list(*fields)[: paginator.page_size + 1]]


def written_rows(queryset, params: dict) -> list[tuple]:  # noqa: ANN001
    paginator, request = paginator_for(params)
    return rows_of(*paginator._page_rows_sql(queryset, request, View()))


@pytest.fixture
def stamped(world) -> list[Account]:  # noqa: ANN001
    """Accounts of two owners sharing three timestamps, one a second in the future (past the horizon)."""
    accounts = [make_account(world.owner if i % 2 else world.other_rep, name=f"页{i}") for i in range(12)]
    for i, account in enumerate(accounts):
        moment = T0 + timedelta(minutes=i % 3) if i != 11 else datetime.now(UTC) + timedelta(hours=1)
        Account.objects.filter(pk=account.pk).update(updated_at=moment)
    return accounts


@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    who=st.sampled_from(["director", "owner", "manager", "other_rep", "outsider"]),
    page_size=st.integers(min_value=1, max_value=5),
    position=st.one_of(st.none(), st.tuples(st.integers(0, 3), st.integers(-1, 10_000))),
    backwards=st.booleans(),
    since=st.sampled_from([None, T0 + timedelta(minutes=1)]),
)
def test_property_the_written_rows_sql_selects_the_orms_rows(
    world, stamped, who, page_size, position, backwards, since
) -> None:
    # given someone's visible accounts, maybe narrowed by updated_since (a WHERE on the table)
    user = AnonymousUser() if who == "outsider" else getattr(world, who)  # an outsider sees nothing
    queryset = Account.objects.visible_to(user)
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    params = {"page_size": page_size}
    if position is not None:
        params["cursor"] = cursor((T0 + timedelta(minutes=position[0]), position[1]), backwards=backwards)

    # when the page's rows are read through the written SQL and through the ORM
    if who == "outsider":
        with pytest.raises(EmptyResultSet):
            written_rows(queryset, params)
        return
    assert _plain_table_query(queryset.query)

    # then they are the same rows in the same order, the future-stamped one held back
    written = written_rows(queryset, params)
    assert written == orm_rows(queryset, params)
    assert stamped[11].pk not in [row[0] for row in written]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_queryset_with_a_join_is_compiled_by_the_orm(world, stamped) -> None:
    # given a filter through a relation (a join) and one with an annotation
    joined = Account.objects.visible_to(world.director).filter(owner__username=world.owner.username)
    annotated = Account.objects.visible_to(world.director).annotate(twice=F("employees") * 2)
    plain = Account.objects.visible_to(world.owner)

    # then only the plain one is written by hand, and each page holds the ORM's rows
    assert not _plain_table_query(joined.query)
    assert not _plain_table_query(annotated.query)
    assert _plain_table_query(plain.query)
    for queryset in (joined, plain):
        assert written_rows(queryset, {"page_size": 3}) == orm_rows(queryset, {"page_size": 3})
        assert len(written_rows(queryset, {"page_size": 3})) == 4  # page_size + 1: more follow


DATESTYLES = ["ISO, MDY", "SQL, DMY", "Postgres, MDY", "German, DMY"]
MICROSECONDS = st.one_of(st.just(0), st.integers(1, 999_999), st.integers(1, 99).map(lambda n: n * 10_000))


@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)),
    microsecond=MICROSECONDS,
    zone=st.sampled_from(ZONES),
)
def test_property_a_csv_datetime_is_the_json_values_text_in_every_zone(moment, microsecond, zone) -> None:
    # given a moment with no, some, or trailing-zero microseconds
    moment = moment.replace(microsecond=microsecond)
    with override_settings(TIME_ZONE=zone):
        expected = serializers.DateTimeField().to_representation(moment)

    # then the cell COPY writes in that session zone is DRF's text, by the UTC form too in UTC
    cell = sql_json.csv_text(sql_json.iso_datetime, "v.x", utc=zone == "UTC")
    assert pg_text(cell, moment, "timestamptz", zone) == expected
    assert pg_text(sql_json.csv_text(sql_json.iso_datetime, "v.x"), moment, "timestamptz", zone) == expected


# A moment anywhere in Django's range (away from its ends, where an offset would leave it), in any zone.
ANY_MOMENT = st.datetimes(
    min_value=datetime(2, 1, 1),
    max_value=datetime(9998, 12, 31),
    timezones=st.sampled_from([UTC, *map(ZoneInfo, ZONES)]),
)


@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(moment=ANY_MOMENT, microsecond=MICROSECONDS, session=st.sampled_from(ZONES), style=st.sampled_from(DATESTYLES))
def test_property_the_stored_utc_text_is_drfs_whatever_the_session(moment, microsecond, session, style) -> None:
    # given any moment, with no, some or trailing-zero microseconds
    moment = moment.replace(microsecond=microsecond)
    with override_settings(TIME_ZONE="UTC"):
        expected = serializers.DateTimeField().to_representation(moment)

    # then accounts/0017's function writes DRF's UTC text in any session zone and date style (it
    # must not depend on them: a generated column is computed by whichever session writes the row)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('DateStyle', %s, false)", [style])
    try:
        assert pg_text("kam_iso_utc(v.x)", moment, "timestamptz", session) == expected
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET DateStyle TO DEFAULT")
    # and so does the cell it stands in for, formatted in a UTC session
    assert pg_text(sql_json.csv_text(sql_json.iso_datetime, "v.x", utc=True), moment, "timestamptz") == expected


@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(created=ANY_MOMENT, updated=ANY_MOMENT, microseconds=st.tuples(MICROSECONDS, MICROSECONDS))
def test_property_an_accounts_stored_stamps_follow_every_write(world, created, updated, microseconds) -> None:
    # given an account written by the ORM (auto_now stamps), then given arbitrary stamps
    account = make_account(world.owner, name="存")
    created, updated = created.replace(microsecond=microseconds[0]), updated.replace(microsecond=microseconds[1])
    Account.objects.filter(pk=account.pk).update(created_at=created, updated_at=updated)

    # then the stored texts are DRF's UTC texts of the stamps now on the row
    def stored() -> tuple[str, str]:
        return rows_of("SELECT created_at_iso, updated_at_iso FROM accounts_account WHERE id = %s", [account.pk])[0]

    with override_settings(TIME_ZONE="UTC"):
        drf = serializers.DateTimeField()
        assert stored() == (drf.to_representation(created), drf.to_representation(updated))
        # and after a save (auto_now moves updated_at), the new one's
        account.refresh_from_db()
        account.save()
        account.refresh_from_db()
        assert stored() == (drf.to_representation(account.created_at), drf.to_representation(account.updated_at))


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_a_csv_page_in_utc_sends_the_stored_stamps_the_same_bytes(world, stamped, monkeypatch, settings, zone) -> None:
    # given plain and joined querysets (hand-written rows SQL and the ORM's), pages of 5 from two positions
    settings.TIME_ZONE = zone
    row = account_csv(run_id=current_run_id())
    sent = []

    def copy(sql: str, params: list, **kwargs) -> tuple[bytes, int]:  # noqa: ANN003
        sent.append(sql)
        return csv_copy_in_local_time_zone(sql, params, **kwargs)

    monkeypatch.setattr(pagination, "csv_copy_in_local_time_zone", copy)
    querysets = [
        Account.objects.visible_to(world.director),
        Account.objects.visible_to(world.owner),
        Account.objects.visible_to(world.director).filter(owner__username=world.owner.username),
    ]
    for queryset in querysets:
        for params in ({"page_size": 5}, {"page_size": 5, "cursor": cursor((T0, 0))}):
            # when the page is written with the stored texts (where they serve) and without
            paginator, request = paginator_for(params)
            body = paginator.paginate_csv(queryset, request, View(), row=row)
            with monkeypatch.context() as off:
                off.setattr(sql_json.PageCsv, "reads_stored", lambda *args, **kwargs: False)
                paginator, request = paginator_for(params)
                formatted = paginator.paginate_csv(queryset, request, View(), row=row)

            # then the bytes are the same; in UTC the stored texts were sent, elsewhere formatted
            assert body == formatted
            assert body.count(b"\n") > 1
            assert ("updated_at_iso" in sent[-2]) == (zone == "UTC")
            assert "updated_at_iso" not in sent[-1]


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "America/St_Johns"])
def test_a_json_page_in_utc_reads_the_stored_stamps_the_same_rows(world, stamped, monkeypatch, settings, zone) -> None:
    # given plain and joined querysets, statements not prepared (so that their text is in the log)
    settings.TIME_ZONE, settings.API_PREPARED_STATEMENTS = zone, False
    row = account_json(run_id=current_run_id())
    querysets = [
        Account.objects.visible_to(world.director),
        Account.objects.visible_to(world.owner),
        Account.objects.visible_to(world.director).filter(owner__username=world.owner.username),
    ]
    for queryset in querysets:
        for params in ({"page_size": 5}, {"page_size": 5, "cursor": cursor((T0, 0))}):
            # when the page is written with the stored texts (where they serve) and without
            paginator, request = paginator_for(params)
            with CaptureQueriesContext(connection) as queries:
                rows = paginator.paginate_json(queryset, request, View(), row=row)
            with monkeypatch.context() as off:
                off.setattr(sql_json.PageJson, "reads_stored", lambda *args, **kwargs: False)
                paginator, request = paginator_for(params)
                with CaptureQueriesContext(connection) as formatted_queries:
                    formatted = paginator.paginate_json(queryset, request, View(), row=row)

            # then the rows are the same JSON texts; in UTC the stored texts were read, elsewhere formatted
            assert rows == formatted
            assert rows
            assert any("updated_at_iso" in q["sql"] for q in queries.captured_queries) == (zone == "UTC")
            assert not any("updated_at_iso" in q["sql"] for q in formatted_queries.captured_queries)


def test_the_stored_columns_name_the_same_cells_and_serve_utc_on_postgresql_only() -> None:
    cells = (("id", "p.id"), ("t", "a"))
    page = sql_json.PageCsv(
        columns=cells, utc_columns=cells, stored_columns=(("id", "p.id"), ("t", "s")), stored=("s",)
    )
    assert page.columns_in("UTC", stored=True) == (("id", "p.id"), ("t", "s"))
    assert page.columns_in("UTC") == cells
    assert page.columns_in("Asia/Shanghai", stored=True) == cells
    assert page.reads_stored("UTC") == (connection.vendor == "postgresql")
    assert not page.reads_stored("Asia/Shanghai")
    with pytest.raises(ValueError, match="stored_columns"):
        sql_json.PageCsv(columns=cells, stored_columns=(("t", "s"), ("id", "p.id"))).columns_in("UTC", stored=True)


def test_the_utc_columns_name_the_same_cells_or_are_refused() -> None:
    page = sql_json.PageCsv(columns=(("id", "p.id"), ("t", "a")), utc_columns=(("id", "p.id"), ("t", "b")))
    assert page.columns_in("UTC") == (("id", "p.id"), ("t", "b"))
    assert page.columns_in("Asia/Shanghai") == page.columns
    assert sql_json.PageCsv(columns=page.columns).columns_in("UTC") == page.columns
    with pytest.raises(ValueError, match="utc_columns"):
        sql_json.PageCsv(columns=page.columns, utc_columns=(("t", "b"), ("id", "p.id"))).columns_in("UTC")


QUERY_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " +%&=:/_.-~中文é", max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    params=st.lists(st.tuples(st.sampled_from(["page_size", "a", "zz", "cursor", "format", "b b"]), QUERY_TEXT)),
    value=st.one_of(QUERY_TEXT.filter(bool), st.just("eyJjIjoiYSJ9:1tZ:Ab-_c")),
)
def test_property_a_link_is_drfs_replace_query_param(params, value) -> None:
    # given a request URL with any parameters (repeated, blank, escaped, an old cursor)
    request = Request(RequestFactory().get("/api/v1/accounts/", params))
    paginator = SyncCursorPagination()
    paginator.base_url = request.build_absolute_uri()

    # then the link with a cursor is DRF's, and the cursor is quoted as quote_plus quotes it
    assert paginator.link_with_cursor(value) == replace_query_param(paginator.base_url, "cursor", value)
    assert paginator.link_with_cursor(value) == replace_query_param(paginator.base_url, "cursor", value)  # cached
    assert _quote_plus_cursor(value) == quote_plus(value)
    assert paginator.link_with_cursor(None) is None
