"""Validating records with a DRF serializer's fields, fast enough for 5,000 records a call.

DRF's own `run_validation` costs ~40 µs a record, most of a batch's time. Here each field gets
a shortcut for the plain, certainly-valid shapes (an ISO date string, "12500.00", a known
choice, a trimmed short string) that returns exactly what DRF would; anything else (wrong
type, odd format, out of range, missing) goes to the field's own `run_validation`, so every
value DRF refuses is refused here with DRF's message. The shortcuts are checked against DRF in
integrations/tests/test_bulk_validation.py.
"""

from __future__ import annotations

import contextlib
import decimal
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core import validators as django_validators
from rest_framework import ISO_8601, serializers
from rest_framework.fields import ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator, empty
from rest_framework.settings import api_settings

Errors = dict[str, list[str]]
Shortcut = Callable[[Any], Any]
NOT_AN_OBJECT = "Expected a JSON object with the record's fields."
UNKNOWN_FIELD = "Unknown field."


class _Slow(Exception):  # noqa: N818 - a signal, not an error: "ask DRF"
    """The shortcut cannot decide; the DRF field will."""


class RecordValidator:
    """Validates records (dicts) with the writable fields of `serializer`.

    Each record gives `(values, errors)`. A field left out of the record and not required is
    absent from `values` (the upsert then keeps it on update and uses the model default on
    insert). Keys the serializer does not know are errors: a misspelt field must not be dropped
    silently.
    """

    def __init__(self, serializer: serializers.Serializer) -> None:
        self.fields = [
            (name, field.required, field.allow_null, shortcut(field), field)
            for name, field in serializer.fields.items()
            if not field.read_only
        ]
        self.names = frozenset(name for name, *_ in self.fields)

    def __call__(self, record: Any) -> tuple[dict[str, Any], Errors]:
        return self.many([record])[0]

    def many(self, records: list[Any]) -> list[tuple[dict[str, Any], Errors]]:
        """All records at once, field by field down the batch: one comprehension of shortcuts per
        field is ~3x cheaper than a loop per record. A field with any value off the shortcut
        (missing, null, odd) is redone value by value with DRF's rules."""
        rows = [record if isinstance(record, dict) else {} for record in records]
        errors: list[Errors] = [{} for _ in rows]
        names, columns, complete = [], [], True
        for name, required, nullable, fast, field in self.fields:
            raw = [row.get(name, empty) for row in rows]
            column = None
            if fast is not None:
                with contextlib.suppress(_Slow):
                    column = [fast(value) for value in raw]
            if column is None:
                column = [_one(value, required, nullable, fast, field, name, errors[i]) for i, value in enumerate(raw)]
                complete = complete and not any(value is _ABSENT for value in column)
            names.append(name)
            columns.append(column)
        for i, row in enumerate(rows):
            if not self.names.issuperset(row):
                for name in row.keys() - self.names:
                    errors[i][printable(str(name))] = [UNKNOWN_FIELD]
        if complete:  # the usual batch: every field of every record valid and present
            values = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        else:
            values = [
                {name: value for name, value in zip(names, row, strict=True) if value is not _ABSENT}
                for row in zip(*columns, strict=True)
            ]
        return [
            (values[i], errors[i]) if isinstance(record, dict) else ({}, {"non_field_errors": [NOT_AN_OBJECT]})
            for i, record in enumerate(records)
        ]


_ABSENT = object()  # left out (optional) or refused: no value for this field


def _one(
    value: Any, required: bool, nullable: bool, fast: Shortcut | None, field: Any, name: str, errors: Errors
) -> Any:
    """One value by DRF's rules (with the shortcut first); a refusal goes into `errors`."""
    if value is empty:
        if not required:
            return _ABSENT
    elif value is None:
        if nullable:  # as DRF: null is null, no further validation
            return None
    elif fast is not None:
        try:
            return fast(value)
        except _Slow:
            pass
    try:
        return field.run_validation(value)
    except serializers.ValidationError as error:
        errors[name] = messages(error.detail)
        return _ABSENT


def printable(text: str) -> str:
    """`text` as it can be echoed and stored: a lone surrogate (valid in JSON, not in UTF-8 or
    PostgreSQL) becomes U+FFFD and a NUL is dropped, so an answer naming it cannot fail."""
    if text.isascii() and "\x00" not in text:
        return text
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text if c != "\x00")


