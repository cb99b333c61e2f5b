"""Writes to the accounts domain. Views, serializers and tasks call these."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Contact, ContactRoleHistory

# A change to any of these means the person moved: the old role is kept in the history.
ROLE_FIELDS = ("account_id", "title", "department", "buying_role")


@transaction.atomic
def contact_update(*, contact: Contact, data: dict) -> Contact:
    """Update a contact, keeping the role they held before if they moved."""
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
