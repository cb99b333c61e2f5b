"""The plans app's webhook events. `plan.overdue` is declared now so that ERP systems can
subscribe early; the plans feature emits it (with integrations.events.event_emit)."""

from django.utils.translation import gettext_lazy as _

from integrations.events import event_type_register

PLAN_OVERDUE = event_type_register(name="plan.overdue", label=_("Account plan overdue"), app="plans")
