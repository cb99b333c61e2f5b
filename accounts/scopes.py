"""The API token scopes of the accounts app (see kam/scopes.py)."""

from django.utils.translation import gettext_lazy as _

from kam.scopes import declare

declare(
    app="accounts",
    scopes=[
        ("accounts:read", _("Read accounts and their teams")),
        ("accounts:write", _("Create, change and delete accounts")),
        ("contacts:read", _("Read contacts")),
        ("contacts:write", _("Create, change and delete contacts")),
        ("orders:write", _("Write orders")),
        ("invoices:write", _("Write invoices")),
        ("payments:write", _("Write payments")),
    ],
)
