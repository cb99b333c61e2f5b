"""API representations of webhook subscriptions and deliveries."""

from __future__ import annotations

from rest_framework import serializers

from integrations.event_types import event_choices, event_names
from integrations.webhooks.destinations import destination_validate
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription, http_url
from kam.api.fields import VisibleModelSerializer


class WebhookSubscriptionSerializer(VisibleModelSerializer):
    # Declared: DRF drops a model URLField's URLValidators, and with them the http(s)-only rule.
    url = serializers.URLField(
        max_length=500,
        validators=[http_url, destination_validate],
        help_text="Where events are POSTed: http(s) to a public address (private ones if the server allows).",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[]),  # the declared event types: see __init__
        allow_empty=False,
        help_text="The events to receive.",
    )
    secret_hint = serializers.CharField(read_only=True, help_text="The start and end of the signing secret.")

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "is_active", "secret_hint", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Read per instance: the apps declare their events in ready(), after this module may be imported.
        self.fields["events"].child.choices = event_choices()

    def validate_events(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # a subscriber gets each event once


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    """The create response: the only time the full secret is returned."""

    secret = serializers.CharField(
        read_only=True,
        help_text="HMAC-SHA256 key of X-KAM-Signature. Returned only now: store it safely.",
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(VisibleModelSerializer):
    """A delivery without its payload (a tier.changed batch holds 1,000 changes): see …/{id}/payload/."""

    # Value-only labels: the event names are self-explanatory, and a choice set distinct from the
    # subscription's `events` keeps one enum name per set in the OpenAPI schema.
    event = serializers.ChoiceField(choices=[], read_only=True)  # the declared event types: see __init__

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "event",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [(name, name) for name in event_names()]
