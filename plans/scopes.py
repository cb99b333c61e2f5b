"""The API token scopes of the plans app (see kam/scopes.py)."""

from django.utils.translation import gettext_lazy as _

from kam.scopes import declare

declare(
    app="plans",
    scopes=[
        ("activities:read", _("Read activities")),
        ("activities:write", _("Create, change and delete activities")),
        ("plans:read", _("Read account, action and contact plans")),
        ("plans:write", _("Create and change account, action and contact plans")),
        ("proposals:read", _("Read key-account development proposals")),
        ("proposals:write", _("Create, change, submit and decide key-account development proposals")),
    ],
)
