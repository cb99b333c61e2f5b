"""POST /api/v1/<collection>/bulk/: per-record results, atomic mode, replays, scopes, visibility."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Account, Contact, Invoice, Order, Payment
from accounts.tests.factories import make_account, make_order
from integrations.bulk import MAX_RECORDS
from integrations.tests.factories import order_record, post_bulk, statuses
from kam.testing import token_client

pytestmark = pytest.mark.django_db

WRITE_SCOPES = ["accounts:write", "contacts:write", "orders:write", "invoices:write", "payments:write"]


def test_each_record_gets_its_own_result_in_the_order_sent(world) -> None:
    api = token_client(world.integration)
    response = post_bulk(
        api, "orders", {"records": [order_record("SO-1"), order_record("SO-2", amount="1.005"), order_record("SO-3")]}
    )
    assert response.status_code == 207  # one record failed: Multi-Status
    body = response.json()
    assert body["atomic"] is False
    assert body["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "error": 1, "skipped": 0}
    assert [(r["index"], r["external_id"], r["status"]) for r in body["results"]] == [
        (0, "SO-1", "created"),
        (1, "SO-2", "error"),
        (2, "SO-3", "created"),
    ]
    first, bad, third = body["results"]
    assert Order.objects.get(external_id="SO-1").pk == first["id"]
    assert Order.objects.get(external_id="SO-3").pk == third["id"]
    assert (first["errors"], bad["id"]) == ({}, None)
    assert bad["errors"] == {"amount": ["Ensure that there are no more than 2 decimal places."]}
    saved = Order.objects.get(external_id="SO-1")
    assert (saved.account, saved.ordered_at, saved.amount, saved.margin) == (
        world.account,
        date(2026, 3, 2),
        Decimal("12500.00"),
        Decimal("3100.00"),
    )


def test_an_invalid_record_reports_each_field_and_reason_and_writes_nothing(world) -> None:
    bad = {
        "external_id": "SO-9",
        "ordered_at": "2026-02-30",
        "amount": "12,500",
        "margin": "1e400",
        "status": "shipped",
        "colour": "red",
    }
    response = post_bulk(token_client(world.integration), "orders", [bad, "not a record", {"amount": "1.00"}])
    assert response.status_code == 207
    results = response.json()["results"]
    assert statuses(response) == ["error", "error", "error"]
    errors = results[0]["errors"]
    assert errors["account_external_id"] == ["This field is required."]
    assert errors["ordered_at"][0].startswith("Date has wrong format.")
    assert errors["amount"] == ["A valid number is required."]
    assert errors["margin"]
    assert errors["status"] == ['"shipped" is not a valid choice.']
    assert errors["colour"] == ["Unknown field."]
    assert results[1]["errors"] == {"non_field_errors": ["Expected a JSON object with the record's fields."]}
    assert results[2]["external_id"] is None
    assert results[2]["errors"]["external_id"] == ["This field is required."]
    assert not Order.objects.exists()


def test_a_replayed_batch_changes_nothing(world) -> None:
    api = token_client(world.integration)
    batch = {"records": [order_record(f"SO-{i}") for i in range(5)]}
    first = post_bulk(api, "orders", batch).json()
    stamps = dict(Order.objects.values_list("external_id", "updated_at"))
    second = post_bulk(api, "orders", batch).json()
    assert second["summary"] == {"created": 0, "updated": 0, "unchanged": 5, "error": 0, "skipped": 0}
    assert [r["id"] for r in second["results"]] == [r["id"] for r in first["results"]]
    assert dict(Order.objects.values_list("external_id", "updated_at")) == stamps  # not even touched
    assert Order.objects.count() == 5


def test_only_the_changed_record_is_updated(world) -> None:
    api = token_client(world.integration)
    post_bulk(api, "orders", [order_record("SO-1"), order_record("SO-2")])
    before = dict(Order.objects.values_list("external_id", "updated_at"))
    response = post_bulk(
        api, "orders", [order_record("SO-1"), order_record("SO-2", amount="99.5", margin="9.50", status="cancelled")]
    )
    assert statuses(response) == ["unchanged", "updated"]
    changed = Order.objects.get(external_id="SO-2")
    assert (changed.amount, changed.status) == (Decimal("99.50"), "cancelled")
    assert changed.updated_at > before["SO-2"]
    assert Order.objects.get(external_id="SO-1").updated_at == before["SO-1"]


def test_an_atomic_batch_with_one_invalid_record_writes_nothing(world) -> None:
    api = token_client(world.integration)
    response = post_bulk(
        api, "orders", {"records": [order_record("SO-1"), order_record("SO-2", ordered_at="soon")], "atomic": True}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["atomic"] is True
    assert statuses(response) == ["skipped", "error"]
    assert body["summary"] == {"created": 0, "updated": 0, "unchanged": 0, "error": 1, "skipped": 1}
    assert body["results"][0]["id"] is None
    assert "ordered_at" in body["results"][1]["errors"]
    assert not Order.objects.exists()


def test_an_atomic_batch_without_errors_is_written_whole(world) -> None:
    response = post_bulk(token_client(world.integration), "orders", {"records": [order_record("SO-1")], "atomic": True})
    assert (response.status_code, statuses(response)) == (200, ["created"])


def test_the_envelope_is_checked_as_a_whole(world) -> None:
    api = token_client(world.integration)
    too_many = post_bulk(api, "orders", [order_record(f"SO-{i}") for i in range(MAX_RECORDS + 1)])
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "invalid"
    assert "at most 5000 records" in too_many.json()["errors"]["records"][0]
    for body, field in (
        ({"records": {"external_id": "SO-1"}}, "records"),
        ({"records": [], "atomic": "yes"}, "atomic"),
        ({"records": [], "dry_run": True}, "dry_run"),
        ("SO-1", "non_field_errors"),
    ):
        response = post_bulk(api, "orders", body)
        assert response.status_code == 400, body
        assert field in response.json()["errors"], body
    assert not Order.objects.exists()
    assert post_bulk(api, "orders", []).json()["summary"]["created"] == 0


def test_the_same_key_twice_in_one_batch_is_refused_for_every_copy(world) -> None:
    response = post_bulk(
        token_client(world.integration), "orders", [order_record("SO-1"), order_record("SO-2"), order_record("SO-1")]
    )
    assert statuses(response) == ["error", "created", "error"]
    assert response.json()["results"][0]["errors"] == {
        "external_id": ["Appears more than once in this batch (records 0, 2)."]
    }
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SO-2"]


def test_fields_left_out_keep_their_value_and_null_clears_them(world, settings) -> None:
    settings.DEFAULT_ACCOUNT_OWNER = "director"  # the ERP names no owner
    api = token_client(world.integration)
    full = {"external_id": "C-9", "name": "南方电气", "industry": "Power", "employees": 800}
    assert statuses(post_bulk(api, "accounts", [full])) == ["created"]
    account = Account.objects.get(external_id="C-9")
    assert (account.industry, account.employees, account.operating_status, account.tier) == (
        "Power",
        800,
        "operating",
        "",
    )
    assert statuses(post_bulk(api, "accounts", [{"external_id": "C-9", "name": "南方电气"}])) == ["unchanged"]
    assert statuses(post_bulk(api, "accounts", [{"external_id": "C-9", "name": "南方电气", "employees": None}])) == [
        "updated"
    ]
    account.refresh_from_db()
    assert (account.industry, account.employees) == ("Power", None)


def test_an_account_may_name_a_parent_sent_later_in_the_same_batch(world, settings) -> None:
    settings.DEFAULT_ACCOUNT_OWNER = "director"  # the ERP names no owner
    api = token_client(world.integration)
    records = [
        {"external_id": "C-11", "name": "子公司", "parent_external_id": "C-10"},
        {"external_id": "C-10", "name": "集团", "parent_external_id": "C-1"},
    ]
    response = post_bulk(api, "accounts", records)
    assert statuses(response) == ["created", "created"]
    child = Account.objects.get(external_id="C-11")
    assert child.parent.external_id == "C-10"
    assert child.parent.parent == world.account
    assert statuses(post_bulk(api, "accounts", records)) == ["unchanged", "unchanged"]


def test_a_parent_that_would_close_a_loop_is_refused(world, settings) -> None:
    settings.DEFAULT_ACCOUNT_OWNER = "director"  # the ERP names no owner
    api = token_client(world.integration)
    post_bulk(api, "accounts", [{"external_id": "C-3", "name": "子公司", "parent_external_id": "C-1"}])
    response = post_bulk(api, "accounts", [{"external_id": "C-1", "name": "华东精密机械", "parent_external_id": "C-3"}])
    assert statuses(response) == ["error"]
    assert "cannot contain itself" in response.json()["results"][0]["errors"]["parent_external_id"][0]
    assert Account.objects.get(external_id="C-1").parent is None
    itself = post_bulk(api, "accounts", [{"external_id": "C-1", "name": "x", "parent_external_id": "C-1"}])
    assert "parent_external_id" in itself.json()["results"][0]["errors"]


def test_a_child_of_an_invalid_record_is_not_written_either(world) -> None:
    records = [
        {"external_id": "C-20", "name": ""},
        {"external_id": "C-21", "name": "子公司", "parent_external_id": "C-20"},
    ]
    response = post_bulk(token_client(world.integration), "accounts", records)
    assert statuses(response) == ["error", "error"]
    assert response.json()["results"][1]["errors"] == {
        "parent_external_id": ['Account "C-20" is not valid in this batch.']
    }
    assert not Account.objects.filter(external_id__in=["C-20", "C-21"]).exists()


def test_invoices_and_payments_link_rows_of_their_own_account(world) -> None:
    api = token_client(world.integration)
    make_order(world.account, date(2026, 3, 1), "100", external_id="SO-1")
    make_order(world.other_account, date(2026, 3, 1), "100", external_id="SO-2")
    invoice = {"account_external_id": "C-1", "issued_on": "2026-03-05", "due_on": "2026-04-04", "amount": "100.00"}
    response = post_bulk(
        api,
        "invoices",
        [
            {**invoice, "external_id": "INV-1", "order_external_id": "SO-1"},
            {**invoice, "external_id": "INV-2", "order_external_id": "SO-2"},
            {**invoice, "external_id": "INV-3", "order_external_id": "SO-404"},
        ],
    )
    assert statuses(response) == ["created", "error", "error"]
    assert response.json()["results"][1]["errors"] == {
        "order_external_id": ['Order "SO-2" belongs to another account.']
    }
    assert response.json()["results"][2]["errors"] == {"order_external_id": ['Order "SO-404" does not exist.']}
    assert Invoice.objects.get(external_id="INV-1").order.external_id == "SO-1"
    payment = {"external_id": "AR-1", "account_external_id": "C-1", "amount": "100.00", "due_on": "2026-04-04"}
    response = post_bulk(api, "payments", [{**payment, "invoice_external_id": "INV-1", "order_external_id": "SO-1"}])
    assert statuses(response) == ["created"]
    saved = Payment.objects.get(external_id="AR-1")
    assert (saved.invoice.external_id, saved.order.external_id, saved.paid_on) == ("INV-1", "SO-1", None)
    paid = post_bulk(api, "payments", [{**payment, "paid_on": "2026-04-01"}])
    assert statuses(paid) == ["updated"]
    saved.refresh_from_db()
    assert (saved.paid_on, saved.invoice_id is not None) == (date(2026, 4, 1), True)  # left out: kept


def test_contacts_may_report_to_a_contact_of_the_same_account_only(world) -> None:
    api = token_client(world.integration)
    base = {"account_external_id": "C-1", "buying_role": "user"}
    response = post_bulk(
        api,
        "contacts",
        [
            {**base, "external_id": "P-2", "name": "李娜", "reports_to_external_id": "P-1"},
            {**base, "external_id": "P-1", "name": "王伟", "buying_role": "decision_maker"},
            {
                **base,
                "external_id": "P-3",
                "name": "赵敏",
                "account_external_id": "C-2",
                "reports_to_external_id": "P-1",
            },
            {**base, "external_id": "P-4", "name": "钱", "email": "not-an-email"},
        ],
    )
    assert statuses(response) == ["created", "created", "error", "error"]
    results = response.json()["results"]
    assert results[2]["errors"] == {"reports_to_external_id": ['Contact "P-1" belongs to another account.']}
    assert results[3]["errors"] == {"email": ["Enter a valid email address."]}
    assert Contact.objects.get(external_id="P-2").reports_to.external_id == "P-1"


@pytest.mark.parametrize("collection", ["accounts", "contacts", "orders", "invoices", "payments"])
def test_a_token_without_the_write_scope_is_refused_naming_it(world, collection) -> None:
    api = token_client(world.integration, scopes=[scope for scope in WRITE_SCOPES if scope != f"{collection}:write"])
    response = post_bulk(api, collection, [])
    assert response.status_code == 403
    assert f"{collection}:write" in response.json()["message"]
    assert post_bulk(token_client(world.integration, scopes=[f"{collection}:write"]), collection, []).status_code == 200


def test_a_rep_cannot_upsert_orders_onto_another_teams_account(world) -> None:
    api = token_client(world.owner)
    response = post_bulk(api, "orders", [order_record("SO-1", account="C-1"), order_record("SO-2", account="C-2")])
    assert statuses(response) == ["created", "error"]
    assert response.json()["results"][1]["errors"] == {"account_external_id": ['Account "C-2" does not exist.']}
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SO-1"]


def test_a_rep_cannot_take_over_a_row_of_another_teams_account(world) -> None:
    make_order(world.other_account, date(2026, 3, 1), "100", external_id="SO-7")
    response = post_bulk(token_client(world.owner), "orders", [order_record("SO-7", account="C-1")])
    assert statuses(response) == ["error"]
    assert "not visible to you" in response.json()["results"][0]["errors"]["external_id"][0]
    assert Order.objects.get(external_id="SO-7").account == world.other_account
    other = post_bulk(token_client(world.owner), "accounts", [{"external_id": "C-2", "name": "mine now"}])
    assert statuses(other) == ["error"]
    assert Account.objects.get(external_id="C-2").name == "北方重工"


def test_an_account_a_rep_creates_is_theirs_and_a_director_sees_all(world) -> None:
    response = post_bulk(token_client(world.owner), "accounts", [{"external_id": "C-30", "name": "新客户"}])
    assert statuses(response) == ["created"]
    assert Account.objects.get(external_id="C-30").owner == world.owner
    director = post_bulk(token_client(world.director), "orders", [order_record("SO-1", account="C-2")])
    assert statuses(director) == ["created"]
    assert Account.objects.filter(owner__isnull=True).count() == 0


def test_money_is_kept_to_the_cent(world) -> None:
    api = token_client(world.integration)
    make_account(external_id="C-40", name="x")
    records = [order_record("SO-1", amount="0.10", margin="-3.5"), order_record("SO-2", amount=12, margin="11.99")]
    assert statuses(post_bulk(api, "orders", records)) == ["created", "created"]
    amounts = dict(Order.objects.values_list("external_id", "amount"))
    assert amounts == {"SO-1": Decimal("0.10"), "SO-2": Decimal("12.00")}
    assert statuses(post_bulk(api, "orders", records)) == ["unchanged", "unchanged"]


def test_an_order_without_margin_is_stored_with_an_unknown_margin(world) -> None:
    # given: an ERP that exports no margins
    record = {"external_id": "SO-NM", "account_external_id": "C-1", "ordered_at": "2026-03-02", "amount": "100.00"}

    # when
    response = post_bulk(token_client(world.integration), "orders", [record])

    # then: created, margin unknown (NULL, not 0); an explicit null is accepted too
    assert statuses(response) == ["created"]
    assert Order.objects.get(external_id="SO-NM").margin is None
    again = post_bulk(token_client(world.integration), "orders", [{**record, "margin": None}])
    assert statuses(again) == ["unchanged"]
