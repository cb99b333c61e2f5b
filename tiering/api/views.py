from __future__ import annotations

from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import ResourceScope, has_scope, require_scope
from tiering import selectors, services
from tiering.api.serializers import MatrixCellSerializer, RunSerializer, ScoreSerializer, TierChangeSerializer
from tiering.models import AccountScore, ScoringRun, TierChange
from tiering.permissions import can_run_tiering


class ScoreViewSet(viewsets.ReadOnlyModelViewSet):
    """Score snapshots of every successful run, newest first (filter by account or run)."""

    serializer_class = ScoreSerializer
    queryset = AccountScore.objects.none()  # for the schema; get_queryset decides what is seen
    permission_classes = [IsAuthenticated, require_scope("scores:read")]
    filterset_fields = ["account", "run", "is_group", "tier"]
    sync_ordering = "id"  # snapshots never change; a run appends them
    updated_since_field = "run__finished_at"

    def get_queryset(self):  # noqa: ANN201
        return selectors.score_list(user=self.request.user)

    def paginate_queryset(self, queryset):  # noqa: ANN001, ANN201
        page = super().paginate_queryset(queryset)
        # Rows with reasons written in one pass for the page (the pager keeps the models for its cursor).
        # The API's reasons are English whatever the request's language: integrators store them.
        if page is None:
            return None
        with translation.override("en"):
            return selectors.score_rows(scores=page)

    def get_object(self) -> selectors.ScoreRow:
        with translation.override("en"):
            return selectors.score_rows(scores=[super().get_object()])[0]


class TierChangeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TierChangeSerializer
    queryset = TierChange.objects.none()
    permission_classes = [IsAuthenticated, require_scope("scores:read")]
    filterset_fields = ["account", "run", "to_tier"]
    sync_ordering = "id"
    updated_since_field = "created_at"

    def get_queryset(self):  # noqa: ANN201
        return TierChange.objects.visible_to(self.request.user)


class RunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Scoring runs. POST queues a new run (directors, or tokens with `runs:write`)."""

    serializer_class = RunSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "runs"
    queryset = ScoringRun.objects.all()
    sync_ordering = "id"
    updated_since_field = "created_at"
    filterset_fields = ["status"]

    def get_queryset(self):  # noqa: ANN201
        return selectors.run_list()

    def paginate_queryset(self, queryset):  # noqa: ANN001, ANN201
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.run_rows(runs=page)

    @extend_schema(responses={202: RunSerializer}, description="Queue a run; it runs in a Celery worker.")
    def create(self, request: Request, *args, **kwargs) -> Response:
        if not has_scope(request, "runs:write"):
            raise PermissionDenied("This token lacks the scope runs:write.")
        allowed = request.user.role == "integration" or can_run_tiering(request.user)
        if not allowed:
            raise PermissionDenied("Only directors may start a run.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.run_start(as_of=serializer.validated_data.get("as_of"), trigger=f"api {request.user}")
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(responses=MatrixCellSerializer(many=True))
@api_view(["GET"])
@permission_classes([IsAuthenticated, require_scope("scores:read")])
def matrix(request: Request) -> Response:
    """The A1–C6 matrix of the current run: accounts and window revenue per tier."""
    cells = [cell for row in selectors.tier_matrix(user=request.user) for cell in row]
    return Response(MatrixCellSerializer(cells, many=True).data)
