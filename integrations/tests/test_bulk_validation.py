"""The fast record validator answers exactly as the DRF serializer it is built from."""

from __future__ import annotations

import itertools

import pytest
from rest_framework import serializers

from integrations.bulk.specs import SPECS
from integrations.bulk.validation import RecordValidator
from kam.testing import token_client

pytestmark = pytest.mark.django_db  # model-derived fields read the database's integer range

# Values that probe every shortcut's edges: type, whitespace, length, format, range, nulls.
PROBES = [
    None,
    "",
    " ",
    "C-17",
    " C-17",
    "C-17 ",
    "x" * 64,
    "x" * 65,
    "a\x00b",
    "\ud800",
    "华东精密",
    17,
    17.5,
    True,
    False,
    [],
    {},
    "2026-03-02",
    "2026-3-2",
    "2026-02-30",
    "20260302",
    "2026-03-02T10:00:00",
    "12500.00",
    "12500",
    "-3.5",
    "0.10",
    "1.005",
    "00012.00",
    "1e3",
    "NaN",
    "99999999999999.99",
    "999999999999999.99",
    "-0",
    "fulfilled",
    "FULFILLED",
    "AA",
    "decision_maker",
    "true",
    0,
    -1,
    2**31,
]


def drf(serializer_class: type[serializers.Serializer], record: dict) -> tuple[dict, set[str]]:
    serializer = serializer_class(data=record)
    if serializer.is_valid():
        return dict(serializer.validated_data), set()
    good = {}
    for name, field in serializer.fields.items():  # the fields DRF accepted, value by value
        if name in serializer.errors or name not in record:
            continue
        good[name] = field.run_validation(record[name])
    return good, set(serializer.errors)


@pytest.mark.parametrize("collection", sorted(SPECS))
def test_every_probe_gets_drfs_value_or_drfs_refusal(collection) -> None:
    spec = SPECS[collection]
    validator = RecordValidator(spec.serializer())
    fields = list(spec.serializer().fields)
    for name, probe in itertools.product(fields, PROBES):
        record = {field: "x" for field in fields if field != name} | {name: probe}
        expected_values, expected_errors = drf(spec.serializer, record)
        values, errors = validator(record)
        assert (name in errors) == (name in expected_errors), (name, probe, errors.get(name))
        if name not in errors:
            assert values[name] == expected_values[name], (name, probe)
            assert type(values[name]) is type(expected_values[name]), (name, probe)


def test_a_missing_required_field_and_an_unknown_one_are_errors() -> None:
    validator = SPECS["orders"].validator
    values, errors = validator({"external_id": "SO-1", "amount": "1.00", "colour": "red"})
    assert errors["account_external_id"] == ["This field is required."]
    assert errors["colour"] == ["Unknown field."]
    assert "status" not in values  # optional and left out: neither a value nor an error
    assert "status" not in errors
    assert validator([1, 2]) == ({}, {"non_field_errors": ["Expected a JSON object with the record's fields."]})


@pytest.mark.parametrize("collection", ["orders", "invoices", "payments"])
def test_a_plain_record_never_needs_drfs_slow_path(collection, monkeypatch) -> None:
    spec = SPECS[collection]
    validator = RecordValidator(spec.serializer())
    for *_, field in validator.fields:
        monkeypatch.setattr(field, "run_validation", lambda *args: pytest.fail("slow path taken"))
    values, errors = validator(spec.example)
    assert errors == {}
    assert set(values) == set(spec.example)


@pytest.mark.django_db
def test_a_nul_character_is_refused_with_a_clear_error(world) -> None:
    body = {
        "records": [
            {
                "external_id": "SO-\x00",
                "account_external_id": "C-1",
                "ordered_at": "2026-01-01",
                "amount": "1.00",
                "margin": "0.10",
            }
        ]
    }
    response = token_client(world.director).post("/api/v1/orders/bulk/", body, format="json")
    assert response.status_code == 400
    assert "NUL" in response.json()["errors"]["records"][0]
