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
        ("orders:read", _("Read orders")),
        ("orders:write", _("Write orders")),
        ("invoices:read", _("Read invoices")),
        ("invoices:write", _("Write invoices")),
        ("payments:read", _("Read payments")),
        ("payments:write", _("Write payments")),
    ],
)
