from rest_framework.routers import DefaultRouter

from accounts.api.views import AccountViewSet, ContactViewSet, TeamMemberViewSet

router = DefaultRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("team-members", TeamMemberViewSet, basename="team-member")

urlpatterns = router.urls
