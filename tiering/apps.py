from django.apps import AppConfig


class TieringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tiering"

    def ready(self) -> None:
        from tiering import events  # noqa: F401 - declares tiering's webhook event types
