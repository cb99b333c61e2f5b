"""API routes of the plans app, mounted under /api/v1/ (bulk upserts are integrations')."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from plans.api.views import (
    AccountPlanViewSet,
    ActionItemViewSet,
    ActivityViewSet,
    ContactPlanViewSet,
    DevelopmentProposalViewSet,
    RelationshipViewSet,
    SalesThemeViewSet,
    TimeAllocationView,
    VisitViewSet,
)

router = SimpleRouter()
router.register("activities", ActivityViewSet, basename="activity")
router.register("account-plans", AccountPlanViewSet, basename="account-plan")
router.register("actions", ActionItemViewSet, basename="action-item")
router.register("contact-plan", ContactPlanViewSet, basename="contact-plan")
router.register("relationships", RelationshipViewSet, basename="relationship")
router.register("visits", VisitViewSet, basename="visit")
router.register("sales-themes", SalesThemeViewSet, basename="sales-theme")
router.register("development-proposals", DevelopmentProposalViewSet, basename="development-proposal")

urlpatterns = [
    *router.urls,
    path("time-allocation/", TimeAllocationView.as_view(), name="time-allocation"),
]
