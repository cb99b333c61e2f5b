"""The API token scopes of the funnel app (see kam/scopes.py)."""

from django.utils.translation import gettext_lazy as _

from kam.scopes import declare

declare(
    app="funnel",
    scopes=[
        ("opportunities:read", _("Read opportunities and their stage history")),
        ("opportunities:write", _("Create and change opportunities")),
        ("forecast:read", _("Read forecasts and forecast accuracy")),
    ],
)
