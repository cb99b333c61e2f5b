"""Sync out: keyset paging on (updated_at, id) and the sync horizon (issue 11, items 1 and 2)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account
from accounts.tests.factories import make_account, make_contact
from kam.api.pagination import sync_horizon
from kam.testing import token_client

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def stamp(ids: list[int], moment: datetime) -> None:
    Account.objects.filter(pk__in=ids).update(updated_at=moment)


def sync(api, url: str = "/api/v1/accounts/", **params) -> tuple[list[int], int]:  # noqa: ANN001
    """Page to the end; the ids in the order received and the number of pages."""
    seen, pages, query = [], 0, params
    while url:
        response = api.get(url, query)
        assert response.status_code == 200, response.content
        page = response.json()
        seen += [row["id"] for row in page["results"]]
        pages += 1
        url, query = page["next"], None
        assert pages < 1000, "paging does not end"
    return seen, pages


@pytest.mark.django_db
def test_rows_sharing_a_few_timestamps_are_each_reached_once_and_paging_ends(world) -> None:
    # given 450 accounts sharing 3 timestamps (150 each, as bulk batches or a tiering run stamp them)
    Account.objects.all().delete()
    ids = [a.pk for a in Account.objects.bulk_create(Account(name=f"批量{i}") for i in range(450))]
    for n, moment in enumerate((T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2))):
        stamp(ids[n * 150 : (n + 1) * 150], moment)

    # when a client pages at page_size=100 (smaller than a timestamp's share)
    seen, pages = sync(token_client(world.director), page_size=100)

    # then every row arrives once, in (updated_at, id) order, and the fifth page is the last
    assert seen == ids
    assert pages == 5


@pytest.mark.django_db
def test_a_row_changed_between_pages_does_not_make_the_next_page_skip_one(world) -> None:
    # given 200 accounts sharing one timestamp and a client that has read the first 100
    Account.objects.all().delete()
    ids = [a.pk for a in Account.objects.bulk_create(Account(name=f"同刻{i}") for i in range(200))]
    stamp(ids, T0)
    api = token_client(world.director)
    first = api.get("/api/v1/accounts/", {"page_size": 100}).json()
    assert [row["id"] for row in first["results"]] == ids[:100]

    # when a row already delivered is PATCHed before page 2
    assert api.patch(f"/api/v1/accounts/{ids[4]}/", {"region": "华南"}, format="json").status_code == 200
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()

    # then page 2 holds exactly the 100 unseen rows, and the changed row comes once more after them
    assert [row["id"] for row in second["results"]] == ids[100:200]
    assert [row["id"] for row in third["results"]] == [ids[4]]
    assert third["next"] is None


@pytest.mark.django_db
def test_previous_pages_back_over_the_same_rows(world) -> None:
    Account.objects.all().delete()
    ids = [a.pk for a in Account.objects.bulk_create(Account(name=f"回{i}") for i in range(7))]
    stamp(ids, T0)
    api = token_client(world.director)
    first = api.get("/api/v1/accounts/", {"page_size": 3}).json()
    second = api.get(first["next"]).json()
    back = api.get(second["previous"]).json()
    assert first["previous"] is None
    assert [row["id"] for row in second["results"]] == ids[3:6]
    assert [row["id"] for row in back["results"]] == ids[:3]
    assert back["previous"] is None
    assert [row["id"] for row in api.get(back["next"]).json()["results"]] == ids[3:6]


@pytest.mark.django_db
@pytest.mark.parametrize("collection", ["accounts", "contacts", "orders", "invoices", "payments", "deletions"])
def test_a_forged_or_foreign_cursor_is_a_400_naming_cursor(world, collection) -> None:
    # given a genuine cursor of the contacts collection
    api = token_client(world.director)
    make_contact(world.account, name="甲")
    make_contact(world.account, name="乙")
    genuine = api.get("/api/v1/contacts/", {"page_size": 1}).json()["next"].split("cursor=")[1].split("&")[0]
    from urllib.parse import unquote

    genuine = unquote(genuine)
    payload, signature = genuine.rsplit(":", 1)
    forged = payload + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]

    for cursor in ("garbage", forged, *([genuine] if collection != "contacts" else [])):
        # when it is tampered with, made up, or used on another collection
        response = api.get(f"/api/v1/{collection}/", {"cursor": cursor})
        # then it is bad input naming the field
        assert response.status_code == 400, cursor
        assert list(response.json()["errors"]) == ["cursor"]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=3), min_size=0, max_size=25),
    page_size=st.integers(min_value=1, max_value=7),
)
def test_property_paging_to_the_end_yields_each_row_once_in_keyset_order(world, offsets, page_size) -> None:
    # given any multiset of timestamps (few distinct values, so ties abound)
    Account.objects.all().delete()
    accounts = Account.objects.bulk_create(Account(name=f"P{i}") for i in range(len(offsets)))
    for account, offset in zip(accounts, offsets, strict=True):
        stamp([account.pk], T0 + timedelta(seconds=offset))
    expected = [pk for _, pk in sorted((o, a.pk) for a, o in zip(accounts, offsets, strict=True))]

    # when a client pages to the end at any page size
    seen, pages = sync(token_client(world.director), page_size=page_size)

    # then each row comes once, in (updated_at, id) order, in ceil(n / size) pages (at least one)
    assert seen == expected
    assert pages == max(1, -(-len(offsets) // page_size))


# ---------------------------------------------------------------- the sync horizon (PostgreSQL)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_committing_late_is_synced_from_the_watermark(world) -> None:
    # given a committed account, and a write transaction left open in another connection
    api = token_client(world.integration)
    early = make_account(world.owner, name="早")
    began, release, failures = threading.Event(), threading.Event(), []
    late_id: list[int] = []

    def long_import() -> None:
        try:
            with transaction.atomic():
                late_id.append(make_account(world.owner, name="迟").pk)  # stamped now, commits later
                began.set()
                release.wait(timeout=30)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
            began.set()
        finally:
            connection.close()

    thread = threading.Thread(target=long_import)
    thread.start()
    try:
        assert began.wait(timeout=30)
        after = make_account(world.owner, name="后")  # committed, stamped after the late row
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT xact_start FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            in_flight = [row[0] for row in cursor.fetchall()]
        assert len(in_flight) == 1
        assert sync_horizon() == in_flight[0]  # the start of the one write in flight (no margin in tests)

        # when a client syncs while the import is in flight
        first, _ = sync(api)
        watermark = Account.objects.get(pk=first[-1]).updated_at

        # then it gets nothing stamped after the in-flight transaction began
        assert first == [world.account.pk, world.other_account.pk, early.pk]
    finally:
        release.set()
        thread.join(timeout=30)
    assert failures == []

    # and when the import has committed, the next sync from the watermark gets the late row
    again, _ = sync(api, updated_since=watermark.isoformat())
    assert again == [early.pk, late_id[0], after.pk]


@pytest.mark.postgres
@pytest.mark.django_db
def test_rows_stamped_within_the_settle_margin_wait_for_the_next_sync(world, settings) -> None:
    # given the default margin and an account changed just now, another a while ago
    settings.SYNC_SETTLE_SECONDS = 60
    Account.objects.all().delete()
    old = make_account(world.owner, name="旧")
    fresh = make_account(world.owner, name="新")
    settled = timezone.now() - timedelta(seconds=120)
    Account.objects.filter(pk=old.pk).update(updated_at=settled)

    # when a client syncs, then only the settled row is handed out
    seen, _ = sync(token_client(world.director))
    assert seen == [old.pk]

    # and once the margin has passed (here: the margin is lowered), the fresh one follows
    settings.SYNC_SETTLE_SECONDS = 0
    assert sync(token_client(world.director), updated_since=settled.isoformat())[0] == [old.pk, fresh.pk]
