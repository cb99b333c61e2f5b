"""Spreadsheet import and export of accounts, contacts and orders (CSV and XLSX), and of the
collections other apps register (opportunities: funnel.bulk).

Layout: `columns` (which headers a collection accepts and how a cell becomes a record value),
`numbers` (1,234.56 or 1.234,56), `xlsx` (a workbook's first sheet, streamed within the caps of
`limits`), `reading` (a CSV or XLSX file -> rows of bulk records), `importing` (preview and apply
through the bulk upsert service, so a spreadsheet is validated exactly like an API call),
`exporting` (what a user can see -> CSV or XLSX with the same columns, so an export re-imports
unchanged) and `models` (ImportBatch: the upload and its parsed rows between preview and confirm).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# The collections a person may import and export (bulk collections of integrations.bulk.specs);
# invoices and payments stay ERP-only. One list object, extended in place by the registry.
KINDS: list[str] = ["accounts", "contacts", "orders"]
_LABELS: dict[str, Any] = {"accounts": _("Accounts"), "contacts": _("Contacts"), "orders": _("Orders")}


def spreadsheet_kind_register(*, collection: str, label: Any) -> str:
    """Offer another app's bulk collection (`spec_register`ed, same name) on the import and export
    pages and commands, named `label` (a lazy translation) for people. Call it from the app's
    AppConfig.ready(), as integrations knows no app. Registering again is a no-op; returns the name."""
    if collection not in KINDS:
        KINDS.append(collection)
    _LABELS[collection] = label
    return collection


def kind_choices() -> list[tuple[str, Any]]:
    """(collection, label) of every importable collection: the form's and ImportBatch.kind's choices."""
    return [(kind, _LABELS[kind]) for kind in KINDS]
