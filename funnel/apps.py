from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FunnelConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "funnel"

    def ready(self) -> None:
        from accounts.deletion_kinds import deletion_kind_register
        from funnel import bulk, events  # noqa: F401 - declares the webhook event type and the bulk collection
        from funnel.models import Opportunity
        from integrations.spreadsheets import spreadsheet_kind_register

        spreadsheet_kind_register(collection="opportunities", label=_("Opportunities"))

        # Opportunities go only with their account (`account.deleted`); the deletions feed lists them.
        deletion_kind_register(
            kind="opportunity", label=Opportunity._meta.verbose_name, model=Opportunity, scope="opportunities:read"
        )
