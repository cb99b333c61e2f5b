"""Preview and confirm of a spreadsheet: the bulk code path, dry, then once for real."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Account, Order
from accounts.tests.factories import make_order
from integrations.bulk import service
from integrations.bulk.service import bulk_upsert_batches
from integrations.bulk.specs import SPECS
from integrations.spreadsheets.importing import IMPORT_BATCH_DAYS, import_confirm, import_preview, purge_old_batches
from integrations.spreadsheets.models import ImportBatch

pytestmark = pytest.mark.django_db

ORDERS = (
    "ERP ID,Account ERP ID,订单日期,amount,margin,status\n"
    "SO-1,C-1,2026-03-02,100.00,10.00,open\n"  # row 2: new
    "SO-2,C-1,2026-03-03,not money,10.00,open\n"  # row 3: bad amount
    "SO-3,C-404,2026-03-04,5.00,1.00,open\n"  # row 4: no such account
    "SO-9,C-1,2026-01-01,50.00,5.00,fulfilled\n"  # row 5: exists, different amount
)


def preview(user, text: str = ORDERS, kind: str = "orders") -> ImportBatch:  # noqa: ANN001
    return import_preview(user=user, kind=kind, file=io.BytesIO(text.encode()), filename=f"{kind}.csv")


def by_row(report: dict) -> dict[int, tuple]:
    return {number: (key, status, errors) for number, key, status, errors, *_changes in report["rows"]}


def test_the_preview_reports_each_row_by_its_spreadsheet_number_and_writes_nothing(world) -> None:
    # given
    make_order(world.account, date(2026, 1, 1), "40.00", "5.00", external_id="SO-9")
    # when
    batch = preview(world.owner)
    # then
    rows = by_row(batch.preview)
    assert rows[2] == ("SO-1", "created", {})
    assert rows[3] == ("SO-2", "error", {"amount": ["A valid number is required."]})
    assert rows[4] == ("SO-3", "error", {"Account ERP ID": ['Account "C-404" does not exist.']})
    assert rows[5] == ("SO-9", "updated", {})
    assert batch.preview["summary"] == {"created": 1, "updated": 1, "unchanged": 0, "error": 2, "skipped": 0}
    assert not Order.objects.filter(external_id="SO-1").exists()
    assert Order.objects.get(external_id="SO-9").amount == Decimal("40.00")
    assert (batch.status, batch.result, batch.user, batch.headers["ordered_at"]) == (
        "previewed",
        None,
        world.owner,
        "订单日期",
    )


def test_confirm_writes_the_valid_rows_once(world) -> None:
    # given
    make_order(world.account, date(2026, 1, 1), "40.00", "5.00", external_id="SO-9")
    batch = preview(world.owner)
    # when
    first = import_confirm(batch=batch)
    again = import_confirm(batch=ImportBatch.objects.get(pk=batch.pk))
    # then
    assert (first, again) == (True, False)
    assert batch.status == "applied"
    assert batch.result["summary"] == {"created": 1, "updated": 1, "unchanged": 0, "error": 2, "skipped": 0}
    assert sorted(Order.objects.values_list("external_id", "amount")) == [
        ("SO-1", Decimal("100.00")),
        ("SO-9", Decimal("50.00")),
    ]
    assert Order.objects.count() == 2  # not applied twice, and nothing of the bad rows


def test_a_rep_cannot_import_into_an_account_they_cannot_see(world) -> None:
    text = "external_id,account_external_id,ordered_at,amount,margin\nSO-1,C-2,2026-03-02,1.00,1.00\n"
    batch = preview(world.owner, text)
    assert by_row(batch.preview)[2] == ("SO-1", "error", {"account_external_id": ['Account "C-2" does not exist.']})
    import_confirm(batch=batch)
    assert not Order.objects.exists()
    # The other team's rep may.
    other = preview(world.other_rep, text)
    import_confirm(batch=other)
    assert Order.objects.get(external_id="SO-1").account == world.other_account


def test_a_rep_cannot_overwrite_an_account_they_cannot_see(world) -> None:
    batch = preview(world.owner, "external_id,name\nC-2,改名\nC-3,新客户\n", kind="accounts")
    rows = by_row(batch.preview)
    assert rows[2][1:] == (
        "error",
        {"external_id": ["Account with this ERP ID exists and is not visible to you; it cannot be changed."]},
    )
    assert rows[3][1] == "created"
    import_confirm(batch=batch)
    assert Account.objects.get(external_id="C-2").name == "北方重工"
    assert Account.objects.get(external_id="C-3").owner == world.owner  # theirs, so they see it


def test_batches_of_a_large_file_see_each_other_and_a_dry_run_keeps_nothing(world, monkeypatch) -> None:
    # given: batches of two records, and a contact reporting to one created in an earlier batch
    monkeypatch.setattr(service, "MAX_RECORDS", 2)
    records = [
        {"external_id": f"P-{i}", "account_external_id": "C-1", "name": f"联系人{i}", "buying_role": "user"}
        for i in range(5)
    ]
    records[4]["reports_to_external_id"] = "P-0"
    # when
    answer = bulk_upsert_batches(SPECS["contacts"], world.owner, records, dry_run=True)
    # then
    assert [result["index"] for result in answer.body["results"]] == [0, 1, 2, 3, 4]
    assert answer.body["summary"]["created"] == 5
    assert {result["id"] for result in answer.body["results"]} == {None}  # rolled back: no ids to show
    assert not world.account.contacts.exists()


def test_an_atomic_import_of_several_batches_keeps_nothing_when_a_later_batch_fails(world, monkeypatch) -> None:
    monkeypatch.setattr(service, "MAX_RECORDS", 2)
    records = [
        {
            "external_id": f"SO-{i}",
            "account_external_id": "C-1",
            "ordered_at": "2026-03-02",
            "amount": "1",
            "margin": "0",
        }
        for i in range(4)
    ]
    records[3]["amount"] = "lots"
    answer = bulk_upsert_batches(SPECS["orders"], world.owner, records, atomic=True)
    assert answer.status_code == 400
    assert [result["status"] for result in answer.body["results"]] == ["skipped", "skipped", "skipped", "error"]
    assert not Order.objects.exists()


def test_uploads_older_than_the_kept_days_are_purged(world) -> None:
    old, recent = preview(world.owner), preview(world.owner)
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=IMPORT_BATCH_DAYS, hours=1))

    assert purge_old_batches() == 1
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_preview_shows_the_old_and_new_value_of_every_field_an_update_changes(world) -> None:
    # given: a Big5 file renaming C-1 (华东精密机械) and leaving its region as it is
    text = "external_id,name,region\nC-1,台灣精密機械股份有限公司,\n"
    # when
    batch = import_preview(
        user=world.owner, kind="accounts", file=io.BytesIO(text.encode("big5")), filename="accounts.csv"
    )
    # then
    assert batch.preview["rows"] == [[2, "C-1", "updated", {}, {"name": ["华东精密机械", "台灣精密機械股份有限公司"]}]]
    assert Account.objects.get(external_id="C-1").name == "华东精密机械"


def test_a_key_repeated_in_another_batch_of_the_file_writes_neither_copy(world) -> None:
    # given: C-9 on rows 2 and 5004, 5,002 rows apart (two bulk batches of 5,000)
    lines = [f"C-{n},name {n}" for n in range(9, 5011)] + ["C-9,second"]
    batch = preview(world.owner, "external_id,name\n" + "\n".join(lines) + "\n", kind="accounts")
    # when
    import_confirm(batch=batch)
    # then
    rows = by_row(batch.result)
    message = ["C-9 appears more than once in the file (rows 2, 5004); keep one row per ERP ID."]
    assert (rows[2], rows[5004]) == (
        ("C-9", "error", {"external_id": message}),
        ("C-9", "error", {"external_id": message}),
    )
    assert batch.result["summary"] == {"created": 5001, "updated": 0, "unchanged": 0, "error": 2, "skipped": 0}
    assert not Account.objects.filter(external_id="C-9").exists()
