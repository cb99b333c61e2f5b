"""The columns of a collection's spreadsheet: the bulk record's fields, by name or by label.

A header may be the record field name (`account_external_id`, what the export writes) or its
label in English or Chinese ("Order date", "订单日期", "客户 ERP 编号"), in any case and with
any spacing. A cell becomes the value the record serializer expects: ISO date strings, decimal
strings, ints, booleans, choice values (a choice's label is accepted too). Anything that does
not convert cleanly is passed on as text, so the serializer refuses it with its own message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import User
from integrations.bulk.specs import SPECS, Spec
from integrations.spreadsheets import numbers

OMIT = object()  # a blank cell: the field is left out of the record (kept on update)

# Text starting with these is a formula to Excel: the export prefixes it with "'" (OWASP's
# advice against CSV injection) and the import takes that quote off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?")
# What Excel shows, and saves to CSV, for a long number in a General cell: 2.02611E+17.
_SCIENTIFIC = re.compile(r"[-+]?\d+(?:[.,]\d+)?[eE][-+]?\d+")
EXACT_INTEGERS = 2**53  # a double (every Excel number) holds every integer up to this exactly
# What people call a column in their own sheets, beyond the model's verbose names.
EXTRA_LABELS = {("contacts", "name"): ["姓名"], ("contacts", "phone"): ["手机"], ("accounts", "name"): ["客户名称"]}
_TRUE = {"true", "yes", "y", "1", "on", "是", "真"}
_FALSE = {"false", "no", "n", "0", "off", "否", "假"}


class CellError(ValueError):
    """A cell that cannot be imported as it is; the row is refused with this message."""


@dataclass(frozen=True)
class Column:
    name: str  # the record field
    required: bool
    convert: Callable[[Any], Any]  # cell value -> record value, or OMIT; raises CellError
    number: str | None = None  # "decimal" or "integer": text is read under the file's convention


def normalise(header: Any) -> str:
    """ "Account ERP ID", "account_erp_id" and " accountERPid " are the same header."""
    return re.sub(r"[\s_\-.:：]+", "", str(header)).casefold()


@cache
def columns(collection: str) -> dict[str, Column]:
    """The writable record fields of a collection, in the serializer's order."""
    spec = SPECS[collection]
    return {
        name: Column(name, field.required, _identifier if is_identifier(name) else _converter(field), _number(field))
        for name, field in spec.serializer().fields.items()
        if not field.read_only
    }


def is_identifier(name: str) -> bool:
    """An ERP id (the key or a reference): text end to end, never a number."""
    return name == "external_id" or name.endswith("_external_id")


def _number(field: serializers.Field) -> str | None:
    if isinstance(field, serializers.DecimalField):
        return "decimal"
    if isinstance(field, serializers.IntegerField):
        return "integer"
    return None


def header_map(collection: str) -> dict[str, str]:
    """Normalised header -> record field name: the names and their labels in both languages."""
    spec = SPECS[collection]
    fields = spec.serializer().fields
    found: dict[str, set[str]] = {}
    for name in columns(collection):
        for label in (name, *_labels(spec, name, fields[name])):
            found.setdefault(normalise(label), set()).add(name)
    # A label two fields share would be a guess: only the exact field names stay for those.
    labels = {label: names.pop() for label, names in found.items() if len(names) == 1}
    labels.update({normalise(name): name for name in columns(collection)})
    return labels


def _labels(spec: Spec, name: str, field: serializers.Field) -> list[str]:
    labels = [str(field.label)] if field.label else []
    labels += EXTRA_LABELS.get((spec.collection, name), [])
    references = {ref.name: ref for ref in (spec.account, spec.parent, *spec.references) if ref is not None}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            person = spec.owner if spec.owner is not None and name == spec.owner.name else None
            if name in references and references[name].model is User:
                person = references[name]  # a person named by username (an opportunity's owner)
            if person is not None:  # the person's username: "Owner", "负责人"
                labels.append(str(spec.model._meta.get_field(person.column.removesuffix("_id")).verbose_name))
            elif name in references:
                ref = references[name]
                fk = spec.model._meta.get_field(ref.column.removesuffix("_id"))
                # The owning account's key is labelled after the model ("客户"), others after the
                # foreign key ("上级客户", "汇报对象"), whose default verbose name is untranslated.
                what = ref.model._meta.verbose_name if ref is spec.account else fk.verbose_name
                labels += [str(what), f"{what} {_('ERP ID')}"]
            else:
                model_field = spec.model._meta.get_field(name)
                labels.append(str(model_field.verbose_name))
    return labels


