"""The funnel's API shapes: opportunities (writes go through funnel.services), stage history,
forecast figures and accuracy."""

from __future__ import annotations

from rest_framework import serializers

from accounts.api.serializers import VisibleAccountField
from accounts.models import User
from accounts.visibility import visible_rows
from funnel.models import Opportunity, StageChange
from kam.api.fields import VisibleModelSerializer, request_user


class OwnerField(serializers.SlugRelatedField):
    """The owning rep by username: an active person the requesting user may see (anyone else,
    like a username that does not exist: 'does not exist')."""

    def __init__(self, **kwargs) -> None:
        super().__init__(slug_field="username", queryset=User.objects.all(), **kwargs)

    def get_queryset(self):  # noqa: ANN201 - DRF's signature
        user = request_user(self)
        if user is None:  # no request (a task, the schema generator): nothing is offered
            return User.objects.none()
        return visible_rows(User, user).filter(is_active=True)


class OpportunitySerializer(VisibleModelSerializer):
    account = VisibleAccountField()
    owner = OwnerField(required=False, allow_null=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "external_id",
            "account",
            "name",
            "product_line",
            "amount",
            "expected_close_date",
            "owner",
            "stage",
            "probability",
            "probability_override",
            "forecast_category",
            "category_override",
            "next_step",
            "next_step_date",
            "lost_reason",
            "closed_at",
            "stage_changed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["probability", "forecast_category", "stage_changed_at", "created_at", "updated_at"]
        extra_kwargs = {
            "probability_override": {"help_text": "The rep's figure (%); null follows the stage default."},
            "category_override": {"help_text": "The rep's forecast category; null follows the stage default."},
            "probability": {"help_text": "The probability that counts (%): 0 when lost, else override or default."},
        }
        validators: list = []  # uniqueness of external_id: the database's constraint decides


class StageChangeSerializer(VisibleModelSerializer):
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = StageChange
        fields = ["id", "opportunity", "from_stage", "to_stage", "changed_at", "changed_by"]


class FiguresSerializer(serializers.Serializer):
    quarter = serializers.CharField(help_text="Like 2026-Q3 (fiscal when a fiscal start month is configured).")
    owner = serializers.CharField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)
    won = serializers.DecimalField(max_digits=18, decimal_places=2)
    commit = serializers.DecimalField(max_digits=18, decimal_places=2)
    best_case = serializers.DecimalField(max_digits=18, decimal_places=2)
    weighted = serializers.DecimalField(max_digits=18, decimal_places=2)


class WeekAccuracySerializer(serializers.Serializer):
    week = serializers.DateField()
    as_of = serializers.DateField()
    won_to_date = serializers.DecimalField(max_digits=18, decimal_places=2)
    weighted = serializers.DecimalField(max_digits=18, decimal_places=2)
    commit = serializers.DecimalField(max_digits=18, decimal_places=2)
    accuracy = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    bias = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    commit_accuracy = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    commit_bias = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)


class AccuracySerializer(serializers.Serializer):
    quarter = serializers.CharField()
    owner = serializers.CharField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)
    actual = serializers.DecimalField(max_digits=18, decimal_places=2)
    final = serializers.BooleanField(help_text="The quarter has ended, so the actual is known.")
    undefined = serializers.BooleanField(help_text="Nothing was won: accuracy and bias do not exist (null).")
    weeks = WeekAccuracySerializer(many=True)
