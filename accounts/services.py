"""Writes to the accounts domain. Views, serializers and tasks call these."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.models import Account, Contact, ContactRoleHistory
from kam.errors import Conflict

# A change to any of these means the person moved: the old role is kept in the history.
ROLE_FIELDS = ("account_id", "title", "department", "buying_role")


class AccountHasSubsidiaries(Conflict):
    """The account is the parent of other accounts (a group): they must move or go first."""


@transaction.atomic
def account_delete(*, account: Account) -> None:
    """Delete an account with everything it owns (contacts, team, orders, scores…).

    Who may delete is the caller's check (accounts.permissions.can_delete_accounts).
    AccountHasSubsidiaries (a Conflict; the API answers 409): it heads a group; nothing is deleted.
    """
    try:
        with transaction.atomic():  # a savepoint, so the refusal leaves the outer transaction usable
            account.delete()
    except ProtectedError:
        raise AccountHasSubsidiaries(_("This account has subsidiaries; move or delete them first.")) from None


@transaction.atomic
def contact_create(*, data: dict) -> Contact:
    """A new contact from field values (`account` and `reports_to` as instances).

    ValidationError names the field at fault, e.g. `reports_to` of another account (Contact.clean).
    """
    contact = Contact(**data)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, data: dict) -> Contact:
    """Update a contact, keeping the role they held before if they moved.

    ValidationError names the field at fault, e.g. `reports_to` of another account (Contact.clean).
    """
    before = Contact.objects.select_for_update().get(pk=contact.pk)
    for field, value in data.items():
        setattr(contact, field, value)
    contact.full_clean()
    if any(getattr(before, f) != getattr(contact, f) for f in ROLE_FIELDS):
        ContactRoleHistory.objects.create(
            contact=contact,
            account_id=before.account_id,
            title=before.title,
            department=before.department,
            buying_role=before.buying_role,
        )
    contact.save()
    return contact
