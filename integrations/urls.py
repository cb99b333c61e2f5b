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

# Spreadsheet import and export (anyone who uses the pages, of what they can see).
from integrations import spreadsheet_views  # noqa: E402

urlpatterns += [
    path("import/", spreadsheet_views.import_upload, name="import"),
    path("import/<int:pk>/", spreadsheet_views.import_batch, name="import_batch"),
    path("import/<int:pk>/confirm/", spreadsheet_views.import_batch_confirm, name="import_confirm"),
    path("export/<slug:kind>.<slug:fmt>", spreadsheet_views.export, name="export"),
]
