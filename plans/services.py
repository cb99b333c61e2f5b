"""Writes of the plans app. Views, API serializers and tasks call these; each runs in its own
transaction, and events are emitted after commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import Account, Contact, User
from kam.errors import Conflict
from plans import events
from plans.domain.contacts import local_day
from plans.domain.plans import next_status
from plans.domain.visits import next_visit_day, visit_interval
from plans.models import (
    AccountPlan,
    ActionItem,
    Activity,
    ContactPlanEntry,
    DevelopmentProposal,
    Notification,
    PlanReview,
    RelationshipLink,
    ReminderOptOut,
    SalesTheme,
    ThemeLibraryEntry,
    Visit,
    VisitCategoryInterval,
    VisitInterval,
)
from plans.permissions import can_approve
from plans.selectors import visit_intervals
from tiering.domain.matrix import CATEGORIES

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
    """Delete an activity, leaving a tombstone (the deletions feed) and emitting
    `activity.deleted`; its contacts' last-contacted days fall back to their other activities."""
    contact_ids = list(activity.contacts.values_list("pk", flat=True))
    _delete_recorded(activity, events.ACTIVITY_DELETED)
    contacts_last_contacted_refresh(contact_ids=contact_ids)


def _delete_recorded(
    row: Activity | AccountPlan | ActionItem | ContactPlanEntry | RelationshipLink, event: str
) -> None:
    """Delete `row` with its tombstone and those of what goes with it (a plan's actions), and
    announce it with `event` after commit. Runs in the caller's transaction."""
    tombstone, cascaded = account_services.deleted_records_write(instance=row)
    row.delete()
    events.record_deleted_emit(
        event=event, tombstone=tombstone, cascaded=cascaded if isinstance(row, AccountPlan) else None
    )


@transaction.atomic
def account_plan_delete(*, plan: AccountPlan) -> None:
    """Delete an account plan with its reviews and actions (the admin's delete), leaving
    tombstones for it and its actions and emitting `account_plan.deleted` with the count of
    actions deleted with it. Who may is the caller's check (only the admin deletes plans)."""
    _delete_recorded(plan, events.ACCOUNT_PLAN_DELETED)


@transaction.atomic
def action_delete(*, item: ActionItem) -> None:
    """Delete an action plan's line (the admin's delete), leaving a tombstone and emitting
    `action_item.deleted`."""
    _delete_recorded(item, events.ACTION_ITEM_DELETED)


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


# --- account plans ----------------------------------------------------------------------------

PLAN_FIELDS = (
    "period",
    "position_target",
    "share_target",
    "revenue_target",
    "profit_target",
    "success_probability",
    "lifecycle_stage",
    "notes",
)


class PlanNotEditable(Conflict):
    """The plan is submitted or approved: its content is fixed until it is returned."""


class PlanStepRefused(Conflict):
    """The workflow does not allow this step from the plan's status (e.g. approving a draft)."""


def _period_taken(account: Account, period: str, exclude: int | None = None) -> bool:
    return AccountPlan.objects.filter(account=account, period=period).exclude(pk=exclude).exists()


@transaction.atomic
def plan_create(*, account: Account, data: dict, owner: User) -> AccountPlan:
    """A draft plan of `account` for `data["period"]`, written by `owner`.
    ValidationError({"period": ...}) when the account has a plan for that period already."""
    plan = AccountPlan(account=account, owner=owner, **{k: v for k, v in data.items() if k in PLAN_FIELDS})
    plan.full_clean(validate_constraints=False)
    if _period_taken(account, plan.period):
        raise ValidationError(
            {"period": [_("This account has a plan for %(period)s already.") % {"period": plan.period}]}
        )
    try:
        with transaction.atomic():  # a concurrent twin: the unique constraint decides
            plan.save()
    except IntegrityError:
        raise ValidationError(
            {"period": [_("This account has a plan for %(period)s already.") % {"period": plan.period}]}
        ) from None
    return plan


@transaction.atomic
def plan_update(*, plan: AccountPlan, data: dict) -> AccountPlan:
    """Change a draft or returned plan. PlanNotEditable (a Conflict: 409) once submitted or approved."""
    locked = AccountPlan.objects.select_for_update().get(pk=plan.pk)
    if not locked.editable:
        raise PlanNotEditable(_("A submitted or approved plan cannot be changed."))
    for field, value in data.items():
        if field in PLAN_FIELDS:
            setattr(plan, field, value)
    plan.full_clean(validate_constraints=False)
    if _period_taken(plan.account, plan.period, exclude=plan.pk):
        raise ValidationError(
            {"period": [_("This account has a plan for %(period)s already.") % {"period": plan.period}]}
        )
    plan.save()
    return plan


