"""API routes of the plans app, mounted under /api/v1/ (bulk upserts are integrations')."""

from rest_framework.routers import SimpleRouter

from plans.api.views import ActivityViewSet

router = SimpleRouter()
router.register("activities", ActivityViewSet, basename="activity")

urlpatterns = router.urls
