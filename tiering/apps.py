from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TieringConfig(AppConfig):
    verbose_name = _("Tiering")
    default_auto_field = "django.db.models.BigAutoField"
    name = "tiering"

    def ready(self) -> None:
        from accounts.deletion_kinds import deletion_kind_register
        from tiering import events  # noqa: F401 - declares tiering's webhook event types
        from tiering.models import AccountScore, TierChange

        # Scores and tier changes go only with their account; the deletions feed lists them.
        deletion_kind_register(kind="score", label=_("Score"), model=AccountScore, scope="scores:read")
        deletion_kind_register(kind="tier_change", label=_("Tier change"), model=TierChange, scope="scores:read")