def _workflow_step(row: AccountPlan | DevelopmentProposal, step: str, refused: type[Conflict], message: str):  # noqa: ANN202
    """Lock `row` (an account plan or a development proposal: one workflow, plans.domain.plans)
    and check the workflow allows `step`; returns the locked row with its new status, not saved.
    `refused` (with `message`, naming %(status)s) when the status does not allow the step."""
    model = type(row)
    locked = model.objects.select_for_update(of=("self",)).select_related("owner__team").get(pk=row.pk)
    try:
        locked.status = next_status(locked.status, step)
    except ValueError:
        raise refused(message % {"status": locked.get_status_display().lower()}) from None
    return locked


def _step(plan: AccountPlan, step: str) -> AccountPlan:
    """Lock the plan and check the workflow allows `step`; returns the locked row."""
    return _workflow_step(plan, step, PlanStepRefused, _("A plan that is %(status)s cannot take this step."))


@transaction.atomic
def plan_submit(*, plan: AccountPlan, user: User) -> AccountPlan:
    """Send a draft or returned plan for approval. PlanStepRefused from any other status."""
    locked = _step(plan, "submit")
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    return locked


@transaction.atomic
def plan_approve(*, plan: AccountPlan, user: User, tier: str, strategy: str) -> AccountPlan:
    """Approve a submitted plan, freezing the account's current `tier` and its `strategy` in it.
    PermissionDenied unless `user` may approve it (plans.permissions.can_approve: never its
    owner); PlanStepRefused unless it is submitted."""
    locked = _step(plan, "approve")
    if not can_approve(user, locked):
        raise PermissionDenied(_("Only the owner's manager or a director may approve this plan."))
    locked.decided_at, locked.decided_by = timezone.now(), user
    locked.frozen_tier, locked.frozen_strategy, locked.return_comment = tier, strategy, ""
    locked.save()
    return locked


@transaction.atomic
def plan_return(*, plan: AccountPlan, user: User, comment: str) -> AccountPlan:
    """Return a submitted plan to its owner with `comment` (required: ValidationError).
    PermissionDenied and PlanStepRefused as plan_approve."""
    if not comment.strip():
        raise ValidationError({"comment": [_("Say what should change.")]})
    locked = _step(plan, "return")
    if not can_approve(user, locked):
        raise PermissionDenied(_("Only the owner's manager or a director may return this plan."))
    locked.decided_at, locked.decided_by, locked.return_comment = timezone.now(), user, comment.strip()
    locked.save()
    return locked


ACTION_FIELDS = ("action", "owner", "starts_on", "ends_on", "status", "completion")


@transaction.atomic
def action_create(*, plan: AccountPlan, data: dict) -> ActionItem:
    """A line of the plan's action plan. ValidationError names the field at fault (an end
    before the start). A done action is 100% complete."""
    item = ActionItem(plan=plan, account_id=plan.account_id, **{k: v for k, v in data.items() if k in ACTION_FIELDS})
    _check_action(item)
    item.save()
    return item


@transaction.atomic
def action_update(*, item: ActionItem, data: dict) -> ActionItem:
    """Change an action (its status and completion as work goes on). ValidationError as action_create."""
    for field, value in data.items():
        if field in ACTION_FIELDS:
            setattr(item, field, value)
    _check_action(item)
    item.save()
    return item


def _check_action(item: ActionItem) -> None:
    if item.status == ActionItem.Status.DONE:
        item.completion = 100
    if item.starts_on and item.ends_on and item.ends_on < item.starts_on:
        raise ValidationError({"ends_on": [_("The end cannot be before the start.")]})
    item.full_clean(exclude=["plan", "account"], validate_constraints=False)


@transaction.atomic
def review_save(*, plan: AccountPlan, month: date, notes: str, author: User) -> PlanReview:
    """The monthly PDCA review of `plan` for `month` (any day of it), created or replaced."""
    first = month.replace(day=1)
    review, _created = PlanReview.objects.update_or_create(
        plan=plan, month=first, defaults={"notes": notes, "author": author, "account_id": plan.account_id}
    )
    return review


@transaction.atomic
def review_comment(*, review: PlanReview, user: User, comment: str) -> PlanReview:
    """The manager's comment on a review. PermissionDenied unless `user` may approve the plan."""
    if not can_approve(user, review.plan):
        raise PermissionDenied(_("Only the owner's manager or a director may comment on this review."))
    review.manager_comment = comment.strip()
    review.save(update_fields=["manager_comment", "updated_at"])
    return review


