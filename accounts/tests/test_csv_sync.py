"""CSV pages of the sync lists (`Accept: text/csv`, `?format=csv`): the JSON sync's rules (keyset
cursor, visibility, sync horizon), its flat values as cells, links in headers, JSON errors; on
PostgreSQL written by COPY, byte for byte what the serializer path writes (kam/api/csv_pages.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.api import views
from accounts.models import Account
from accounts.tests.factories import make_account, make_contact, make_order
from accounts.tests.test_fast_list import FILTERS, ZONES, build_rich_world
from kam.api.csv_pages import csv_cell, csv_page
from kam.api.pagination import CURSOR_SALT, _csv_record_end, _csv_record_start
from kam.testing import token_client

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
CSV = {"HTTP_ACCEPT": "text/csv"}
NESTED = {"scores", "contacts", "team"}  # the account row's objects and arrays, left out of CSV


def records(response) -> list[list[str]]:  # noqa: ANN001
    """The header row and records of a CSV page, as a client's csv.reader reads them."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def next_link(response) -> str | None:  # noqa: ANN001
    """The `rel="next"` URL of the Link header, checked against X-Next-Cursor."""
    links = dict(reversed(part.split(">; rel=")) for part in response.get("Link", "").split(", ") if part)
    following = links.get('"next"')
    if following is None:
        assert "X-Next-Cursor" not in response
        return None
    assert parse_qs(urlsplit(following[1:]).query)["cursor"] == [response["X-Next-Cursor"]]
    return following[1:]


def prev_link(response) -> str | None:  # noqa: ANN001
    links = dict(reversed(part.split(">; rel=")) for part in response.get("Link", "").split(", ") if part)
    return links['"prev"'][1:] if '"prev"' in links else None


def sync_csv(api, url: str = "/api/v1/accounts/", **params) -> tuple[list[int], int]:  # noqa: ANN001
    """Page to the end through CSV pages; the ids in the order received and the number of pages."""
    seen, pages, query = [], 0, params
    while url:
        response = api.get(url, query, **CSV)
        header, *rows = records(response)
        seen += [int(row[header.index("id")]) for row in rows]
        pages += 1
        url, query = next_link(response), None
        assert pages < 1000, "paging does not end"
    return seen, pages


def stamp(ids: list[int], moment: datetime) -> None:
    Account.objects.filter(pk__in=ids).update(updated_at=moment)


# ---------------------------------------------------------------- the JSON sync's rules, as CSV


@pytest.mark.django_db
def test_rows_sharing_a_few_timestamps_are_each_reached_once_and_paging_ends(world) -> None:
    # given 450 accounts sharing 3 timestamps (150 each, as bulk batches or a tiering run stamp them)
    Account.objects.all().delete()
    ids = [a.pk for a in Account.objects.bulk_create(Account(name=f"批量{i}", owner=world.owner) for i in range(450))]
    for n, moment in enumerate((T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2))):
        stamp(ids[n * 150 : (n + 1) * 150], moment)

    # when a client pages CSV at page_size=100 (smaller than a timestamp's share)
    seen, pages = sync_csv(token_client(world.director), page_size=100)

    # then every row arrives once, in (updated_at, id) order, and the fifth page is the last
    assert seen == ids
    assert pages == 5


