"""REST endpoints of the plans app under /api/v1/: visible rows only, writes through the services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import ResourceScope, require_scope
from integrations.api.bulk_views import ApiErrorSerializer
from plans import selectors, services
from plans.api.serializers import (
    AccountPlanSerializer,
    ActionItemSerializer,
    ActivitySerializer,
    ContactPlanEntrySerializer,
    DevelopmentProposalSerializer,
    PlanReturnSerializer,
    PlanReviewSerializer,
    PlanReviewWriteSerializer,
    RelationshipLinkSerializer,
    SalesThemeSerializer,
    TimeAllocationSerializer,
    VisitCheckedInSerializer,
    VisitCheckInSerializer,
    VisitSerializer,
    as_api_error,
)
from plans.domain.time_allocation import default_period
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
from plans.permissions import can_approve
from tiering.selectors import strategy_for


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


class AccountPlanViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Account plans of the accounts the caller may see. The status moves only by the
    `submit`, `approve` and `return` actions (approval: the owner's manager or a director, never
    the owner; a submitted or approved plan cannot be changed: 409)."""

    serializer_class = AccountPlanSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "plans"
    queryset = AccountPlan.objects.none()
    filterset_fields = ["account", "period", "status", "owner"]

    def get_queryset(self):  # noqa: ANN201
        return AccountPlan.objects.visible_to(self.request.user).select_related("account", "owner__team")

    def perform_create(self, serializer: AccountPlanSerializer) -> None:
        data = dict(serializer.validated_data)
        account, user = data.pop("account"), self.request.user
        # A plan is a person's work: one pushed by an integration belongs to the account's owner.
        owner = account.owner if user.is_integration else user
        if owner is None:
            raise as_api_error(ValidationError({"account": [_("The account has no owner to write its plan.")]}))
        try:
            serializer.instance = services.plan_create(account=account, data=data, owner=owner)
        except ValidationError as error:
            raise as_api_error(error) from None

    def perform_update(self, serializer: AccountPlanSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("account", None)  # a plan stays with its account
        try:
            serializer.instance = services.plan_update(plan=serializer.instance, data=data)
        except ValidationError as error:
            raise as_api_error(error) from None

    @extend_schema(request=None, responses=AccountPlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        plan = services.plan_submit(plan=self.get_object(), user=request.user)
        return Response(self.get_serializer(plan).data)

    @extend_schema(request=None, responses=AccountPlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        tier = plan.account.tier
        plan = services.plan_approve(plan=plan, user=request.user, tier=tier, strategy=strategy_for(tier))
        return Response(self.get_serializer(plan).data)

    @extend_schema(request=PlanReturnSerializer, responses=AccountPlanSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        body = PlanReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            plan = services.plan_return(plan=plan, user=request.user, comment=body.validated_data["comment"])
        except ValidationError as error:
            raise as_api_error(error) from None
        return Response(self.get_serializer(plan).data)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=PlanReviewSerializer(many=True),
        description="The plan's monthly PDCA reviews, newest month first.",
    )
    @extend_schema(
        methods=["POST"],
        request=PlanReviewWriteSerializer,
        responses={200: PlanReviewSerializer},
        description="Write (or replace) the month's review with `notes`, as on the plan's page (anyone who "
        "sees the plan), and/or the manager's comment on it with `manager_comment`: only the owner's "
        "manager or a director (403), and only on a review that exists (400).",
    )
    @action(detail=True, methods=["get", "post"])
    def reviews(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        if request.method == "GET":
            reviews = plan.reviews.select_related("author").order_by("-month", "-id")
            return Response(PlanReviewSerializer(reviews, many=True, context=self.get_serializer_context()).data)
        body = PlanReviewWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        month = data["month"].replace(day=1)
        # The comment's permission first: a refused request changes nothing, notes included.
        if "manager_comment" in data and not can_approve(request.user, plan):
            raise PermissionDenied(_("Only the owner's manager or a director may comment on this review."))
        with transaction.atomic():
            if "notes" in data:
                review = services.review_save(plan=plan, month=month, notes=data["notes"], author=request.user)
            else:
                review = PlanReview.objects.filter(plan=plan, month=month).first()
                if review is None:
                    raise as_api_error(ValidationError({"month": [_("There is no review for this month yet.")]}))
            if "manager_comment" in data:
                review = services.review_comment(review=review, user=request.user, comment=data["manager_comment"])
        return Response(PlanReviewSerializer(review, context=self.get_serializer_context()).data)


class ActionItemViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The action plans' lines, with `overdue` computed."""

    serializer_class = ActionItemSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "plans"
    queryset = ActionItem.objects.none()
    filterset_fields = ["plan", "account", "owner", "status"]

    def get_queryset(self):  # noqa: ANN201
        return ActionItem.objects.visible_to(self.request.user)

    def perform_create(self, serializer: ActionItemSerializer) -> None:
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.action_create(plan=data.pop("plan"), data=data)
        except ValidationError as error:
            raise as_api_error(error) from None

    def perform_update(self, serializer: ActionItemSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("plan", None)
        try:
            serializer.instance = services.action_update(item=serializer.instance, data=data)
        except ValidationError as error:
            raise as_api_error(error) from None


class ContactPlanViewSet(viewsets.ModelViewSet):
    """The contact plans (客户接触计划) of the accounts the caller may see, with contacts so far,
    last and next contact and overdue computed from activities."""

    serializer_class = ContactPlanEntrySerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "plans"
    queryset = ContactPlanEntry.objects.none()
    filterset_fields = ["account", "contact", "owner"]

    def get_queryset(self):  # noqa: ANN201
        return ContactPlanEntry.objects.visible_to(self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        entries = ContactPlanEntry.objects.filter(pk__in=[entry.pk for entry in page])
        rows = {row.entry.pk: row for row in selectors.contact_plan_rows(entries=entries)}
        serializer = self.get_serializer(page, many=True, context={**self.get_serializer_context(), "rows": rows})
        return self.get_paginated_response(serializer.data)

    def perform_create(self, serializer: ContactPlanEntrySerializer) -> None:
        try:
            serializer.instance = services.contact_plan_add(**serializer.validated_data)
        except ValidationError as error:
            raise as_api_error(error) from None

    def perform_update(self, serializer: ContactPlanEntrySerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("contact", None)  # an entry stays with its contact
        try:
            serializer.instance = services.contact_plan_update(entry=serializer.instance, data=data)
        except ValidationError as error:
            raise as_api_error(error) from None

    def perform_destroy(self, instance: ContactPlanEntry) -> None:
        services.contact_plan_remove(entry=instance)  # leaves a tombstone for syncing clients


class RelationshipViewSet(viewsets.ModelViewSet):
    """Relationship coverage (the zipper's cells): how well each of our people knows each of the
    account's people. A POST for a pair that has a link changes it (one link per pair)."""

    serializer_class = RelationshipLinkSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "plans"
    queryset = RelationshipLink.objects.none()
    filterset_fields = ["account", "contact", "user", "strength"]

    def get_queryset(self):  # noqa: ANN201
        return RelationshipLink.objects.visible_to(self.request.user)

    def perform_create(self, serializer: RelationshipLinkSerializer) -> None:
        try:
            serializer.instance = services.relationship_set(**serializer.validated_data)
        except ValidationError as error:
            raise as_api_error(error) from None

    def perform_update(self, serializer: RelationshipLinkSerializer) -> None:
        link = serializer.instance
        data = {"contact": link.contact, "user": link.user, "strength": link.strength, **serializer.validated_data}
        try:
            serializer.instance = services.relationship_set(**data)
        except ValidationError as error:
            raise as_api_error(error) from None

    def perform_destroy(self, instance: RelationshipLink) -> None:
        services.relationship_delete(link=instance)  # leaves a tombstone for syncing clients


class VisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Visits planned, done (with their record, an activity) and skipped, of the accounts the
    caller may see. They are planned by the daily job and checked in from the app or here."""

    serializer_class = VisitSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "plans"
    queryset = Visit.objects.none()
    filterset_fields = ["account", "owner", "status", "planned_on"]

    def get_queryset(self):  # noqa: ANN201
        return Visit.objects.visible_to(self.request.user)

    @extend_schema(
        request=VisitCheckInSerializer,
        responses={200: VisitCheckedInSerializer},
        description="Check in at a planned visit (外勤签到), the same as the page: the visit becomes done "
        "and its record a visit activity with the contacts met and the caller. The position is optional: "
        "without one the check-in works and `located` is false. A visit not planned any more, half a "
        "position or a time in the future: 400. Needs plans:write and activities:write; a person's "
        "token only (an integration user cannot check in: 403).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="check-in",
        permission_classes=[IsAuthenticated, ResourceScope, require_scope("activities:write")],
    )
    def check_in(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        if request.user.is_integration:
            raise PermissionDenied(_("A check-in is made by a person in the field."))
        body = VisitCheckInSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        try:
            visit = services.visit_check_in(
                visit=visit,
                user=request.user,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                contacts=data.get("contacts", []),
                duration_minutes=data.get("duration_minutes"),
                notes=data.get("notes", ""),
                outcome=data.get("outcome", ""),
                at=data.get("checked_in_at"),
            )
        except ValidationError as error:
            raise as_api_error(error) from None
        return Response(VisitCheckedInSerializer(visit, context=self.get_serializer_context()).data)


class SalesThemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Sales themes (problem → feature → benefit → proof) of the accounts the caller may see."""

    serializer_class = SalesThemeSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "plans"
    queryset = SalesTheme.objects.none()
    filterset_fields = ["account", "source"]

    def get_queryset(self):  # noqa: ANN201
        return SalesTheme.objects.visible_to(self.request.user)


class DevelopmentProposalViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Key-account development proposals of the accounts the caller may see, with their computed
    figures. Created for a potential key account only (a possible or normal account with
    key-account potential: 400 otherwise). The status moves only by `submit`, `approve` and
    `return`, as an account plan's (approval: the owner's manager or a director, never the owner;
    a submitted or approved proposal cannot be changed: 409)."""

    serializer_class = DevelopmentProposalSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "proposals"
    queryset = DevelopmentProposal.objects.none()
    filterset_fields = ["account", "status", "owner", "risk"]

    def get_queryset(self):  # noqa: ANN201
        return DevelopmentProposal.objects.visible_to(self.request.user).select_related("account", "owner__team")

    def perform_create(self, serializer: DevelopmentProposalSerializer) -> None:
        data = dict(serializer.validated_data)
        account, user = data.pop("account"), self.request.user
        # A proposal is a person's work: one pushed by an integration belongs to the account's owner.
        owner = account.owner if user.is_integration else user
        try:
            serializer.instance = services.proposal_create(
                account=account, data=data, owner=owner, eligible=selectors.proposal_eligibility(account=account)
            )
        except ValidationError as error:
            raise as_api_error(error) from None

    def perform_update(self, serializer: DevelopmentProposalSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("account", None)  # a proposal stays with its account
        try:
            serializer.instance = services.proposal_update(proposal=serializer.instance, data=data)
        except ValidationError as error:
            raise as_api_error(error) from None

    @extend_schema(request=None, responses=DevelopmentProposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        proposal = services.proposal_submit(proposal=self.get_object(), user=request.user)
        return Response(self.get_serializer(proposal).data)

    @extend_schema(request=None, responses=DevelopmentProposalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        proposal = services.proposal_approve(proposal=self.get_object(), user=request.user)
        return Response(self.get_serializer(proposal).data)

    @extend_schema(request=PlanReturnSerializer, responses=DevelopmentProposalSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        body = PlanReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            proposal = services.proposal_return(
                proposal=proposal, user=request.user, comment=body.validated_data["comment"]
            )
        except ValidationError as error:
            raise as_api_error(error) from None
        return Response(self.get_serializer(proposal).data)


class TimeAllocationView(APIView):
    """Activity time per account category against the guideline (key ~10% of the accounts, 60%
    of the time; normal 30%/30%; possible 60%/10%), in all, per team and per rep, for a period.
    `owner` (username) or `team` (id) narrows it; a rep or team the caller may not see: 404."""

    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "activities"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, description="2026 (a year), 2026-Q2 (a quarter) or 2026-03 (a month)."
            ),
            OpenApiParameter("owner", OpenApiTypes.STR, description="A rep's username."),
            OpenApiParameter("team", OpenApiTypes.INT, description="A team's id."),
        ],
        responses={
            200: TimeAllocationSerializer,
            404: OpenApiResponse(ApiErrorSerializer, "The rep or team does not exist or is not visible to the caller."),
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        scope = selectors.allocation_scope(user=request.user, owner=params.get("owner"), team=params.get("team"))
        period = params.get("period") or default_period(timezone.localdate())
        try:
            report = selectors.time_allocation(user=request.user, period=period, scope=scope)
        except ValueError:
            raise as_api_error(
                ValidationError({"period": [_("A period is a year (2026), a quarter (2026-Q2) or a month (2026-03).")]})
            ) from None
        return Response(TimeAllocationSerializer(report).data)