def _converter(field: serializers.Field) -> Callable[[Any], Any]:
    # Most specific first: EmailField and ChoiceField are not CharFields' only relatives.
    if isinstance(field, serializers.ChoiceField):
        return _choice(field)
    if isinstance(field, serializers.DateField):
        return _date
    if isinstance(field, serializers.DecimalField):
        return _decimal
    if isinstance(field, serializers.IntegerField):
        return _integer
    if isinstance(field, serializers.BooleanField):
        return _boolean
    return _text


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> Any:
    if _blank(value):
        return OMIT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        # A number cell in a text column (a phone typed as a number): 1001, not "1001.0".
        return str(int(value)) if value.is_finite() and value == value.to_integral_value() else format(value, "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]  # the export's guard against formulas
    return text


def _choice(field: serializers.ChoiceField) -> Callable[[Any], Any]:
    by_label: dict[str, Any] = {}
    for value, label in field.choices.items():
        for language in ("en", "zh-hans"):
            with translation.override(language):
                by_label.setdefault(normalise(label), value)
    by_value = {normalise(value): value for value in field.choices}

    def convert(value: Any) -> Any:
        text = _text(value)
        if text is OMIT:
            return OMIT
        key = normalise(text)
        return by_value.get(key, by_label.get(key, text))

    return convert


def _date(value: Any) -> Any:
    if _blank(value):
        return OMIT
    if isinstance(value, datetime):
        return value.date().isoformat()  # a date column holding a timestamp: the day is what counts
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    match = _DATE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return text  # 2026-02-30: the serializer says what is wrong
    return text


def _identifier(value: Any) -> Any:
    if _blank(value):
        return OMIT
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite() or number != number.to_integral_value() or abs(number) > EXACT_INTEGERS:
            # Excel keeps 15 significant digits of a number: 202611200000012345 is already lost.
            raise CellError(
                _(
                    "The ERP ID %(value)s was stored as a number, which cannot hold it exactly. Format the "
                    "column as Text and copy the IDs from the source again."
                )
                % {"value": format(number, "f") if number.is_finite() else number}
            )
        return str(int(number))
    text = _text(value)
    if _SCIENTIFIC.fullmatch(text):
        raise CellError(
            _(
                "The ERP ID %(value)s is in scientific notation: Excel shortened a long number and its "
                "digits are lost. Format the column as Text and copy the IDs from the source again."
            )
            % {"value": text}
        )
    return text


def _decimal(value: Any) -> Any:
    """Numbers as decimal text; text is left for `read_number` under the file's convention."""
    if _blank(value):
        return OMIT
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as this float: 0.1 stays "0.1".
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    return _Number(_text(value))


def _integer(value: Any) -> Any:
    if _blank(value):
        return OMIT
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, float | Decimal):
        return format(value, "f")
    return _Number(_text(value))


class _Number(str):
    """Text in a number column, read once the file's number convention is known."""


def number_texts(value: Any) -> str | None:
    """The text of a number cell still to be read (see `read_number`), else None."""
    return str(value) if isinstance(value, _Number) else None


def read_number(value: Any, kind: str, convention: str | None) -> Any:
    """A number column's cell under the file's `convention` (numbers.POINT/COMMA or None if
    undecided) -> the record value. Raises CellError for a value the convention cannot read or
    that two conventions read differently."""
    if not isinstance(value, _Number):
        return value
    text = str(value)
    try:
        number = numbers.parse(text, convention)
    except numbers.Ambiguous:
        raise CellError(
            _(
                "%(value)s reads as %(point)s or as %(comma)s: choose the number format (1,234.56 or 1.234,56) "
                "on the upload form."
            )
            % {
                "value": text,
                "point": numbers.read_as(text, numbers.POINT),
                "comma": numbers.read_as(text, numbers.COMMA),
            }
        ) from None
    if number is None:
        if convention is not None and any(character.isdigit() for character in text):
            example = "1,234.56" if convention == numbers.POINT else "1.234,56"
            raise CellError(
                _("%(value)s is not a number written as %(example)s.") % {"value": text, "example": example}
            )
        return text  # no number at all: the serializer says so in its words
    if kind == "integer":
        return int(number) if number == number.to_integral_value() else format(number, "f")
    return format(number, "f")


def _boolean(value: Any) -> Any:
    if _blank(value):
        return OMIT
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _text(value)
    key = text.casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return text
