from rest_framework.routers import DefaultRouter

from accounts.api.views import (
    AccountViewSet,
    ContactViewSet,
    DeletionViewSet,
    InvoiceViewSet,
    OrderViewSet,
    PaymentViewSet,
    TeamMemberViewSet,
)

router = DefaultRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("team-members", TeamMemberViewSet, basename="team-member")
router.register("orders", OrderViewSet, basename="order")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")
router.register("deletions", DeletionViewSet, basename="deletion")

urlpatterns = router.urls
