from django.apps import AppConfig


class FunnelConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "funnel"

    def ready(self) -> None:
        from funnel import bulk, events  # noqa: F401 - declares the webhook event type and the bulk collection
