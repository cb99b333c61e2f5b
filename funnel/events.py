"""The funnel app's webhook events. `opportunity.stage_changed` is declared now so that ERP
systems can subscribe early; the funnel feature emits it (with integrations.events.event_emit)."""

from django.utils.translation import gettext_lazy as _

from integrations.events import event_type_register

OPPORTUNITY_STAGE_CHANGED = event_type_register(
    name="opportunity.stage_changed", label=_("Opportunity stage changed"), app="funnel"
)
