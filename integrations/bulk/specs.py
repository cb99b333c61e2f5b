"""Per collection: the model, the record serializer, the scope, and how references map to columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models
from rest_framework import serializers

from accounts.models import Account, Contact, Invoice, Order, Payment, User
from integrations.bulk import serializers as records
from integrations.bulk.validation import RecordValidator


@dataclass(frozen=True)
class Reference:
    """A record field holding another row's ERP id, written to a foreign-key column."""

    name: str  # in the record, e.g. "order_external_id"
    column: str  # the model attribute written, e.g. "order_id"
    model: type[models.Model]
    same_account: bool = False  # the row referred to must belong to the record's account


@dataclass(frozen=True)
class ManyReference:
    """A record field holding a list of other rows' ERP ids, kept in a many-to-many field: the
    list sent replaces the links stored (left out: unchanged). The rows must be of the record's
    account. `on_change(ids)` is told the ids of the rows linked to a written record or unlinked."""

    name: str  # in the record, e.g. "contact_external_ids"
    field: str  # the model's many-to-many field, e.g. "contacts"
    model: type[models.Model]
    on_change: Callable[[Iterable[int]], object] | None = None


@dataclass(frozen=True)
class Spec:
    collection: str  # URL segment and scope resource: "orders" -> orders/bulk/, orders:write
    model: type[models.Model]
    serializer: type[serializers.Serializer]
    account: Reference | None  # the owning account (None for accounts themselves)
    references: tuple[Reference, ...] = ()  # other rows, resolved in the database
    parent: Reference | None = None  # same collection; may point at another record of the batch
    parent_same_account: bool = False
    parent_acyclic: bool = False  # a group tree: refuse a parent that is a descendant
    owner: Reference | None = None  # accounts: the owner, named by username (the hand-over rule)
    many: tuple[ManyReference, ...] = ()  # lists of rows, kept in many-to-many fields
    doc: str = ""  # how the references are named, for the endpoint's description
    example: dict = field(default_factory=dict)
    doc: str = ""  # how the references are named, for the API description (apps registering a spec)
    # Called inside the batch's transaction with the ids of the rows created or updated (an app
    # keeps its derived columns and history, and emits its events after commit).
    after_write: Callable[[Any, list[int]], None] | None = None

    @property
    def scope(self) -> str:
        return f"{self.collection}:write"

    @cached_property
    def validator(self) -> RecordValidator:
        return RecordValidator(self.serializer())

    def columns(self, values: dict) -> dict:
        """The record's own values, by model attribute (references are resolved separately)."""
        columns = dict(values)
        for name in self.reference_names.intersection(values):
            del columns[name]
        return columns

    def model_path(self, name: str) -> str:
        """The model lookup holding record field `name`'s value: a reference by its ERP id
        (`account__external_id`), the owner or another person by username (`owner__username`),
        else the field."""
        if self.owner is not None and name == self.owner.name:
            return f"{self.owner.column.removesuffix('_id')}__username"
        for ref in (self.account, self.parent, *self.references):
            if ref is not None and name == ref.name:
                key = "username" if ref.model is User else "external_id"  # people are named by username
                return f"{ref.column.removesuffix('_id')}__{key}"
        return name

    @cached_property
    def reference_names(self) -> frozenset[str]:
        refs = tuple(ref for ref in (self.account, self.parent, self.owner) if ref is not None)
        return frozenset({ref.name for ref in refs + self.references} | {many.name for many in self.many})


ACCOUNT = Reference("account_external_id", "account_id", Account)


SPECS: dict[str, Spec] = {
    spec.collection: spec
    for spec in (
        Spec(
            "accounts",
            Account,
            records.AccountRecordSerializer,
            account=None,
            parent=Reference("parent_external_id", "parent_id", Account),
            parent_acyclic=True,
            owner=Reference("owner_username", "owner_id", User),
            example={
                "external_id": "C-17",
                "name": "华东精密机械有限公司",
                "english_name": "East China Precision Machinery",
                "parent_external_id": "C-1",
                "industry": "Machinery",
                "region": "East China",
                "employees": 1200,
                "annual_revenue": "850000000.00",
                "credit_level": "AA",
                "operating_status": "operating",
                "owner_username": "rep1",
            },
        ),
        Spec(
            "contacts",
            Contact,
            records.ContactRecordSerializer,
            account=ACCOUNT,
            parent=Reference("reports_to_external_id", "reports_to_id", Contact),
            parent_same_account=True,
            example={
                "external_id": "P-88",
                "account_external_id": "C-17",
                "name": "王伟",
                "title": "采购总监",
                "buying_role": "decision_maker",
                "email": "wang.wei@example.com",
            },
        ),
        Spec(
            "orders",
            Order,
            records.OrderRecordSerializer,
            account=ACCOUNT,
            example={
                "external_id": "SO-1001",
                "account_external_id": "C-17",
                "ordered_at": "2026-03-02",
                "amount": "12500.00",
                "margin": "3100.00",
                "status": "fulfilled",
            },
        ),
        Spec(
            "invoices",
            Invoice,
            records.InvoiceRecordSerializer,
            account=ACCOUNT,
            references=(Reference("order_external_id", "order_id", Order, same_account=True),),
            example={
                "external_id": "INV-501",
                "account_external_id": "C-17",
                "order_external_id": "SO-1001",
                "issued_on": "2026-03-05",
                "due_on": "2026-04-04",
                "amount": "12500.00",
            },
        ),
        Spec(
            "payments",
            Payment,
            records.PaymentRecordSerializer,
            account=ACCOUNT,
            references=(
                Reference("order_external_id", "order_id", Order, same_account=True),
                Reference("invoice_external_id", "invoice_id", Invoice, same_account=True),
            ),
            example={
                "external_id": "AR-9001",
                "account_external_id": "C-17",
                "invoice_external_id": "INV-501",
                "amount": "12500.00",
                "due_on": "2026-04-04",
                "paid_on": None,
            },
        ),
    )
}


def spec_register(spec: Spec) -> Spec:
    """Add another app's collection (from its AppConfig.ready(), before the URLs load): it gets
    `<collection>/bulk/` like the others. ValueError if the collection is taken."""
    if spec.collection in SPECS and SPECS[spec.collection] is not spec:
        raise ValueError(f"the bulk collection {spec.collection!r} is already declared")
    SPECS[spec.collection] = spec
    return spec
