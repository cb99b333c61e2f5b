from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.filters import CATEGORY_CHOICES, TIER_CHOICES
from accounts.models import (
    Account,
    AccountTeamMember,
    Contact,
    DeletedRecord,
    Invoice,
    Order,
    Payment,
    ensure_no_cycle,
)
from tiering.api.serializers import CurrentScoreSerializer
from tiering.models import AccountScore


class VisibleAccountField(serializers.PrimaryKeyRelatedField):
    """An account reference limited to what the requesting user may see (others: 'does not exist')."""

    def get_queryset(self):  # noqa: ANN201 - DRF's signature
        return Account.objects.visible_to(self.context["request"].user)


class TeamMemberSerializer(serializers.ModelSerializer):
    account = VisibleAccountField()
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = AccountTeamMember
        fields = ["id", "account", "role", "user", "username"]


class ContactSerializer(serializers.ModelSerializer):
    account = VisibleAccountField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "account",
            "external_id",
            "name",
            "title",
            "department",
            "buying_role",
            "attitude",
            "reports_to",
            "email",
            "phone",
            "last_contacted_on",
            "is_active",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    # The reporting line's rules (same account, not oneself) are Contact.clean()'s, applied by the
    # contact services, so the admin, forms and this API refuse the same things.


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A read-only code stored as "" when unknown, answered as null."""

    def to_representation(self, value: str) -> str | None:
        return value or None


class AccountSerializer(serializers.ModelSerializer):
    parent = VisibleAccountField(required=False, allow_null=True)
    contacts = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    recency_days = serializers.SerializerMethodField()
    frequency = serializers.SerializerMethodField()
    monetary = serializers.SerializerMethodField()
    scores = serializers.SerializerMethodField()
    # An account no run has placed has no tier: null, never "" (which is not a tier).
    tier = BlankAsNullChoiceField(choices=TIER_CHOICES, read_only=True, allow_null=True)
    category = BlankAsNullChoiceField(choices=CATEGORY_CHOICES, read_only=True, allow_null=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "external_id",
            "name",
            "english_name",
            "parent",
            "industry",
            "region",
            "employees",
            "annual_revenue",
            "business_strategy",
            "main_products",
            "credit_level",
            "operating_status",
            "development_bottleneck",
            "relationship_type",
            "lifecycle_stage",
            "owner",
            "tier",
            "category",
            "recency_days",
            "frequency",
            "monetary",
            "scores",
            "contacts",
            "team",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["tier", "category", "created_at", "updated_at"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_contacts(self, account: Account) -> list[dict]:
        return ContactSummarySerializer(account.contacts.all(), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_team(self, account: Account) -> list[dict]:
        return TeamSummarySerializer(account.team_members.all(), many=True).data

    def _score(self, account: Account) -> AccountScore | None:
        scores = getattr(account, "current_scores", None)
        return scores[0] if scores else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_recency_days(self, account: Account) -> int | None:
        score = self._score(account)
        return score.recency_days if score else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_frequency(self, account: Account) -> int | None:
        score = self._score(account)
        return score.frequency if score else None

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True))
    def get_monetary(self, account: Account) -> str | None:
        score = self._score(account)
        return f"{score.monetary:.2f}" if score else None

    @extend_schema_field(CurrentScoreSerializer(allow_null=True))
    def get_scores(self, account: Account) -> dict | None:
        score = self._score(account)
        return CurrentScoreSerializer(score).data if score else None

    def validate_external_id(self, value: str | None) -> str | None:
        value = (value or "").strip() or None  # "" means "no ERP id", stored as NULL
        if value is not None:
            clash = Account.objects.filter(external_id=value)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(_("An account with this ERP ID already exists."))
        return value

    def validate_parent(self, parent: Account | None) -> Account | None:
        if parent is not None:
            try:
                ensure_no_cycle(self.instance or Account(), parent)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.message_dict["parent"]) from None
        return parent

    def save(self, **kwargs) -> Account:  # noqa: ANN003 - DRF's signature
        # The save re-checks the parent under the re-parenting lock: a concurrent writer may
        # have changed the tree since validate_parent; answer that as a 400 on `parent` too.
        try:
            return super().save(**kwargs)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None


class ContactSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "title", "department", "buying_role", "attitude", "reports_to", "is_active"]


class TeamSummarySerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")

    class Meta:
        model = AccountTeamMember
        fields = ["role", "user", "username"]


class OrderSerializer(serializers.ModelSerializer):
    """An order as the ERP sent it, with its account's ERP id for reconciling."""

    account_external_id = serializers.CharField(source="account.external_id", read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = ["id", "account", "account_external_id", "external_id", "ordered_at", "amount", "margin", "status"]
        fields += ["updated_at"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    account_external_id = serializers.CharField(source="account.external_id", read_only=True, allow_null=True)
    order_external_id = serializers.CharField(source="order.external_id", read_only=True, allow_null=True)

    class Meta:
        model = Invoice
        fields = ["id", "account", "account_external_id", "order", "order_external_id", "external_id"]
        fields += ["issued_on", "due_on", "amount", "updated_at"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    account_external_id = serializers.CharField(source="account.external_id", read_only=True, allow_null=True)
    order_external_id = serializers.CharField(source="order.external_id", read_only=True, allow_null=True)
    invoice_external_id = serializers.CharField(source="invoice.external_id", read_only=True, allow_null=True)

    class Meta:
        model = Payment
        fields = ["id", "account", "account_external_id", "order", "order_external_id", "invoice"]
        fields += ["invoice_external_id", "external_id", "amount", "due_on", "paid_on", "updated_at"]
        read_only_fields = fields


class DeletedRecordSerializer(serializers.ModelSerializer):
    """A deleted record: its collection (`kind`), its id and ERP id there, its account, when."""

    id = serializers.IntegerField(source="object_id", read_only=True, help_text="The deleted record's id.")
    account = serializers.IntegerField(source="account_id", read_only=True, help_text="Its account's id.")

    class Meta:
        model = DeletedRecord
        fields = ["kind", "id", "external_id", "account", "deleted_at"]
        read_only_fields = fields