# --- key-account development proposals --------------------------------------------------------

PROPOSAL_FIELDS = (
    "forecast_sales",
    "margin_percent",
    "management_cost",
    "travel_cost",
    "other_cost",
    "risk",
    "risk_notes",
    "competitive_advantage",
    "notes",
)


class ProposalNotEditable(Conflict):
    """The proposal is submitted or approved: its content is fixed until it is returned."""


class ProposalStepRefused(Conflict):
    """The workflow does not allow this step from the proposal's status (e.g. approving a draft)."""


@transaction.atomic
def proposal_create(*, account: Account, data: dict, owner: User, eligible: bool) -> DevelopmentProposal:
    """A draft development proposal for `account` by `owner` (`data`: PROPOSAL_FIELDS).
    `eligible` is plans.selectors.proposal_eligibility(account): ValidationError({"account": ...})
    unless the account is a potential key account; ValidationError naming the field for a bad value."""
    if not eligible:
        raise ValidationError(
            {"account": [_("A development proposal is for a possible or normal account with key-account potential.")]}
        )
    proposal = DevelopmentProposal(
        account=account, owner=owner, **{k: v for k, v in data.items() if k in PROPOSAL_FIELDS}
    )
    proposal.full_clean()
    proposal.save()
    return proposal


@transaction.atomic
def proposal_update(*, proposal: DevelopmentProposal, data: dict) -> DevelopmentProposal:
    """Change a draft or returned proposal. ProposalNotEditable (a Conflict: 409) once submitted
    or approved; ValidationError naming the field for a bad value."""
    locked = DevelopmentProposal.objects.select_for_update().get(pk=proposal.pk)
    if not locked.editable:
        raise ProposalNotEditable(_("A submitted or approved proposal cannot be changed."))
    for field, value in data.items():
        if field in PROPOSAL_FIELDS:
            setattr(proposal, field, value)
    proposal.full_clean()
    proposal.save()
    return proposal


def _proposal_step(proposal: DevelopmentProposal, step: str) -> DevelopmentProposal:
    """Lock the proposal and check the workflow (the account plan's) allows `step`."""
    return _workflow_step(
        proposal, step, ProposalStepRefused, _("A proposal that is %(status)s cannot take this step.")
    )


@transaction.atomic
def proposal_submit(*, proposal: DevelopmentProposal, user: User) -> DevelopmentProposal:
    """Send a draft or returned proposal to the owner's manager. ProposalStepRefused otherwise."""
    locked = _proposal_step(proposal, "submit")
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    return locked


@transaction.atomic
def proposal_approve(*, proposal: DevelopmentProposal, user: User) -> DevelopmentProposal:
    """Approve a submitted proposal. PermissionDenied unless `user` may (plans.permissions.
    can_approve: the owner's manager or a director, never the owner); ProposalStepRefused unless
    it is submitted."""
    locked = _proposal_step(proposal, "approve")
    if not can_approve(user, locked):
        raise PermissionDenied(_("Only the owner's manager or a director may approve this proposal."))
    locked.decided_at, locked.decided_by, locked.return_comment = timezone.now(), user, ""
    locked.save()
    return locked


@transaction.atomic
def proposal_return(*, proposal: DevelopmentProposal, user: User, comment: str) -> DevelopmentProposal:
    """Return a submitted proposal to its owner with `comment` (required: ValidationError).
    PermissionDenied and ProposalStepRefused as proposal_approve."""
    if not comment.strip():
        raise ValidationError({"comment": [_("Say what should change.")]})
    locked = _proposal_step(proposal, "return")
    if not can_approve(user, locked):
        raise PermissionDenied(_("Only the owner's manager or a director may return this proposal."))
    locked.decided_at, locked.decided_by, locked.return_comment = timezone.now(), user, comment.strip()
    locked.save()
    return locked


# --- contact plan -----------------------------------------------------------------------------


@transaction.atomic
def contact_plan_add(*, contact: Contact, owner: User, interval_days: int, starts_on: date) -> ContactPlanEntry:
    """Put `contact` in their account's contact plan, kept by `owner` every `interval_days`
    from `starts_on`. ValidationError: an inactive contact, a bad interval, or `owner` keeps
    this contact already."""
    if not contact.is_active:
        raise ValidationError({"contact": [_("This person has left the account.")]})
    entry = ContactPlanEntry(
        account_id=contact.account_id, contact=contact, owner=owner, interval_days=interval_days, starts_on=starts_on
    )
    entry.full_clean(exclude=["account"], validate_constraints=False)
    if ContactPlanEntry.objects.filter(contact=contact, owner=owner).exists():
        raise ValidationError({"contact": [_("%(owner)s keeps this contact already.") % {"owner": owner}]})
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # a concurrent twin
        raise ValidationError({"contact": [_("%(owner)s keeps this contact already.") % {"owner": owner}]}) from None
    return entry


