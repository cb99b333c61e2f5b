"""Writes of the plans app. Views, API serializers and tasks call these; each runs in its own
transaction, and events are emitted after commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import Account, Contact, User
from plans.domain.contacts import local_day
from plans.models import Activity

# How far in the future an activity may be logged: clocks differ a little, plans are not activities.
FUTURE_SLACK = timedelta(minutes=10)

ACTIVITY_FIELDS = ("type", "occurred_at", "duration_minutes", "notes", "outcome", "external_id")


# --- contacts ---------------------------------------------------------------------------------


def contact_add(*, account: Account, data: dict) -> Contact:
    """A new contact of `account` (field values as ContactForm gives them).
    ValidationError names the field at fault (e.g. `reports_to` of another account)."""
    return account_services.contact_create(data={**data, "account": account})


def contact_edit(*, contact: Contact, data: dict) -> Contact:
    """Change a contact's details; a change of title, department or buying role keeps the role
    held before in the history (accounts.services.contact_update)."""
    return account_services.contact_update(contact=contact, data=data)


def contact_move(*, contact: Contact, account: Account, title: str, department: str, buying_role: str) -> Contact:
    """The person took another job (at `account`, which may be the same one): the past role is
    kept in the history, the reporting line is cleared (their boss stays behind)."""
    data = {"account": account, "title": title, "department": department, "buying_role": buying_role}
    if account.pk != contact.account_id:
        data["reports_to"] = None
    return account_services.contact_update(contact=contact, data=data)


def contact_mark_left(*, contact: Contact) -> Contact:
    """The person left the account: inactive (kept for history, no longer on the org chart or
    in contact plans), nobody reports to them any more."""
    with transaction.atomic():
        Contact.objects.filter(reports_to=contact).update(reports_to=None, updated_at=timezone.now())
        return account_services.contact_update(contact=contact, data={"is_active": False})


# --- activities -------------------------------------------------------------------------------


def _check_activity(*, account: Account, data: dict, contacts: Iterable[Contact]) -> None:
    errors: dict[str, list[str]] = {}
    occurred_at = data.get("occurred_at")
    if occurred_at is not None and occurred_at > timezone.now() + FUTURE_SLACK:
        errors["occurred_at"] = [_("An activity is logged once it happened; plan future work as a visit or action.")]
    if any(contact.account_id != account.pk for contact in contacts):
        errors["contacts"] = [_("Every contact must belong to the activity's account.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_create(
    *,
    account: Account,
    data: dict,
    contacts: Iterable[Contact] = (),
    participants: Iterable[User] = (),
    created_by: User | None = None,
) -> Activity:
    """Log an activity (`data`: type, occurred_at (aware), duration_minutes, notes, outcome,
    external_id) with contacts of `account` and our participants; the contacts' last-contacted
    days follow. ValidationError names the field at fault (a contact of another account, a
    moment in the future)."""
    contacts, participants = list(contacts), list(participants)
    _check_activity(account=account, data=data, contacts=contacts)
    activity = Activity(
        account=account, created_by=created_by, **{k: v for k, v in data.items() if k in ACTIVITY_FIELDS}
    )
    activity.full_clean()
    activity.save()
    activity.contacts.set(contacts)
    activity.participants.set(participants)
    contacts_last_contacted_refresh(contact_ids=[c.pk for c in contacts])
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    data: dict,
    contacts: Iterable[Contact] | None = None,
    participants: Iterable[User] | None = None,
) -> Activity:
    """Change an activity; `contacts`/`participants` None keep them. The last-contacted days of
    the contacts before and after are recomputed. ValidationError as activity_create."""
    before = set(activity.contacts.values_list("pk", flat=True))
    contacts = list(contacts) if contacts is not None else None
    account = data.get("account", activity.account)
    _check_activity(account=account, data=data, contacts=contacts if contacts is not None else activity.contacts.all())
    for field, value in data.items():
        if field in (*ACTIVITY_FIELDS, "account"):
            setattr(activity, field, value)
    activity.full_clean()
    activity.save()
    if contacts is not None:
        activity.contacts.set(contacts)
    if participants is not None:
        activity.participants.set(list(participants))
    contacts_last_contacted_refresh(contact_ids=before | set(activity.contacts.values_list("pk", flat=True)))
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity) -> None:
    """Delete an activity; its contacts' last-contacted days fall back to their other activities."""
    contact_ids = list(activity.contacts.values_list("pk", flat=True))
    activity.delete()
    contacts_last_contacted_refresh(contact_ids=contact_ids)


def contacts_last_contacted_refresh(*, contact_ids: Iterable[int]) -> int:
    """Set each contact's `last_contacted_on` to the local day of its latest activity (None
    without one): the column is derived from activities, which tiering's "decision maker
    contacted recently" reads through its partial index. Touches `updated_at` of the contacts
    that changed, so API syncs see them. Returns how many changed."""
    ids = sorted(set(contact_ids))
    if not ids:
        return 0
    zone = timezone.get_current_timezone()
    through = Activity.contacts.through
    latest = dict(
        through.objects.filter(contact_id__in=ids)
        .values("contact_id")
        .annotate(last=Max("activity__occurred_at"))
        .values_list("contact_id", "last")
    )
    wanted: dict[date | None, list[int]] = defaultdict(list)
    current = dict(Contact.objects.filter(pk__in=ids).values_list("pk", "last_contacted_on"))
    for pk, stored in current.items():
        day = local_day(latest[pk], zone) if latest.get(pk) else None
        if day != stored:
            wanted[day].append(pk)
    now = timezone.now()
    for day, pks in wanted.items():  # one UPDATE per distinct day, not per contact
        Contact.objects.filter(pk__in=pks).update(last_contacted_on=day, updated_at=now)
    return sum(len(pks) for pks in wanted.values())
