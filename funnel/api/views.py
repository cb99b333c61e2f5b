from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import ResourceScope, require_scope
from funnel import selectors, services
from funnel.api.serializers import AccuracySerializer, FiguresSerializer, OpportunitySerializer, StageChangeSerializer
from funnel.domain.quarters import Quarter
from funnel.models import Opportunity
from integrations.api.bulk_views import ApiErrorSerializer


class OpportunityViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Opportunities on the accounts the caller may see; `history/` lists each one's stage changes."""

    serializer_class = OpportunitySerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "opportunities"
    queryset = Opportunity.objects.none()  # for the schema; get_queryset decides what is seen
    filterset_fields = ["account", "stage", "forecast_category", "external_id"]
    search_fields = ["name", "external_id"]

    def get_queryset(self):  # noqa: ANN201
        return Opportunity.objects.visible_to(self.request.user).select_related("owner")

    def perform_create(self, serializer: OpportunitySerializer) -> None:
        serializer.instance = services.opportunity_create(user=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer: OpportunitySerializer) -> None:
        serializer.instance = services.opportunity_update(
            user=self.request.user, opportunity=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(responses=StageChangeSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        opportunity = self.get_object()  # 404 for a hidden one
        rows = selectors.stage_history(opportunity=opportunity)
        return Response(StageChangeSerializer(rows, many=True).data)


SCOPE_PARAMETERS = [
    OpenApiParameter("quarter", OpenApiTypes.STR, description="Like 2026-Q3; default: the current quarter."),
    OpenApiParameter("owner", OpenApiTypes.STR, description="A rep's username (404 if you may not see them)."),
    OpenApiParameter("team", OpenApiTypes.INT, description="A team id (404 if you may not see it)."),
]


NOT_VISIBLE = OpenApiResponse(ApiErrorSerializer, "The rep or team does not exist or is not visible to the caller.")


def _scope_and_quarter(request: Request) -> tuple[selectors.Scope, Quarter]:
    params = request.query_params
    if params.get("owner") and params.get("team"):
        raise ValidationError({"team": ["Give owner or team, not both."]})
    label = params.get("quarter")
    try:
        quarter = selectors.quarter_parse(label) if label else selectors.current_quarter()
    except ValueError:
        raise ValidationError({"quarter": ["Write the quarter like 2026-Q3."]}) from None
    return selectors.scope_resolve(user=request.user, owner=params.get("owner"), team=params.get("team")), quarter


def _who(scope: selectors.Scope) -> dict:
    return {"owner": scope.owner.username if scope.owner else None, "team": scope.team.pk if scope.team else None}


@extend_schema(parameters=SCOPE_PARAMETERS, responses={200: FiguresSerializer, 404: NOT_VISIBLE})
@api_view(["GET"])
@permission_classes([IsAuthenticated, require_scope("forecast:read")])
def forecast(request: Request) -> Response:
    """Won to date, commit, best case and weighted pipeline for a quarter: one rep, one team, or
    everything the caller may see."""
    scope, quarter = _scope_and_quarter(request)
    figures = selectors.forecast_figures(user=request.user, quarter=quarter, scope=scope)
    return Response(FiguresSerializer({"quarter": quarter.label, **_who(scope), **asdict(figures)}).data)


@extend_schema(parameters=SCOPE_PARAMETERS, responses={200: AccuracySerializer, 404: NOT_VISIBLE})
@api_view(["GET"])
@permission_classes([IsAuthenticated, require_scope("forecast:read")])
def forecast_accuracy(request: Request) -> Response:
    """Per weekly snapshot of the quarter: the weighted forecast and commit then, and (once the
    quarter ended) accuracy = max(0, 1 − |f − a| / a) and bias = (f − a) / a, 4 places; null when
    nothing was won (`undefined`)."""
    scope, quarter = _scope_and_quarter(request)
    result = selectors.forecast_accuracy(user=request.user, quarter=quarter, scope=scope)
    return Response(AccuracySerializer({**asdict(result), **_who(scope)}).data)
