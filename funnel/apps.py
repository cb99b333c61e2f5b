from django.apps import AppConfig


class FunnelConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "funnel"

    def ready(self) -> None:
        from funnel import events  # noqa: F401 - declares the app's webhook event types
