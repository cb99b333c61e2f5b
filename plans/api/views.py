"""REST endpoints of the plans app under /api/v1/: visible rows only, writes through the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import ResourceScope
from plans import selectors, services
from plans.api.serializers import ActivitySerializer, as_api_error
from plans.models import Activity


class ActivityViewSet(viewsets.ModelViewSet):
    """Activities (calls, meetings, visits, e-mails, messages) of the accounts the caller may see.
    Pushing many from a calendar or mail system: `POST /api/v1/activities/bulk/`."""

    serializer_class = ActivitySerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "activities"
    queryset = Activity.objects.none()  # for the schema; get_queryset decides what is seen
    filterset_fields = ["account", "type", "external_id"]

    def get_queryset(self):  # noqa: ANN201 - DRF's signature
        return selectors.activity_queryset(user=self.request.user)

    def perform_create(self, serializer: ActivitySerializer) -> None:
        data = dict(serializer.validated_data)
        contacts, participants = data.pop("contacts", []), data.pop("participants", [])
        try:
            serializer.instance = services.activity_create(
                account=data.pop("account"),
                data=data,
                contacts=contacts,
                participants=participants,
                created_by=self.request.user if not self.request.user.is_integration else None,
            )
        except ValidationError as error:
            raise as_api_error(error) from None

    def perform_update(self, serializer: ActivitySerializer) -> None:
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.activity_update(
                activity=serializer.instance,
                data=data,
                contacts=data.pop("contacts", None),
                participants=data.pop("participants", None),
            )
        except ValidationError as error:
            raise as_api_error(error) from None

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.activity_delete(activity=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
