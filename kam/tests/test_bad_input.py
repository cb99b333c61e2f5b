"""Input that answered 500, and values that were accepted but make no sense (issue 13 item 5).

Each answers a 4xx naming the field, and nothing is written. The kinds: a lone surrogate echoed
back, JSON nested past the depth limit, a NUL in a query string, dates far outside the span
around today (accounts.validation), a margin above the amount, an invoice due before it was
issued. The hypothesis tests throw such values at every write path that takes them.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Contact, Invoice, Order, Payment
from accounts.validation import date_span
from funnel.models import Opportunity
from integrations.bulk.specs import SPECS
from integrations.tests.factories import order_record, post_bulk
from kam.testing import token_client
from plans.models import Activity
from tiering.models import ScoringRun, TieringConfigVersion

pytestmark = pytest.mark.django_db
MODELS = {
    "accounts": Account,
    "contacts": Contact,
    "orders": Order,
    "invoices": Invoice,
    "payments": Payment,
    "activities": Activity,
    "opportunities": Opportunity,
}
DEEP = "[" * 100_000 + "]" * 100_000
LOOSE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def raw_post(api, url: str, text: str, method: str = "post"):  # noqa: ANN001, ANN201
    return getattr(api, method)(url, data=text.encode("utf-8", "surrogatepass"), content_type="application/json")


def test_the_date_span_is_thirty_years_back_and_five_ahead_by_default() -> None:
    assert date_span(today=date(2026, 11, 30)) == (date(1996, 11, 30), date(2031, 11, 30))
    assert date_span(today=date(2028, 2, 29)) == (date(1998, 2, 28), date(2033, 2, 28))


@pytest.mark.parametrize("collection", SPECS)
def test_a_lone_surrogate_in_a_key_is_a_record_error_on_every_bulk_endpoint(world, collection) -> None:
    # given a record whose external_id is a lone surrogate (valid JSON, not valid UTF-8)
    before = MODELS[collection].objects.count()
    body = json.dumps([{"external_id": "\ud800", "name": "x"}])  # json.dumps writes the \ud800 escape
    # when it is posted
    response = raw_post(token_client(world.integration), f"/api/v1/{collection}/bulk/", body)
    # then the record is refused for its external_id (207: a record failed), and nothing is written
    assert response.status_code == 207
    result = response.json()["results"][0]
    assert (result["status"], result["external_id"]) == ("error", "\ufffd")
    assert result["errors"]["external_id"] == ["Surrogate characters are not allowed: U+D800."]
    assert MODELS[collection].objects.count() == before


def test_a_lone_surrogate_in_a_field_name_is_named_and_not_a_500(world) -> None:
    body = json.dumps([{**order_record("SO-1"), "\udc80x": 1}])
    response = raw_post(token_client(world.integration), "/api/v1/orders/bulk/", body)
    assert response.json()["results"][0]["errors"] == {"\ufffdx": ["Unknown field."]}
    assert not Order.objects.exists()


@pytest.mark.parametrize("collection", SPECS)
def test_deeply_nested_json_is_a_400_on_every_bulk_endpoint(world, collection) -> None:
    response = raw_post(token_client(world.integration), f"/api/v1/{collection}/bulk/", DEEP)
    assert response.status_code == 400
    assert response.json() == {"code": "parse_error", "message": "The JSON nests deeper than 32 levels.", "errors": {}}


@pytest.mark.parametrize("what", ["accounts", "contacts"])
def test_deeply_nested_json_is_a_400_on_patch(world, what) -> None:
    from accounts.tests.factories import make_contact
    from kam.testing import token_client

    pk = world.account.pk if what == "accounts" else make_contact(world.account).pk
    response = raw_post(token_client(world.owner), f"/api/v1/{what}/{pk}/", DEEP, method="patch")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_json_at_the_limit_is_read_and_one_deeper_is_refused(world, settings) -> None:  # noqa: ANN001
    from kam.api.parsers import TooDeep, loads_limited

    settings.JSON_MAX_DEPTH = 3
    assert loads_limited('{"records": [{"a": 1}]}') == {"records": [{"a": 1}]}
    with pytest.raises(TooDeep, match="deeper than 3 levels"):
        loads_limited('{"records": [{"a": [1]}]}')


def test_deeply_nested_json_in_the_tiering_settings_form_is_a_form_error(client, world) -> None:
    client.force_login(world.director)
    client.get(reverse("tiering:settings"))  # the first visit stores the default settings
    versions = TieringConfigVersion.objects.count()
    response = client.post(reverse("tiering:settings"), {"data": DEEP, "note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"data": ["The JSON nests deeper than 32 levels."]}
    assert TieringConfigVersion.objects.count() == versions


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01"])
def test_a_run_as_of_outside_the_span_is_refused_and_leaves_no_run(world, as_of) -> None:
    first, last = date_span()
    response = token_client(world.integration, ["runs:write"]).post(
        "/api/v1/tiering/runs/", {"as_of": as_of}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"as_of": [f"Must be between {first:%Y-%m-%d} and {last:%Y-%m-%d}."]}
    assert not ScoringRun.objects.exists()


@pytest.mark.parametrize(
    "url", ["/admin/accounts/order/?status=%00", "/admin/accounts/account/?q=a%00b", "/accounts/?region=%00"]
)
def test_a_nul_in_a_query_string_is_a_400_on_pages_and_the_admin(client, world, url) -> None:
    world.director.is_staff = world.director.is_superuser = True
    world.director.save()
    client.force_login(world.director)
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


# --- Values that make no sense, through bulk (API and import) and the models' clean() (admin, forms) ---


def test_orders_and_payments_far_in_the_past_or_future_are_refused(world) -> None:
    first, last = date_span()
    api = token_client(world.integration)
    message = f"Must be between {first:%Y-%m-%d} and {last:%Y-%m-%d}."
    orders = post_bulk(
        api, "orders", [order_record("SO-1", ordered_at="0001-01-01"), order_record("SO-2", ordered_at="9999-12-31")]
    )
    payment = {"external_id": "AR-1", "account_external_id": "C-1", "amount": "1.00", "due_on": "9999-12-31"}
    payments = post_bulk(
        api, "payments", [payment, {**payment, "external_id": "AR-2", "due_on": "2026-01-01", "paid_on": "0001-01-01"}]
    )
    assert [r["errors"] for r in orders.json()["results"]] == [{"ordered_at": [message]}, {"ordered_at": [message]}]
    assert [r["errors"] for r in payments.json()["results"]] == [{"due_on": [message]}, {"paid_on": [message]}]
    assert not Order.objects.exists()
    assert not Payment.objects.exists()


def test_a_margin_above_the_amount_and_an_invoice_due_before_issue_are_refused(world) -> None:
    api = token_client(world.integration)
    orders = post_bulk(api, "orders", [order_record("SO-1", amount="100.00", margin="100.01")])
    invoice = {
        "external_id": "INV-1",
        "account_external_id": "C-1",
        "issued_on": "2026-03-05",
        "due_on": "2026-03-04",
        "amount": "1.00",
    }
    invoices = post_bulk(api, "invoices", [invoice])
    assert orders.json()["results"][0]["errors"] == {"margin": ["The margin cannot be larger than the amount."]}
    assert invoices.json()["results"][0]["errors"] == {"due_on": ["An invoice cannot be due before it was issued."]}
    assert not Order.objects.exists()
    assert not Invoice.objects.exists()


def test_the_models_refuse_the_same_values_in_the_admin(client, world) -> None:
    world.director.is_staff = world.director.is_superuser = True
    world.director.save()
    client.force_login(world.director)
    form = {
        "account": world.account.pk,
        "external_id": "SO-9",
        "ordered_at": "9999-12-31",
        "amount": "10.00",
        "margin": "11.00",
        "status": "fulfilled",
    }
    response = client.post(reverse("admin:accounts_order_add"), form)
    first, last = date_span()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "ordered_at": [f"Must be between {first:%Y-%m-%d} and {last:%Y-%m-%d}."],
        "margin": ["The margin cannot be larger than the amount."],
    }
    assert not Order.objects.exists()


def test_a_margin_equal_to_the_amount_and_a_loss_are_accepted(world) -> None:
    api = token_client(world.integration)
    response = post_bulk(
        api, "orders", [order_record("SO-1", amount="10.00", margin="10.00"), order_record("SO-2", margin="-5.00")]
    )
    assert [r["status"] for r in response.json()["results"]] == ["created", "created"]


# --- The kind: hypothesis throws such values at every write path that takes them ---


def outside_span() -> st.SearchStrategy[date]:
    first, last = date_span()
    return st.dates(max_value=first - timedelta(days=1)) | st.dates(min_value=last + timedelta(days=1))


@st.composite
def bad_records(draw: st.DrawFn) -> tuple[str, dict, str]:
    """(collection, record, the field that must be named) for one nonsensical record."""
    base = {
        "orders": order_record("SO-H"),
        "invoices": {
            "external_id": "INV-H",
            "account_external_id": "C-1",
            "issued_on": "2026-03-05",
            "due_on": "2026-04-04",
            "amount": "10.00",
        },
        "payments": {"external_id": "AR-H", "account_external_id": "C-1", "amount": "10.00", "due_on": "2026-04-04"},
    }
    collection, field = draw(
        st.sampled_from(
            [
                ("orders", "ordered_at"),
                ("orders", "margin"),
                ("invoices", "issued_on"),
                ("invoices", "due_on"),
                ("payments", "due_on"),
                ("payments", "paid_on"),
                ("orders", "external_id"),
                ("payments", "external_id"),
            ]
        )
    )
    record = dict(base[collection])
    if field == "margin":
        amount = draw(st.decimals(min_value=0, max_value=10**9, places=2))
        record.update(
            amount=str(amount), margin=str(amount + draw(st.decimals(min_value="0.01", max_value=10**6, places=2)))
        )
    elif field == "external_id":
        record["external_id"] = draw(st.text(max_size=5)) + draw(st.sampled_from(["\ud800", "\udfff", "\x00"]))
    elif field == "due_on" and collection == "invoices" and draw(st.booleans()):
        record["due_on"] = str(date(2026, 3, 5) - timedelta(days=draw(st.integers(1, 3000))))
    else:
        record[field] = draw(outside_span()).isoformat()
    return collection, record, field


@LOOSE
@given(case=bad_records())
def test_every_bulk_endpoint_names_the_field_of_a_nonsensical_value_and_writes_nothing(world, case) -> None:
    collection, record, field = case
    body = json.dumps({"records": [record], "atomic": True})
    response = raw_post(token_client(world.integration), f"/api/v1/{collection}/bulk/", body)
    assert response.status_code == 400
    body = response.json()
    named = set(body["results"][0]["errors"]) if "results" in body else set(body["errors"])
    assert field in named or (field == "external_id" and named == {"records"})  # a NUL refuses the batch
    assert not MODELS[collection].objects.exists()


@LOOSE
@given(as_of=outside_span())
def test_a_run_names_as_of_for_any_date_outside_the_span(world, as_of) -> None:
    response = token_client(world.integration, ["runs:write"]).post(
        "/api/v1/tiering/runs/", {"as_of": as_of.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"as_of"}
    assert not ScoringRun.objects.exists()


@LOOSE
@given(ordered_at=outside_span(), extra=st.decimals(min_value="0.01", max_value=10**6, places=2))
def test_the_model_clean_refuses_what_bulk_refuses(world, ordered_at, extra) -> None:
    from django.core.exceptions import ValidationError

    item = Order(account=world.account, ordered_at=ordered_at, amount=Decimal("10.00"), margin=Decimal("10.00") + extra)
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert set(refused.value.message_dict) == {"ordered_at", "margin"}
