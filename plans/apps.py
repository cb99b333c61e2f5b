from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"

    def ready(self) -> None:
        from plans import bulk, events  # noqa: F401 - declare the app's webhook events and bulk collection
