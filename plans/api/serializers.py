"""API shapes of the plans app."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.serializers import VisibleAccountField
from accounts.models import Contact, User
from integrations.bulk.serializers import _key, _Record
from kam.api.fields import VisibleModelSerializer, VisibleRelatedField
from plans.domain.plans import action_overdue
from plans.models import (
    AccountPlan,
    ActionItem,
    Activity,
    ContactPlanEntry,
    DevelopmentProposal,
    PlanReview,
    RelationshipLink,
    SalesTheme,
    Visit,
)
from plans.selectors import figures_of
from plans.services import FUTURE_SLACK, PROPOSAL_FIELDS


def not_in_the_future(moment: datetime) -> None:
    if moment > timezone.now() + FUTURE_SLACK:
        raise serializers.ValidationError(_("An activity is logged once it happened."))


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that names its zone: a bare "10:00" could be any of 24 moments."""

    default_error_messages = {"naive": _("Give the time zone too, e.g. 2026-03-02T10:00:00+08:00.")}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", "ISO 8601 date-time with its time zone, not in the future.")
        kwargs.setdefault("validators", [not_in_the_future])
        super().__init__(**kwargs)

    def to_internal_value(self, value: object) -> datetime:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


class VisibleContactField(VisibleRelatedField):
    """A contact the requesting user may see (others: 'does not exist')."""

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=Contact.objects.all(), **kwargs)


class PersonField(VisibleRelatedField):
    """One of our people (not an API-only user) whom the requesting user may see."""

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=User.objects.all(), **kwargs)

    def get_queryset(self):  # noqa: ANN201 - DRF's signature
        return super().get_queryset().filter(is_active=True).exclude(role=User.Role.INTEGRATION)


class ActivitySerializer(VisibleModelSerializer):
    account = VisibleAccountField()
    contacts = VisibleContactField(many=True, required=False)
    participants = PersonField(many=True, required=False)
    occurred_at = AwareDateTimeField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "account",
            "external_id",
            "type",
            "occurred_at",
            "duration_minutes",
            "contacts",
            "participants",
            "notes",
            "outcome",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_by", "created_at", "updated_at"]


def as_api_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError as the API's (the error handler gives it the shared shape)."""
    return serializers.ValidationError(getattr(error, "message_dict", {"non_field_errors": error.messages}))


class ActivityRecordSerializer(_Record):
    """One activity pushed by a calendar or e-mail system (`POST /api/v1/activities/bulk/`)."""

    external_id = _key(Activity, "The source system's key of the activity (required; the upsert key).")
    account_external_id = _key(Activity, "ERP ID of the account; it must exist and be visible to the caller.")
    occurred_at = AwareDateTimeField()
    contact_external_ids = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=100,
        help_text="ERP IDs of the account's contacts who took part; they replace the ones stored. "
        "Left out: unchanged on update, none on insert.",
    )

    class Meta(_Record.Meta):
        model = Activity
        fields = [
            "external_id",
            "account_external_id",
            "type",
            "occurred_at",
            "duration_minutes",
            "contact_external_ids",
            "notes",
            "outcome",
        ]


class AccountPlanSerializer(VisibleModelSerializer):
    account = VisibleAccountField()

    class Meta:
        model = AccountPlan
        fields = [
            "id",
            "account",
            "period",
            "position_target",
            "share_target",
            "revenue_target",
            "profit_target",
            "success_probability",
            "lifecycle_stage",
            "notes",
            "status",
            "owner",
            "frozen_tier",
            "frozen_strategy",
            "submitted_at",
            "decided_at",
            "decided_by",
            "return_comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "owner",
            "frozen_tier",
            "frozen_strategy",
            "submitted_at",
            "decided_at",
            "decided_by",
            "return_comment",
            "created_at",
            "updated_at",
        ]
        validators: list = []  # one plan per account and period: the service says so on `period`


class FigureField(serializers.DecimalField):
    """A money figure computed from the proposal (plans.domain.proposals), read-only."""

    def __init__(self, figure: str, **kwargs) -> None:
        super().__init__(max_digits=18, decimal_places=2, read_only=True, **kwargs)
        self.figure = figure

    def get_attribute(self, instance: DevelopmentProposal) -> Decimal:
        return getattr(figures_of(instance), self.figure)


