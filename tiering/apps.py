from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TieringConfig(AppConfig):
    verbose_name = _("Tiering")
    default_auto_field = "django.db.models.BigAutoField"
    name = "tiering"

    def ready(self) -> None:
        from tiering import events  # noqa: F401 - declares tiering's webhook event types
