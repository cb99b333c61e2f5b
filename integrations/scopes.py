"""The API token scopes of the integrations app (see kam/scopes.py)."""

from django.utils.translation import gettext_lazy as _

from kam.scopes import declare

declare(
    app="integrations",
    scopes=[("webhooks:write", _("Manage webhook subscriptions and their deliveries"))],
)
