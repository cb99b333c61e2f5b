"""Writes to the accounts domain. Views, serializers and tasks call these."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events
from accounts.models import (
    Account,
    AccountTeamMember,
    Contact,
    ContactRoleHistory,
    DeletedRecord,
    Invoice,
    Order,
    Payment,
)
from kam.errors import Conflict

# A change to any of these means the person moved: the old role is kept in the history.
ROLE_FIELDS = ("account_id", "title", "department", "buying_role")


class AccountHasSubsidiaries(Conflict):
    """The account is the parent of other accounts (a group): they must move or go first."""


@transaction.atomic
def account_delete(*, account: Account) -> DeletedRecord:
    """Delete an account with everything it owns (contacts, team, orders, scores…), leaving a
    tombstone for it and for each contact, team member, order, invoice and payment deleted with
    it (the deletions feed), and emit `account.deleted`. Returns the account's tombstone.

    Who may delete is the caller's check (accounts.permissions.can_delete_accounts).
    AccountHasSubsidiaries (a Conflict; the API answers 409): it heads a group; nothing is
    deleted, recorded or announced.
    """
    try:
        with transaction.atomic():  # a savepoint, so the refusal leaves the outer transaction usable
            deleted_at = timezone.now()
            cascaded = _tombstone_children(account=account, deleted_at=deleted_at)
            tombstone = DeletedRecord.objects.create(
                kind=DeletedRecord.Kind.ACCOUNT,
                object_id=account.pk,
                external_id=account.external_id,
                account_id=account.pk,
                owner_id=account.owner_id,
                deleted_at=deleted_at,
            )
            account.delete()
    except ProtectedError:
        raise AccountHasSubsidiaries(_("This account has subsidiaries; move or delete them first.")) from None
    events.account_deleted_emit(tombstone=tombstone, cascaded=cascaded)
    return tombstone


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


# Records deleted with an account, recorded as tombstones: kind -> (model, has an ERP id).
CASCADED_KINDS: dict[str, tuple[type[models.Model], bool]] = {
    DeletedRecord.Kind.CONTACT: (Contact, True),
    DeletedRecord.Kind.TEAM_MEMBER: (AccountTeamMember, False),
    DeletedRecord.Kind.ORDER: (Order, True),
    DeletedRecord.Kind.INVOICE: (Invoice, True),
    DeletedRecord.Kind.PAYMENT: (Payment, True),
}


def _tombstone_children(*, account: Account, deleted_at: datetime) -> dict[str, int]:
    """One INSERT … SELECT per kind (an account may have 100,000 orders: never row by row).
    Returns the number of tombstones written per kind."""
    table = connection.ops.quote_name(DeletedRecord._meta.db_table)
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for kind, (model, has_external_id) in CASCADED_KINDS.items():
            source = connection.ops.quote_name(model._meta.db_table)
            external_id = "external_id" if has_external_id else "NULL"
            cursor.execute(
                f"INSERT INTO {table} (kind, object_id, external_id, account_id, owner_id, deleted_at) "  # noqa: S608 - identifiers only
                f"SELECT %s, id, {external_id}, account_id, %s, %s FROM {source} WHERE account_id = %s",
                [str(kind), account.owner_id, deleted_at, account.pk],
            )
            counts[str(kind)] = cursor.rowcount
    return counts


def contact_delete(*, contact: Contact) -> DeletedRecord:
    """Delete a contact, leaving a tombstone, and emit `contact.deleted`. Returns the tombstone."""
    with transaction.atomic():
        tombstone = DeletedRecord.objects.create(
            kind=DeletedRecord.Kind.CONTACT,
            object_id=contact.pk,
            external_id=contact.external_id,
            account_id=contact.account_id,
            owner_id=Account.objects.filter(pk=contact.account_id).values_list("owner_id", flat=True).first(),
        )
        contact.delete()
        events.contact_deleted_emit(tombstone=tombstone)
    return tombstone


def team_member_delete(*, member: AccountTeamMember) -> DeletedRecord:
    """Take a person off an account team, leaving a tombstone. Returns the tombstone."""
    with transaction.atomic():
        tombstone = DeletedRecord.objects.create(
            kind=DeletedRecord.Kind.TEAM_MEMBER,
            object_id=member.pk,
            account_id=member.account_id,
            owner_id=Account.objects.filter(pk=member.account_id).values_list("owner_id", flat=True).first(),
        )
        member.delete()
    return tombstone
