"""The API token scopes of the tiering app (see kam/scopes.py)."""

from django.utils.translation import gettext_lazy as _

from kam.scopes import declare

declare(
    app="tiering",
    scopes=[
        ("scores:read", _("Read scores, tiers, tier changes and the matrix")),
        ("runs:read", _("Read scoring runs")),
        ("runs:write", _("Start scoring runs")),
    ],
)
