"""The funnel's API, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from funnel.api import views

router = SimpleRouter()
router.register("opportunities", views.OpportunityViewSet, basename="opportunity")

urlpatterns = [
    path("forecast/", views.forecast, name="forecast"),
    path("forecast/accuracy/", views.forecast_accuracy, name="forecast-accuracy"),
    *router.urls,
]
