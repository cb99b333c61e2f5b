"""API routes of the ERP integration (bulk upserts, webhooks), mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations.api import webhook_views
from integrations.api.bulk_views import BULK_VIEWS

router = SimpleRouter()  # the API root page is the accounts router's

router.register("webhooks", webhook_views.WebhookSubscriptionViewSet, basename="webhook")
router.register("webhook-deliveries", webhook_views.WebhookDeliveryViewSet, basename="webhook-delivery")

# Bulk upserts: accounts/bulk/, contacts/bulk/, orders/bulk/, invoices/bulk/, payments/bulk/.
bulk_urlpatterns = [
    path(f"{collection}/bulk/", view.as_view(), name=f"{collection}-bulk") for collection, view in BULK_VIEWS.items()
]

urlpatterns: list = [*bulk_urlpatterns, *router.urls]
