"""Writes to the accounts domain. Views, serializers and tasks call these."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import events
from accounts.deletion_kinds import deletion_kind_for, deletion_kinds
from accounts.models import (
    Account,
    AccountTeamMember,
    Contact,
    ContactRoleHistory,
    DeletedRecord,
    User,
)
from kam.errors import Conflict

# A change to any of these means the person moved: the old role is kept in the history.
ROLE_FIELDS = ("account_id", "title", "department", "buying_role")


class AccountHasSubsidiaries(Conflict):
    """The account is the parent of other accounts (a group): they must move or go first."""


@transaction.atomic
def account_delete(*, account: Account) -> DeletedRecord:
    """Delete an account with everything it owns (contacts, team, orders, scores…), leaving a
    tombstone for it and for each row of a registered kind deleted with it (contacts, team
    members, orders, invoices, payments, and the kinds other apps register: accounts.deletion_kinds),
    the deletions feed, and emit `account.deleted`. Returns the account's tombstone.

    Who may delete is the caller's check (accounts.permissions.can_delete_accounts).
    AccountHasSubsidiaries (a Conflict; the API answers 409): it heads a group; nothing is
    deleted, recorded or announced.
    """
    try:
        with transaction.atomic():  # a savepoint, so the refusal leaves the outer transaction usable
            tombstone, cascaded = deleted_records_write(instance=account)
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


def deleted_records_write(
    *, instance: models.Model, deleted_at: datetime | None = None
) -> tuple[DeletedRecord | None, dict[str, int]]:
    """Tombstones for `instance`, about to be deleted, and for every row of a registered kind
    (accounts.deletion_kinds) its deletion cascades to: the rows whose foreign key to it is
    `on_delete=CASCADE` (an account's contacts, orders, activities…; a contact's contact-plan
    entries; a person's relationship links). Call it in the transaction that deletes, before
    the delete. Returns (the instance's tombstone, None if its model is no registered kind;
    {kind: rows recorded} for every registered kind that could cascade, zeros included).

    A tombstone keeps the account's owner at this moment (who still sees it once the account is
    gone) and the row's ERP id when its model has one. One INSERT … SELECT per kind: an account
    may have 100,000 orders, never recorded row by row."""
    deleted_at = deleted_at or timezone.now()
    model = instance._meta.concrete_model
    tombstone = None
    kind = deletion_kind_for(model)
    if kind is not None:
        account_id = instance.pk if model is Account else instance.account_id
        tombstone = DeletedRecord.objects.create(
            kind=kind.kind,
            object_id=instance.pk,
            external_id=getattr(instance, "external_id", None) if kind.has_external_id else None,
            account_id=account_id,
            owner_id=Account.objects.filter(pk=account_id).values_list("owner_id", flat=True).first(),
            deleted_at=deleted_at,
        )
    return tombstone, _cascaded_write(model=model, pk=instance.pk, deleted_at=deleted_at)


def _cascaded_write(*, model: type[models.Model], pk: int, deleted_at: datetime) -> dict[str, int]:
    table = connection.ops.quote_name(DeletedRecord._meta.db_table)
    accounts = connection.ops.quote_name(Account._meta.db_table)
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for kind in deletion_kinds():
            keys = [
                field.column
                for field in kind.model._meta.concrete_fields
                if field.many_to_one
                and field.related_model._meta.concrete_model is model
                and field.remote_field.on_delete is models.CASCADE
            ]
            if not keys or kind.model is Account:  # an account goes by itself (a subsidiary is PROTECTed)
                continue
            source = connection.ops.quote_name(kind.model._meta.db_table)
            external_id = "t.external_id" if kind.has_external_id else "NULL"
            where = " OR ".join(f"t.{connection.ops.quote_name(key)} = %s" for key in keys)
            cursor.execute(
                f"INSERT INTO {table} (kind, object_id, external_id, account_id, owner_id, deleted_at) "  # noqa: S608 - identifiers only
                f"SELECT %s, t.id, {external_id}, t.account_id, a.owner_id, %s FROM {source} t "
                f"JOIN {accounts} a ON a.id = t.account_id WHERE {where}",
                [kind.kind, deleted_at, *([pk] * len(keys))],
            )
            counts[kind.kind] = cursor.rowcount
    return counts


def contact_delete(*, contact: Contact) -> DeletedRecord:
    """Delete a contact, leaving a tombstone, and emit `contact.deleted`. Returns the tombstone."""
    with transaction.atomic():
        tombstone, _cascaded = deleted_records_write(instance=contact)  # and its contact-plan entries, links…
        contact.delete()
        events.contact_deleted_emit(tombstone=tombstone)
    return tombstone


def team_member_delete(*, member: AccountTeamMember) -> DeletedRecord:
    """Take a person off an account team, leaving a tombstone. Returns the tombstone."""
    with transaction.atomic():
        tombstone, _cascaded = deleted_records_write(instance=member)
        member.delete()
    return tombstone


@transaction.atomic
def user_make_director(*, username: str, email: str | None = None, password: str | None = None) -> tuple[User, bool]:
    """Create the director `username`, or promote the existing user of that name.

    A director sees every account and may use the Django admin (`is_staff`), as DOMAIN.md's roles
    say. `password` is checked by AUTH_PASSWORD_VALIDATORS; it is required for a new user and, for
    an existing one, replaces the password only when given. `email` replaces the address when
    given. Returns `(user, created)`. Raises ValidationError for a refused password or an
    integration (API-only) user, who may not become a person with pages.
    """
    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    if created:
        if not password:
            raise ValidationError(_("A new director needs a password."), code="password_required")
        user = User(username=username)
    elif user.is_integration:
        raise ValidationError(_("%(username)s is an API-only integration user.") % {"username": username})
    user.role = User.Role.DIRECTOR
    user.is_staff = True
    user.is_active = True
    if email is not None:
        user.email = email
    if password:
        password_validation.validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    return user, created
