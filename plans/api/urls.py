"""API routes of the plans app, mounted under /api/v1/ (bulk upserts are integrations')."""

from rest_framework.routers import SimpleRouter

from plans.api.views import (
    AccountPlanViewSet,
    ActionItemViewSet,
    ActivityViewSet,
    ContactPlanViewSet,
    RelationshipViewSet,
    SalesThemeViewSet,
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

urlpatterns = router.urls
