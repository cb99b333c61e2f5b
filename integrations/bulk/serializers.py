"""What one ERP record of each collection may carry, and the envelope and answer of a batch.

The record serializers are the contract: their fields decide types, lengths, choices and
decimal places (taken from the models). References to other rows are by the ERP's key
(`account_external_id`, ...); the service resolves them. Uniqueness is not validated here:
the upsert itself decides, in the database, whether a key is new.
"""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Account, Contact, Invoice, Order, Payment
from integrations.bulk import MAX_RECORDS

STATUSES = ("created", "updated", "unchanged", "error", "skipped")


def _key(model: type, help_text: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=model._meta.get_field("external_id").max_length, help_text=help_text, **kwargs
    )


def _ref(model: type, what: str, *, required: bool = False) -> serializers.CharField:
    if required:
        return _key(model, f"ERP ID of the {what}; it must exist and be visible to the caller.")
    return _key(
        model,
        f"ERP ID of the {what}, or null for none. Left out: unchanged on update, none on insert.",
        required=False,
        allow_null=True,
    )


class _Record(serializers.ModelSerializer):
    class Meta:
        validators: list = []  # no per-record uniqueness queries: the upsert decides


class AccountRecordSerializer(_Record):
    external_id = _key(Account, "The ERP's key of the account (required; the upsert key).")
    parent_external_id = _ref(Account, "parent account (group); may be another record of this batch")
    owner_username = serializers.CharField(
        max_length=150,
        required=False,
        help_text="Username of the owner: someone the caller may hand accounts to (a rep: themself; a "
        "manager: their teams; a director or the ERP: anyone who can own accounts). Left out: unchanged on "
        "update; on insert the caller, or the configured default owner (DEFAULT_ACCOUNT_OWNER) for the ERP.",
    )

    class Meta(_Record.Meta):
        model = Account
        fields = [
            "external_id",
            "name",
            "english_name",
            "parent_external_id",
            "owner_username",
            "industry",
            "region",
            "employees",
            "annual_revenue",
            "main_products",
            "credit_level",
            "operating_status",
        ]


class ContactRecordSerializer(_Record):
    external_id = _key(Contact, "The ERP's key of the contact (required; the upsert key).")
    account_external_id = _ref(Account, "contact's account", required=True)
    reports_to_external_id = _ref(Contact, "contact's manager (same account); may be another record of this batch")

    class Meta(_Record.Meta):
        model = Contact
        fields = [
            "external_id",
            "account_external_id",
            "name",
            "title",
            "department",
            "buying_role",
            "attitude",
            "reports_to_external_id",
            "email",
            "phone",
            "last_contacted_on",
            "is_active",
        ]


class OrderRecordSerializer(_Record):
    external_id = _key(Order, "The ERP's key of the order (required; the upsert key).")
    account_external_id = _ref(Account, "ordering account", required=True)

    class Meta(_Record.Meta):
        model = Order
        fields = ["external_id", "account_external_id", "ordered_at", "amount", "margin", "status"]


class InvoiceRecordSerializer(_Record):
    external_id = _key(Invoice, "The ERP's key of the invoice (required; the upsert key).")
    account_external_id = _ref(Account, "invoiced account", required=True)
    order_external_id = _ref(Order, "order invoiced (of the same account)")

    class Meta(_Record.Meta):
        model = Invoice
        fields = ["external_id", "account_external_id", "order_external_id", "issued_on", "due_on", "amount"]


class PaymentRecordSerializer(_Record):
    external_id = _key(Payment, "The ERP's key of the receivable (required; the upsert key).")
    account_external_id = _ref(Account, "paying account", required=True)
    order_external_id = _ref(Order, "order paid for (of the same account)")
    invoice_external_id = _ref(Invoice, "invoice paid (of the same account)")

    class Meta(_Record.Meta):
        model = Payment
        fields = [
            "external_id",
            "account_external_id",
            "order_external_id",
            "invoice_external_id",
            "amount",
            "due_on",
            "paid_on",
        ]


def bulk_request_serializer(name: str, record: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The envelope `{"records": [...], "atomic": false}` for one collection (for the schema)."""
    fields = {
        "records": record(
            many=True,
            max_length=MAX_RECORDS,
            help_text=f"Up to {MAX_RECORDS:,} records, each keyed on its `external_id`. "
            "A bare JSON list of records is accepted too (then `atomic` is false).",
        ),
        "atomic": serializers.BooleanField(
            default=False,
            help_text="true: all or nothing — one invalid record and nothing is written (400). "
            "false: valid records are written, invalid ones reported.",
        ),
    }
    return type(f"{name}BulkSerializer", (serializers.Serializer,), fields)


class BulkSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Existed with identical values: not written, updated_at kept.")
    error = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="Valid but not written because the atomic batch had errors.")


class BulkResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the record in `records`, from 0.")
    external_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=STATUSES)
    id = serializers.IntegerField(
        allow_null=True, help_text="The row's id in the CRM; null unless written or unchanged."
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Reasons per field (empty unless status is error); nothing of such a record is written.",
    )


class BulkUpsertResponseSerializer(serializers.Serializer):
    atomic = serializers.BooleanField()
    summary = BulkSummarySerializer()
    results = BulkResultSerializer(many=True, help_text="One per record, in the order sent.")
