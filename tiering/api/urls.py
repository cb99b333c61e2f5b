from django.urls import path
from rest_framework.routers import DefaultRouter

from tiering.api import views

router = DefaultRouter()
router.register("scores", views.ScoreViewSet, basename="score")
router.register("tier-changes", views.TierChangeViewSet, basename="tier-change")
router.register("runs", views.RunViewSet, basename="run")

urlpatterns = [path("matrix/", views.matrix, name="tier-matrix"), *router.urls]