@pytest.mark.django_db
def test_a_row_changed_between_pages_does_not_make_the_next_page_skip_one(world) -> None:
    # given 200 accounts sharing one timestamp and a client that has read the first 100 as CSV
    Account.objects.all().delete()
    ids = [a.pk for a in Account.objects.bulk_create(Account(name=f"同刻{i}", owner=world.owner) for i in range(200))]
    stamp(ids, T0)
    api = token_client(world.director)
    first = api.get("/api/v1/accounts/", {"page_size": 100, "format": "csv"})
    assert [int(row[0]) for row in records(first)[1:]] == ids[:100]

    # when a row already delivered is PATCHed before page 2
    assert api.patch(f"/api/v1/accounts/{ids[4]}/", {"region": "华南"}, format="json").status_code == 200
    second = api.get(next_link(first))
    third = api.get(next_link(second))

    # then page 2 holds exactly the 100 unseen rows, and the changed row comes once more after them
    assert [int(row[0]) for row in records(second)[1:]] == ids[100:200]
    assert [int(row[0]) for row in records(third)[1:]] == [ids[4]]
    assert next_link(third) is None


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=3), min_size=0, max_size=20),
    page_size=st.integers(min_value=1, max_value=7),
)
def test_property_paging_to_the_end_yields_each_row_once_in_keyset_order(world, offsets, page_size) -> None:
    # given any multiset of timestamps (few distinct values, so ties abound)
    Account.objects.all().delete()
    accounts = Account.objects.bulk_create(Account(name=f"P{i}", owner=world.owner) for i in range(len(offsets)))
    for account, offset in zip(accounts, offsets, strict=True):
        stamp([account.pk], T0 + timedelta(seconds=offset))
    expected = [pk for _, pk in sorted((o, a.pk) for a, o in zip(accounts, offsets, strict=True))]

    # when a client pages CSV to the end at any page size
    seen, pages = sync_csv(token_client(world.director), page_size=page_size)

    # then each row comes once, in (updated_at, id) order, in ceil(n / size) pages (at least one)
    assert seen == expected
    assert pages == max(1, -(-len(offsets) // page_size))


@pytest.mark.django_db
def test_the_prev_link_pages_back_over_the_same_rows(world) -> None:
    Account.objects.all().delete()
    ids = [a.pk for a in Account.objects.bulk_create(Account(name=f"回{i}", owner=world.owner) for i in range(7))]
    stamp(ids, T0)
    api = token_client(world.director)
    first = api.get("/api/v1/accounts/", {"page_size": 3}, **CSV)
    second = api.get(next_link(first), **CSV)
    back = api.get(prev_link(second), **CSV)
    assert prev_link(first) is None
    assert [int(row[0]) for row in records(second)[1:]] == ids[3:6]
    assert [int(row[0]) for row in records(back)[1:]] == ids[:3]
    assert prev_link(back) is None
    assert [int(row[0]) for row in records(api.get(next_link(back), **CSV))[1:]] == ids[3:6]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "teammate", "manager", "other_rep", "director"])