@transaction.atomic
def contact_plan_update(*, entry: ContactPlanEntry, data: dict) -> ContactPlanEntry:
    """Change the owner, interval or start of an entry. ValidationError as contact_plan_add."""
    for field in ("owner", "interval_days", "starts_on"):
        if field in data:
            setattr(entry, field, data[field])
    entry.full_clean(exclude=["account", "contact"], validate_constraints=False)
    if ContactPlanEntry.objects.filter(contact=entry.contact_id, owner=entry.owner).exclude(pk=entry.pk).exists():
        raise ValidationError({"owner": [_("%(owner)s keeps this contact already.") % {"owner": entry.owner}]})
    entry.save()
    return entry


@transaction.atomic
def contact_plan_remove(*, entry: ContactPlanEntry) -> None:
    """Take a contact off the contact plan, leaving a tombstone and emitting
    `contact_plan_entry.deleted`."""
    _delete_recorded(entry, events.CONTACT_PLAN_ENTRY_DELETED)


# --- notifications ----------------------------------------------------------------------------


def notifications_read(*, user: User) -> int:
    """Mark all of `user`'s notifications read; returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def reminder_email_set(*, user: User, wanted: bool) -> None:
    """E-mail reminders on (the default) or off for `user`; in-app notifications stay."""
    if wanted:
        ReminderOptOut.objects.filter(user=user).delete()
    else:
        ReminderOptOut.objects.get_or_create(user=user)


# --- relationship coverage (the zipper) -------------------------------------------------------


@transaction.atomic
def relationship_set(*, contact: Contact, user: User, strength: str) -> RelationshipLink | None:
    """Set how well `user` (one of ours) knows `contact`; "none" removes the link.
    ValidationError for another strength or an API-only user."""
    if user.role == User.Role.INTEGRATION:
        raise ValidationError({"user": [_("Only people can know people.")]})
    if strength == "none":
        link = RelationshipLink.objects.filter(contact=contact, user=user).first()
        if link is not None:
            relationship_delete(link=link)
        return None
    if strength not in RelationshipLink.Strength.values:
        raise ValidationError({"strength": [_("Choose none, weak, working or strong.")]})
    link, _created = RelationshipLink.objects.update_or_create(
        contact=contact, user=user, defaults={"strength": strength, "account_id": contact.account_id}
    )
    return link


@transaction.atomic
def relationship_delete(*, link: RelationshipLink) -> None:
    """Remove a link ("no contact"), leaving a tombstone and emitting `relationship.deleted`."""
    _delete_recorded(link, events.RELATIONSHIP_DELETED)


# --- visits -----------------------------------------------------------------------------------


@transaction.atomic
def visit_intervals_set(*, user: User, intervals: Mapping[str, int]) -> None:
    """A director sets the days between visits per account category (tiering's CATEGORIES);
    the next generated visits follow. PermissionDenied for anyone but a director;
    ValidationError for another category or a value outside 1-366 days."""
    if not user.is_director:
        raise PermissionDenied(_("Only directors may change the visit intervals."))
    errors = {}
    for category, days in intervals.items():
        if category not in CATEGORIES:
            errors[category] = [_("Not an account category.")]
        elif not isinstance(days, int) or not 1 <= days <= 366:
            errors[category] = [_("Give a whole number of days from 1 to 366.")]
    if errors:
        raise ValidationError(errors)
    for category, days in intervals.items():
        VisitCategoryInterval.objects.update_or_create(category=category, defaults={"interval_days": days})


@transaction.atomic
def visit_interval_set(*, account: Account, interval_days: int | None) -> None:
    """The account's own days between visits (overriding its category's); None removes it, so
    the category's applies again. ValidationError for a value outside 1-366 days. The planned
    visit stays; the next one generated follows."""
    if interval_days is None:
        VisitInterval.objects.filter(account=account).delete()
        return
    if not 1 <= interval_days <= 366:
        raise ValidationError({"interval_days": [_("Give a whole number of days from 1 to 366.")]})
    VisitInterval.objects.update_or_create(account=account, defaults={"interval_days": interval_days})


def visits_generate(*, today: date) -> int:
    """Plan each owned account's next visit from its follow-up interval (category, or its own)
    where it has no planned visit: the last visit is its latest visit activity (or skipped
    visit), local day. Idempotent and safe concurrently: the partial unique constraint keeps
    one generated open visit per account (ON CONFLICT DO NOTHING). Returns visits planned."""
    zone = timezone.get_current_timezone()
    planned = Visit.objects.filter(status=Visit.Status.PLANNED).values("account_id")
    accounts = list(
        Account.objects.filter(owner__isnull=False)
        .exclude(pk__in=planned)
        .values_list("pk", "owner_id", "category", "visit_interval__interval_days")
    )
    ids = [pk for pk, *_ in accounts]
    last_done = dict(
        Activity.objects.filter(account_id__in=ids, type=Activity.Type.VISIT)
        .values("account_id")
        .annotate(last=Max("occurred_at"))
        .values_list("account_id", "last")
    )
    last_skipped = dict(
        Visit.objects.filter(account_id__in=ids, status=Visit.Status.SKIPPED)
        .values("account_id")
        .annotate(last=Max("planned_on"))
        .values_list("account_id", "last")
    )
    intervals = visit_intervals()
    new = []
    for pk, owner, category, override in accounts:
        days = [d for d in (local_day(last_done[pk], zone) if pk in last_done else None, last_skipped.get(pk)) if d]
        interval = visit_interval(category=category, override=override, intervals=intervals)
        when = next_visit_day(last_visit=max(days) if days else None, interval_days=interval, today=today)
        new.append(Visit(account_id=pk, owner_id=owner, planned_on=when, generated=True))
    created = Visit.objects.bulk_create(new, batch_size=5000, ignore_conflicts=True)
    return len(created)


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why.")]})
    return reason.strip()


@transaction.atomic
def visit_move(*, visit: Visit, planned_on: date, reason: str) -> Visit:
    """Move a planned visit to another day, with a reason (ValidationError without one)."""
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError({"planned_on": [_("Only a planned visit can be moved.")]})
    visit.planned_on, visit.reason = planned_on, _reason(reason)
    visit.save(update_fields=["planned_on", "reason", "updated_at"])
    return visit


@transaction.atomic
def visit_skip(*, visit: Visit, reason: str) -> Visit:
    """Skip a planned visit, with a reason; the next one is planned an interval later."""
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError({"reason": [_("Only a planned visit can be skipped.")]})
    visit.status, visit.reason = Visit.Status.SKIPPED, _reason(reason)
    visit.save(update_fields=["status", "reason", "updated_at"])
    return visit


@transaction.atomic
def visit_check_in(
    *,
    visit: Visit,
    user: User,
    latitude: Decimal | None,
    longitude: Decimal | None,
    contacts: Iterable[Contact] = (),
    duration_minutes: int | None = None,
    notes: str = "",
    outcome: str = "",
    at: datetime | None = None,
) -> Visit:
    """Check in at a planned visit at `at` (aware; now when None, e.g. an app that was offline
    sends when it happened): the visit is done, its record becomes a visit activity (with
    `contacts` and `user`), and the position is kept when the browser gave one (both
    coordinates or neither). ValidationError for a visit not planned, half a position, or a
    moment in the future (activity_create)."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("account").get(pk=visit.pk)
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError({"visit": [_("This visit is not planned any more.")]})
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": [_("Give both coordinates or neither.")]})
    now = at or timezone.now()
    activity = activity_create(
        account=visit.account,
        data={"type": Activity.Type.VISIT, "occurred_at": now, "duration_minutes": duration_minutes,
              "notes": notes, "outcome": outcome},
        contacts=contacts,
        participants=[user],
        created_by=user,
    )  # fmt: skip
    visit.status, visit.checked_in_at, visit.activity = Visit.Status.DONE, now, activity
    visit.latitude, visit.longitude = latitude, longitude
    visit.save()
    return visit


# --- sales themes -----------------------------------------------------------------------------

THEME_FIELDS = ("problem", "feature", "benefit", "proof")


@transaction.atomic
def theme_add(
    *, account: Account, data: dict, source: ThemeLibraryEntry | None = None, save_to_library: bool, user: User
) -> SalesTheme:
    """A sales theme for `account`: the library entry `source` as it is (data ignored), or
    `data` (problem, feature, benefit, proof), then kept in the shared library too when asked
    (the same four texts twice are one library entry)."""
    values = {f: getattr(source, f) for f in THEME_FIELDS} if source else {f: data.get(f, "") for f in THEME_FIELDS}
    theme = SalesTheme(account=account, source=source, **values)
    theme.full_clean(exclude=["account", "source"])
    if save_to_library and source is None:
        theme.source, _created = ThemeLibraryEntry.objects.get_or_create(
            **values, defaults={"created_by": user, "industry": account.industry}
        )
    theme.save()
    return theme
