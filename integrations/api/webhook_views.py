"""API of outgoing webhooks: subscriptions (CRUD) and the delivery log (read, redeliver).

Directors, or integration users whose token carries the scope `webhooks:write`.
"""

from __future__ import annotations

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import require_scope
from integrations.event_types import event_choices
from integrations.webhooks import services
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from integrations.webhooks.permissions import can_manage_webhooks
from integrations.webhooks.serializers import (
    WebhookDeliverySerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionSerializer,
)
from kam.api.filters import VisibleFilterBackend, VisibleFilterSet
from kam.api.pagination import SyncCursorPagination

SCOPE = "webhooks:write"


class CanManageWebhooks(BasePermission):
    message = "Only directors (or integration tokens with the scope webhooks:write) may manage webhooks."

    def has_permission(self, request: Request, view) -> bool:  # noqa: ANN001
        return can_manage_webhooks(request.user)


PERMISSIONS = [IsAuthenticated, require_scope(SCOPE), CanManageWebhooks]


class NewestFirstPagination(SyncCursorPagination):
    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:  # noqa: ANN001
        return ("-id",)


class WebhookSubscriptionViewSet(viewsets.ModelViewSet):
    """Webhook subscriptions. The signing secret is returned only in the create response."""

    queryset = WebhookSubscription.objects.all()
    serializer_class = WebhookSubscriptionSerializer
    permission_classes = PERMISSIONS
    filter_backends = [VisibleFilterBackend]  # no updated_at here: skip the sync filter
    filterset_fields = ["is_active"]
    sync_ordering = "id"

    @extend_schema(responses={201: WebhookSubscriptionCreatedSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.subscription_create(**serializer.validated_data, user=request.user)
        body = WebhookSubscriptionCreatedSerializer(subscription, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: WebhookSubscriptionSerializer) -> None:
        serializer.instance = services.subscription_update(
            subscription=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: WebhookSubscription) -> None:
        services.subscription_delete(subscription=instance)


class DeliveryFilter(VisibleFilterSet):
    # The event types the apps declared (the model field has no choices: see integrations.event_types).
    event = django_filters.ChoiceFilter(choices=event_choices)

    class Meta:
        model = WebhookDelivery
        fields = ["subscription", "status", "event"]


class WebhookDeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """The delivery log, newest first; filter by subscription, status or event."""

    queryset = WebhookDelivery.objects.all()
    permission_classes = PERMISSIONS
    filter_backends = [VisibleFilterBackend]
    filterset_class = DeliveryFilter
    pagination_class = NewestFirstPagination

    serializer_class = WebhookDeliverySerializer

    def get_queryset(self):  # noqa: ANN201
        # Only the payload action reads the payload (a tier.changed batch holds 1,000 changes).
        return self.queryset if self.action == "payload" else self.queryset.defer("payload")

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def payload(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The exact JSON body POSTed for this delivery (what X-KAM-Signature signs, with the timestamp)."""
        body = services.encode_body(self.get_object())
        return HttpResponse(body, content_type="application/json")

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str | None = None) -> Response:
        """Send the delivery again from its first attempt, whatever its status (same delivery id)."""
        delivery = services.delivery_redeliver(delivery=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