class DevelopmentProposalSerializer(VisibleModelSerializer):
    """A key-account development proposal with its computed figures (read-only: expected profit
    = forecast sales × margin − cost to serve; plans.domain.proposals)."""

    account = VisibleAccountField()
    cost_to_serve = FigureField("cost_to_serve", help_text="Management + travel + other cost per year.")
    gross_profit = FigureField("gross_profit", help_text="Forecast sales × margin.")
    expected_profit = FigureField("expected_profit", help_text="Gross profit − cost to serve.")
    worth_developing = serializers.SerializerMethodField(help_text="Expected profit above zero.")

    class Meta:
        model = DevelopmentProposal
        fields = [
            "id",
            "account",
            *PROPOSAL_FIELDS,
            "cost_to_serve",
            "gross_profit",
            "expected_profit",
            "worth_developing",
            "status",
            "owner",
            "submitted_at",
            "decided_at",
            "decided_by",
            "return_comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "owner",
            "submitted_at",
            "decided_at",
            "decided_by",
            "return_comment",
            "created_at",
            "updated_at",
        ]

    def get_worth_developing(self, proposal: DevelopmentProposal) -> bool:
        return figures_of(proposal).worth_developing


class CategoryShareSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=["key", "normal", "possible", "unattractive", "unscored"])
    minutes = serializers.IntegerField()
    share = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="Percent of the minutes; null without time."
    )
    guideline = serializers.IntegerField(allow_null=True, help_text="Percent of the time the guideline gives it.")
    gap = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="Share − guideline, percentage points."
    )
    verdict = serializers.ChoiceField(choices=["over", "under", "on", ""], help_text="Within 10 points: on.")


class AllocationRowSerializer(serializers.Serializer):
    name = serializers.CharField(source="label", help_text="The rep's or team's name; empty for the total.")
    id = serializers.SerializerMethodField()
    total_minutes = serializers.IntegerField()
    categories = CategoryShareSerializer(many=True)

    def get_id(self, row) -> int | None:  # noqa: ANN001 - plans.selectors.AllocationRow
        return row.key.pk if row.key is not None else None


class TimeAllocationSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    total = AllocationRowSerializer()
    per_team = AllocationRowSerializer(many=True)
    per_rep = AllocationRowSerializer(many=True)


class PlanReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="What should change (required).")


class VisiblePlanField(VisibleRelatedField):
    """An account plan the requesting user may see (others: 'does not exist')."""

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=AccountPlan.objects.all(), **kwargs)


class ActionItemSerializer(VisibleModelSerializer):
    plan = VisiblePlanField()
    owner = PersonField()
    overdue = serializers.SerializerMethodField(help_text="Not done or cancelled, and its end day has passed.")

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "plan",
            "account",
            "action",
            "owner",
            "starts_on",
            "ends_on",
            "status",
            "completion",
            "overdue",
            "updated_at",
        ]
        read_only_fields = ["account", "updated_at"]

    def get_overdue(self, item: ActionItem) -> bool:
        finished = item.status in (ActionItem.Status.DONE, ActionItem.Status.CANCELLED)
        return action_overdue(ends_on=item.ends_on, finished=finished, today=timezone.localdate())