def messages(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {m}" for key, value in detail.items() for m in messages(value)]
    if isinstance(detail, list):
        return [m for item in detail for m in messages(item)]
    return [str(detail)]


def shortcut(field: serializers.Field) -> Shortcut | None:
    """A fast path for `field`, or None when only DRF may decide (unknown field types or validators)."""
    kind = type(field)
    if kind is serializers.CharField:
        fast = _char(field)
    elif kind is serializers.ChoiceField:
        fast = _choice(field)
    elif kind is serializers.DateField:
        fast = _date(field)
    elif kind is serializers.DecimalField:
        fast = _decimal(field)
    elif kind is serializers.IntegerField:
        fast = _integer(field)
    elif kind is serializers.BooleanField:
        fast = _boolean
    else:
        return None
    return fast  # never called with None or a missing value: RecordValidator handles those


def _known_validators(field: serializers.Field, allowed: tuple[type, ...]) -> bool:
    return all(isinstance(v, allowed) for v in field.validators)


def _char(field: serializers.CharField) -> Shortcut | None:
    allowed = (
        django_validators.MaxLengthValidator,
        django_validators.MinLengthValidator,
        ProhibitNullCharactersValidator,
        ProhibitSurrogateCharactersValidator,
    )
    if not _known_validators(field, allowed) or not field.trim_whitespace:
        return None
    longest = field.max_length if field.max_length is not None else float("inf")
    shortest = max(field.min_length or 0, 1)  # "" takes DRF's path (blank rules)

    def fast(value: Any) -> str:
        # Already trimmed, in range, no NUL, no lone surrogate (encode() refuses those).
        if type(value) is not str or not shortest <= len(value) <= longest or value.strip() != value:
            raise _Slow
        if "\x00" in value or (not value.isascii() and not _encodes(value)):
            raise _Slow
        return value

    return fast


def _encodes(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _choice(field: serializers.ChoiceField) -> Shortcut | None:
    if field.validators:
        return None
    choices = dict(field.choice_strings_to_values)
    if field.allow_blank:
        choices[""] = ""

    def fast(value: Any) -> Any:
        if type(value) is str and value in choices:
            return choices[value]
        raise _Slow

    return fast


def _date(field: serializers.DateField) -> Shortcut | None:
    formats = getattr(field, "input_formats", None) or api_settings.DATE_INPUT_FORMATS
    if field.validators or list(formats) != [ISO_8601]:
        return None

    def fast(value: Any) -> date:
        # DRF parses with django.utils.dateparse.parse_date, which tries date.fromisoformat first.
        if type(value) is not str or len(value) != 10:
            raise _Slow
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _Slow from None

    return fast


def _decimal(field: serializers.DecimalField) -> Shortcut | None:
    allowed = (django_validators.MinValueValidator, django_validators.MaxValueValidator)
    places = field.decimal_places
    if not _known_validators(field, allowed) or field.localize or places is None or field.max_digits is None:
        return None
    whole = field.max_digits - places
    pattern = re.compile(rf"-?(?:0|[1-9]\d{{0,{whole - 1}}})(?:\.\d{{1,{places}}})?") if whole > 0 else None
    if pattern is None:
        return None
    exponent = decimal.Decimal(1).scaleb(-places)
    context = decimal.Context(prec=field.max_digits, rounding=field.rounding or decimal.getcontext().rounding)
    low, high = field.min_value, field.max_value

    bounded = low is not None or high is not None

    def fast(value: Any) -> decimal.Decimal:
        if type(value) is not str or not pattern.fullmatch(value):
            raise _Slow
        number = decimal.Decimal(value)
        if len(value) <= places or value[-places - 1] != ".":  # "12500.00" is already quantized
            number = number.quantize(exponent, context=context)
        if bounded and ((low is not None and number < low) or (high is not None and number > high)):
            raise _Slow
        return number

    return fast


def _integer(field: serializers.IntegerField) -> Shortcut | None:
    allowed = (django_validators.MinValueValidator, django_validators.MaxValueValidator)
    if not _known_validators(field, allowed):
        return None
    low, high = field.min_value, field.max_value

    def fast(value: Any) -> int:
        if type(value) is not int or (low is not None and value < low) or (high is not None and value > high):
            raise _Slow
        return value

    return fast


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise _Slow
    return value