def test_a_csv_page_holds_the_rows_the_json_page_holds_for_anyone(world, who) -> None:
    # given accounts of both teams, and a caller who may see only some
    make_account(world.owner, name="甲")
    make_account(world.other_rep, name="乙")
    api = token_client(getattr(world, who))

    # when the caller syncs as JSON and as CSV
    json_ids = [row["id"] for row in api.get("/api/v1/accounts/", {"page_size": 100}).json()["results"]]
    csv_ids, _ = sync_csv(api, page_size=100)

    # then the CSV holds exactly the visible rows, in the same order
    assert csv_ids == json_ids
    assert set(json_ids) == set(Account.objects.visible_to(getattr(world, who)).values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("collection", ["accounts", "contacts", "orders"])
def test_a_bad_cursor_on_a_csv_page_is_a_json_400_naming_cursor(world, collection) -> None:
    api = token_client(world.director)
    for asked in ({"HTTP_ACCEPT": "text/csv"}, {}):
        params = {"cursor": "garbage"} if asked else {"cursor": "garbage", "format": "csv"}
        response = api.get(f"/api/v1/{collection}/", params, **asked)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "invalid"
        assert list(response.json()["errors"]) == ["cursor"]


@pytest.mark.django_db
def test_csv_is_offered_by_the_sync_lists_only(world) -> None:
    api = token_client(world.director)
    assert api.get(f"/api/v1/accounts/{world.account.pk}/", **CSV).status_code == 406
    assert api.get("/api/v1/invoices/", **CSV).status_code == 406
    assert api.get("/api/v1/accounts/")["Content-Type"] == "application/json"  # JSON stays the default


# ---------------------------------------------------------------- cells: the JSON values as text


@pytest.mark.django_db
@pytest.mark.parametrize("collection", ["accounts", "contacts", "orders"])
def test_every_cell_is_the_json_values_text(world, collection) -> None:
    # given rows with nulls, blanks, text a spreadsheet would take for a formula, quotes, commas, line breaks
    account = make_account(world.owner, name='=HYPERLINK("x"),逗号', english_name="", employees=None, external_id="-1")
    Account.objects.filter(pk=account.pk).update(main_products='line\nbreak\r\nand "quotes"')
    make_contact(account, name="+86 138 0000 0000", email="")
    make_order(account, "2026-01-05", "-80.00", None)
    api = token_client(world.director)

    # when the same page is read as JSON and as CSV
    rows = api.get(f"/api/v1/{collection}/", {"page_size": 100}).json()["results"]
    response = api.get(f"/api/v1/{collection}/", {"page_size": 100}, **CSV)
    header, *cells = records(response)

    # then the header is the JSON row's flat fields, and each cell its value's text, unguarded
    assert header == [key for key in rows[0] if key not in NESTED]
    expected = [[csv_text(row[key]) for key in header] for row in rows]
    assert cells == expected


@pytest.mark.django_db
def test_text_a_spreadsheet_would_run_comes_back_as_it_was_and_null_differs_from_blank(world) -> None:
    # given an account whose texts hold a formula, quotes, commas and line breaks, a blank and a null
    account = make_account(world.owner, name='=HYPERLINK("x"),逗号', english_name="", employees=None, external_id="-1")
    Account.objects.filter(pk=account.pk).update(main_products='line\nbreak\r\nand "quotes"')

    # when it is read as CSV
    response = token_client(world.director).get("/api/v1/accounts/", {"page_size": 100}, **CSV)
    header, *cells = records(response)
    mine = dict(zip(header, next(row for row in cells if row[0] == str(account.pk)), strict=True))

    # then a program reads back exactly what was stored (no formula guard: see kam/api/csv_pages.py)
    assert mine["name"] == '=HYPERLINK("x"),逗号'
    assert mine["external_id"] == "-1"
    assert mine["main_products"] == 'line\nbreak\r\nand "quotes"'
    # and "" is quoted while null is an empty cell, as COPY writes them
    # (id, external_id, name, english_name "", parent null)
    assert f'\n{account.pk},-1,"=HYPERLINK(""x""),逗号","",,' in response.content.decode()


def csv_text(value: object) -> str:
    if value is None:
        return ""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def test_a_cell_is_quoted_as_copy_quotes_it() -> None:
    assert [csv_cell(v) for v in (None, "", "a", 'a"b', "a,b", "a\nb", "a\rb", True, False, 12, "12.50")] == [
        "",
        '""',
        "a",
        '"a""b"',
        '"a,b"',
        '"a\nb"',
        '"a\rb"',
        "true",
        "false",
        "12",
        "12.50",
    ]
    assert csv_page(["id", "name"], [{"id": 1, "name": None}, {"id": 2, "name": ""}]) == b'id,name\n1,\n2,""\n'


@pytest.mark.parametrize(
    "body",
    [
        b'h\n1,"a\nb"\n2,x\n3,"c\n\nd"\n',
        b'h\n1,x\n2,"""\n"""\n',
        b'h\n"\n",1\n',
    ],
)
def test_records_are_found_whatever_line_breaks_their_quoted_values_hold(body) -> None:
    # the records, as csv.reader splits them (the header is the line before the first)
    expected = []
    start = 2
    for row in list(csv.reader(io.StringIO(body.decode())))[1:]:
        line = (",".join(csv_cell(v) for v in row) + "\n").encode()
        expected.append((start, start + len(line)))
        start += len(line)
    assert start == len(body)
    assert [(s, _csv_record_end(body, s)) for s, _ in expected] == expected
    assert [(_csv_record_start(body, e, floor=2), e) for _, e in expected] == expected


# ---------------------------------------------------------------- PostgreSQL's COPY = the serializer path


def get_both_csv(api, url: str, params: dict | None, monkeypatch: pytest.MonkeyPatch) -> tuple:  # noqa: ANN001
    """(COPY page, serializer page) of one CSV GET, both 200."""
    fast = api.get(url, params, **CSV)
    with monkeypatch.context() as patch:
        patch.setattr(views, "fast_json_available", lambda: False)
        reference = api.get(url, params, **CSV)
    records(fast), records(reference)
    return fast, reference


def unsigned(link: str | None) -> tuple | None:
    if link is None:
        return None
    parts = urlsplit(link)
    query = parse_qs(parts.query)
    cursor = signing.loads(query.pop("cursor")[0], salt=CURSOR_SALT) if "cursor" in query else None
    return parts.path, sorted(query.items()), cursor


def same_csv_page(fast, reference) -> None:  # noqa: ANN001
    assert fast.content == reference.content
    assert unsigned(next_link(fast)) == unsigned(next_link(reference))
    assert unsigned(prev_link(fast)) == unsigned(prev_link(reference))


@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    filters=FILTERS,
    page_size=st.integers(min_value=1, max_value=4),
    who=st.sampled_from(["director", "owner", "manager", "other_rep"]),
    zone=st.sampled_from(ZONES),
)
def test_property_every_copy_page_is_the_serializer_paths_page(
    world, monkeypatch, settings, filters, page_size, who, zone
) -> None:
    # given the rich world (line breaks, quotes, Chinese, nulls, blanks, scores of a run and none)
    if not Account.objects.filter(name="未评分客户").exists():
        build_rich_world(world)
    settings.TIME_ZONE = zone
    api = token_client(getattr(world, who))
    url, params, pages = "/api/v1/accounts/", {**filters, "page_size": page_size}, 0

    # when a client pages CSV to the end, and back one page from each page
    while url:
        fast, reference = get_both_csv(api, url, params, monkeypatch)
        # then COPY wrote the serializer path's bytes, with the same links
        same_csv_page(fast, reference)
        if prev_link(fast):
            same_csv_page(*get_both_csv(api, prev_link(fast), None, monkeypatch))
        url, params, pages = next_link(fast), None, pages + 1
        assert pages < 50


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("collection", ["contacts", "orders"])
@pytest.mark.parametrize("page_size", [1, 2, 100])
def test_contact_and_order_copy_pages_are_the_serializer_paths(world, monkeypatch, collection, page_size) -> None:
    build_rich_world(world)
    api = token_client(world.director)
    url, params, pages = f"/api/v1/{collection}/", {"page_size": page_size}, 0
    while url:
        fast, reference = get_both_csv(api, url, params, monkeypatch)
        same_csv_page(fast, reference)
        url, params, pages = next_link(fast), None, pages + 1
    assert pages >= 1


@pytest.mark.django_db
@pytest.mark.parametrize("collection", ["accounts", "contacts", "orders"])
def test_an_unknown_format_is_a_400_naming_format(world, collection) -> None:
    response = token_client(world.director).get(f"/api/v1/{collection}/", {"format": "xlsx"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["format"]


@pytest.mark.django_db
def test_updated_since_narrows_a_csv_sync_as_it_does_the_json_one(world) -> None:
    # given rows stamped before and after a watermark, more than a page of them after it
    Account.objects.all().delete()
    ids = [a.pk for a in Account.objects.bulk_create(Account(name=f"水位{i}", owner=world.owner) for i in range(7))]
    stamp(ids[:2], T0 - timedelta(days=1))
    stamp(ids[2:], T0)

    # when a client syncs from the watermark, two rows a page (the links keep `updated_since`)
    seen, pages = sync_csv(token_client(world.director), page_size=2, updated_since="2026-11-01T08:00:00Z")

    # then only the rows at or after it come, each once
    assert seen == ids[2:]
    assert pages == 3
