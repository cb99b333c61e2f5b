"""Pages of the ERP integration (token management, webhooks, spreadsheet import)."""

from django.urls import path  # noqa: F401 - patterns are added by the integration features

app_name = "integrations"

urlpatterns: list = []
