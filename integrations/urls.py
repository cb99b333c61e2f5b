"""Pages of the ERP integration (token management, webhooks, spreadsheet import)."""

from django.urls import path  # noqa: F401 - patterns are added by the integration features

app_name = "integrations"

urlpatterns: list = []

# Outgoing webhooks (directors only).
from integrations import webhook_views  # noqa: E402 - appended per feature to keep merges simple

urlpatterns += [
    path("webhooks/", webhook_views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/toggle/", webhook_views.webhook_toggle, name="webhook_toggle"),
    path("webhooks/<int:pk>/delete/", webhook_views.webhook_delete, name="webhook_delete"),
    path("webhooks/deliveries/", webhook_views.deliveries, name="webhook_deliveries"),
    path("webhooks/deliveries/<int:pk>/redeliver/", webhook_views.delivery_redeliver, name="webhook_redeliver"),
]
