"""What values make sense, whoever enters them: one layer for every entry path (issue 13 item 5).

The models' `clean()` (admin, forms) and the bulk validation (API bulk, spreadsheet import)
both call `record_errors`; the API's run serializer calls `date_error`. The rules:

- a date (order, invoice, payment, run) lies within `DATA_DATE_MIN_YEARS_BACK` years before and
  `DATA_DATE_MAX_YEARS_AHEAD` years after today (settings; 30 and 5 by default): 0001-01-01 or
  9999-12-31 is a typing or export error, and it would make recency 0 or "739,949 days overdue";
- an order's margin is at most its amount (when the margin is known);
- an invoice is due on or after the day it was issued.

Errors are `{field: [message, ...]}`, as Django's ValidationError and the bulk answer take them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

Errors = dict[str, list[str]]

# model label -> its date fields checked against the span
DATE_FIELDS: dict[str, tuple[str, ...]] = {
    "accounts.Order": ("ordered_at",),
    "accounts.Invoice": ("issued_on", "due_on"),
    "accounts.Payment": ("due_on", "paid_on"),
    "tiering.ScoringRun": ("as_of",),
}


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def date_span(*, today: date | None = None) -> tuple[date, date]:
    """The first and last date accepted, both included."""
    today = today or timezone.localdate()
    return (
        _years_from(today, -settings.DATA_DATE_MIN_YEARS_BACK),
        _years_from(today, settings.DATA_DATE_MAX_YEARS_AHEAD),
    )


def date_error(value: date | None, *, span: tuple[date, date] | None = None) -> str | None:
    """Why `value` is refused, or None when it is within `span` (default: `date_span()`) or empty."""
    if value is None:
        return None
    first, last = span or date_span()
    if first <= value <= last:
        return None
    return _("Must be between %(first)s and %(last)s.") % {
        "first": date_format(first, "Y-m-d"),
        "last": date_format(last, "Y-m-d"),
    }


def record_errors(
    model: type[models.Model], values: Mapping[str, Any], *, span: tuple[date, date] | None = None
) -> Errors:
    """The rules above for one record of `model`, given as field -> value. A field that is not
    in `values` is not checked (a bulk update may send some fields only). A batch passes the
    `span` it computed once (then a valid record costs ~1.5 µs)."""
    errors: Errors = {}
    label = model._meta.label
    first, last = span or date_span()
    for name in DATE_FIELDS.get(label, ()):
        value = values.get(name)
        if value is not None and not first <= value <= last:
            errors[name] = [date_error(value, span=(first, last))]
    if label == "accounts.Order":
        amount, margin = values.get("amount"), values.get("margin")
        if isinstance(amount, Decimal) and isinstance(margin, Decimal) and margin > amount:
            errors.setdefault("margin", []).append(_("The margin cannot be larger than the amount."))
    elif label == "accounts.Invoice":
        issued, due = values.get("issued_on"), values.get("due_on")
        if isinstance(issued, date) and isinstance(due, date) and due < issued:
            errors.setdefault("due_on", []).append(_("An invoice cannot be due before it was issued."))
    return errors


def model_errors(instance: models.Model) -> Errors:
    """`record_errors` for a model instance (its `clean()` raises these)."""
    names = {field.attname for field in instance._meta.concrete_fields}
    return record_errors(type(instance), {name: getattr(instance, name) for name in names})
