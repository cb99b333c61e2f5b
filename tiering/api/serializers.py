from datetime import date

from rest_framework import serializers

from accounts.validation import date_error
from kam.api.fields import VisibleModelSerializer
from tiering.models import SNAPSHOT_FIELDS, AccountScore, ScoringRun, TierChange


class ScoreSerializer(VisibleModelSerializer):
    """A `tiering.selectors.ScoreRow`: the snapshot's fields typed as the model's, with reasons."""

    run = serializers.IntegerField(source="run_id", read_only=True)
    account = serializers.IntegerField(source="account_id", read_only=True)
    as_of = serializers.DateField(read_only=True)
    reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Why the account sits in its tier (English)."
    )

    class Meta:
        model = AccountScore
        fields = ["id", "run", "as_of", "account", *SNAPSHOT_FIELDS]


class CurrentScoreSerializer(VisibleModelSerializer):
    """The scores embedded in each account of /api/v1/accounts/."""

    class Meta:
        model = AccountScore
        fields = [
            "id",
            "run",
            "r_score",
            "f_score",
            "m_score",
            "segment",
            "pareto_class",
            "composite",
            "badges",
            "attractiveness",
            "attractiveness_provisional",
            "potential_band",
            "relationship",
            "position",
            "overridden",
        ]


class TierChangeSerializer(VisibleModelSerializer):
    class Meta:
        model = TierChange
        fields = ["id", "account", "run", "from_tier", "to_tier", "reasons", "created_at"]


class RunSerializer(VisibleModelSerializer):
    """A run as stored, or a `tiering.selectors.RunRow` (the same names)."""

    config = serializers.IntegerField(source="config_id", read_only=True)

    class Meta:
        model = ScoringRun
        fields = [
            "id",
            "as_of",
            "status",
            "config",
            "trigger",
            "created_at",
            "started_at",
            "finished_at",
            "accounts_scored",
            "tier_changes",
            "error",
            "warnings",
        ]
        read_only_fields = [f for f in fields if f != "as_of"]
        extra_kwargs = {"as_of": {"required": False}}

    def validate_as_of(self, value: date) -> date:
        # Refused here, before a run is queued: 9999-12-31 would only leave a failed run behind.
        if message := date_error(value):
            raise serializers.ValidationError(message)
        return value


class MatrixCellSerializer(serializers.Serializer):
    tier = serializers.CharField()
    category = serializers.CharField()
    accounts = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
