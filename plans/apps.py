from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"

    def ready(self) -> None:
        from plans import events  # noqa: F401 - declares the app's webhook event types