class ContactPlanEntrySerializer(VisibleModelSerializer):
    contact = VisibleContactField()
    owner = PersonField()
    contacts_so_far = serializers.SerializerMethodField(help_text="Activities with the contact since `starts_on`.")
    last_contact = serializers.SerializerMethodField(help_text="Local day of the contact's latest activity.")
    next_contact = serializers.SerializerMethodField(help_text="Computed: last contact + interval, not before start.")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ContactPlanEntry
        fields = [
            "id",
            "account",
            "contact",
            "owner",
            "interval_days",
            "starts_on",
            "contacts_so_far",
            "last_contact",
            "next_contact",
            "overdue",
            "updated_at",
        ]
        read_only_fields = ["account", "updated_at"]
        validators: list = []  # the service says "keeps this contact already"

    def _row(self, entry: ContactPlanEntry):  # noqa: ANN202
        rows = self.context.setdefault("rows", {})  # a listing fills it for the whole page
        if entry.pk not in rows:
            from plans.selectors import contact_plan_rows

            rows.update(
                {row.entry.pk: row for row in contact_plan_rows(entries=ContactPlanEntry.objects.filter(pk=entry.pk))}
            )
        return rows[entry.pk]

    def get_contacts_so_far(self, entry: ContactPlanEntry) -> int:
        return self._row(entry).contacts_so_far

    def get_last_contact(self, entry: ContactPlanEntry) -> date | None:
        return self._row(entry).last_contact

    def get_next_contact(self, entry: ContactPlanEntry) -> date:
        return self._row(entry).next_contact

    def get_overdue(self, entry: ContactPlanEntry) -> bool:
        return self._row(entry).overdue


class RelationshipLinkSerializer(VisibleModelSerializer):
    contact = VisibleContactField()
    user = PersonField()

    class Meta:
        model = RelationshipLink
        fields = ["id", "account", "contact", "user", "strength", "updated_at"]
        read_only_fields = ["account", "updated_at"]
        validators: list = []  # one link per pair: the service updates the existing one


class VisitSerializer(VisibleModelSerializer):
    class Meta:
        model = Visit
        fields = [
            "id",
            "account",
            "owner",
            "planned_on",
            "status",
            "generated",
            "reason",
            "checked_in_at",
            "latitude",
            "longitude",
            "activity",
            "updated_at",
        ]
        read_only_fields = fields


class SalesThemeSerializer(VisibleModelSerializer):
    class Meta:
        model = SalesTheme
        fields = ["id", "account", "problem", "feature", "benefit", "proof", "source", "updated_at"]
        read_only_fields = fields


class VisitCheckInSerializer(serializers.Serializer):
    """A field check-in at a planned visit: the visit becomes done and its record an activity."""

    checked_in_at = AwareDateTimeField(
        required=False, help_text="When the rep checked in (ISO 8601 with its zone); now when left out."
    )
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True,
        help_text="The device's position, with longitude; both or neither. Without one the check-in still works.",
    )  # fmt: skip
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    contacts = VisibleContactField(many=True, required=False, help_text="The account's contacts met.")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, help_text="The visit record.")
    outcome = serializers.CharField(required=False, allow_blank=True)


class VisitCheckedInSerializer(VisitSerializer):
    """The visit after a check-in, saying whether a position was recorded."""

    located = serializers.SerializerMethodField(help_text="Whether a position was recorded with the check-in.")
    message = serializers.SerializerMethodField(help_text="What happened, for the person checking in.")

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "located", "message"]
        read_only_fields = fields

    def get_located(self, visit: Visit) -> bool:
        return visit.latitude is not None

    def get_message(self, visit: Visit) -> str:
        if visit.latitude is None:
            return str(_("Checked in without a location: the device gave none."))
        return str(_("Checked in at %(lat)s, %(lng)s.") % {"lat": visit.latitude, "lng": visit.longitude})


class PlanReviewSerializer(VisibleModelSerializer):
    """A monthly PDCA review of an account plan, with the manager's comment."""

    class Meta:
        model = PlanReview
        fields = ["id", "plan", "month", "notes", "manager_comment", "author", "updated_at"]
        read_only_fields = fields


class PlanReviewWriteSerializer(serializers.Serializer):
    """`notes` writes (or replaces) the month's review, as anyone who sees the plan may;
    `manager_comment` comments on it, as only the owner's manager or a director may (403)."""

    month = serializers.DateField(help_text="Any day of the review's month.")
    notes = serializers.CharField(required=False, help_text="The review: plan, do, check, act.")
    manager_comment = serializers.CharField(required=False, allow_blank=True)

    def validate(self, data: dict) -> dict:
        if "notes" not in data and "manager_comment" not in data:
            raise serializers.ValidationError(_("Give the review's notes, the manager's comment, or both."))
        return data
