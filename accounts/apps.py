from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from accounts import events  # noqa: F401 - declares the app's webhook event types
        from accounts.deletion_kinds import deletion_kind_register
        from accounts.models import Account, AccountTeamMember, Contact, DeletedRecord, Invoice, Order, Payment

        # The collections whose deletions the feed lists, and the scope that reads each.
        kinds = DeletedRecord.Kind
        for kind, model, scope in [
            (kinds.ACCOUNT, Account, "accounts:read"),
            (kinds.CONTACT, Contact, "contacts:read"),
            (kinds.TEAM_MEMBER, AccountTeamMember, "accounts:read"),
            (kinds.ORDER, Order, "orders:read"),
            (kinds.INVOICE, Invoice, "invoices:read"),
            (kinds.PAYMENT, Payment, "payments:read"),
        ]:
            deletion_kind_register(kind=kind.value, label=kind.label, model=model, scope=scope)
