"""The daily reminders: what is due for whom (a read), and the claim that makes each reminder
go out once per thing and day (a write). The task (plans.tasks) calls `reminders_send`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, User
from plans.events import plan_overdue_emit
from plans.expressions import next_contact_expression
from plans.models import (
    AccountPlan,
    ActionItem,
    ContactPlanEntry,
    DevelopmentProposal,
    Notification,
    PlanReview,
    ReminderOptOut,
    Visit,
)

CLAIM_BATCH = 1_000  # rows a statement (SQLite: 8 parameters a row)
CLAIM_BATCH_ARRAYS = 10_000  # rows a statement on PostgreSQL (6 arrays)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Reminder:
    user_id: int
    account_id: int
    account_external_id: str | None
    kind: str  # Notification.Kind
    subject: str  # "<what>:<id>"
    message: str
    url: str


def reminders_due(*, today: date) -> list[Reminder]:
    """Everything overdue or waiting on someone as of `today` (local): contact-plan contacts
    past their next contact day, open actions past their end, submitted plans and development
    proposals (for the owner's manager), returned ones (for their owner), planned visits past
    their day, key accounts without a submitted plan and approved plans without a recent review
    (for their owners: the rules in `_visits_due` and `_plans_due`). Eight queries at most."""
    due: list[Reminder] = _contact_plan_due(today=today)
    actions = ActionItem.objects.filter(status__in=ActionItem.OPEN_STATUSES, ends_on__lt=today).values_list(
        "pk", "owner_id", "account_id", "account__external_id", "account__name", "action", "ends_on", "plan_id"
    )
    for pk, owner, account, external_id, account_name, action, ends_on, plan in actions.iterator(2000):
        message = _("Action “%(action)s” at %(account)s was due %(day)s.") % {
            "action": action[:120], "account": account_name, "day": ends_on.isoformat()
        }  # fmt: skip
        url = reverse("plans:detail", args=[plan]) + "#actions"
        due.append(Reminder(owner, account, external_id, "action_overdue", f"action:{pk}", message, url))
    plans = AccountPlan.objects.filter(status__in=["submitted", "returned"]).values_list(
        "pk", "status", "owner_id", "owner__team__manager_id", "account_id", "account__external_id",
        "account__name", "period",
    )  # fmt: skip
    for pk, status, owner, manager, account, external_id, account_name, period in plans.iterator(2000):
        url = reverse("plans:detail", args=[pk])
        words = {"account": account_name, "period": period}
        if status == "submitted" and manager is not None and manager != owner:
            message = _("The %(period)s plan of %(account)s awaits your approval.") % words
            due.append(Reminder(manager, account, external_id, "plan_to_approve", f"plan:{pk}", message, url))
        elif status == "returned":
            message = _("The %(period)s plan of %(account)s was returned to you.") % words
            due.append(Reminder(owner, account, external_id, "plan_returned", f"plan:{pk}", message, url))
    proposals = DevelopmentProposal.objects.filter(status__in=["submitted", "returned"]).values_list(
        "pk", "status", "owner_id", "owner__team__manager_id", "account_id", "account__external_id", "account__name"
    )
    for pk, status, owner, manager, account, external_id, account_name in proposals.iterator(2000):
        url = reverse("plans:proposal_detail", args=[pk])
        words = {"account": account_name}
        if status == "submitted" and manager is not None and manager != owner:
            message = _("The development proposal for %(account)s awaits your approval.") % words
            due.append(Reminder(manager, account, external_id, "proposal_to_approve", f"proposal:{pk}", message, url))
        elif status == "returned":
            message = _("The development proposal for %(account)s was returned to you.") % words
            due.append(Reminder(owner, account, external_id, "proposal_returned", f"proposal:{pk}", message, url))
    return due + _visits_due(today) + _plans_due(today)


def _visits_due(today: date) -> list[Reminder]:
    """A planned visit whose day has passed (not checked in, moved or skipped): its rep, daily."""
    visits = Visit.objects.filter(status=Visit.Status.PLANNED, planned_on__lt=today).values_list(
        "pk", "owner_id", "account_id", "account__external_id", "account__name", "planned_on"
    )
    due = []
    for pk, owner, account, external_id, account_name, planned_on in visits.iterator(2000):
        message = _("The visit to %(account)s was planned for %(day)s: check in, move or skip it.") % {
            "account": account_name, "day": planned_on.isoformat()
        }  # fmt: skip
        url = reverse("plans:check_in", args=[pk])
        due.append(Reminder(owner, account, external_id, "visit_overdue", f"visit:{pk}", message, url))
    return due


def _plans_due(today: date) -> list[Reminder]:
    """Plans waiting on their owner, the current periods being the year and the quarter of
    `today` ("2026", "2026-Q4"):

    - unsubmitted: from PLANS_SUBMIT_WITHIN_DAYS days after the quarter began, a key account
      (category "key") with no plan for either current period that is submitted, approved or
      returned (a returned one reminds as plan_returned) reminds its owner daily: of its draft
      when there is one, else that it has no plan. Subject "plan-due:<account>:<quarter>".
    - unreviewed: an approved plan of a current period, approved a month (30 days) ago or more,
      with no PDCA review for this month or the last reminds its owner daily.
    Three queries (one before the days have passed)."""
    year, quarter = str(today.year), f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    periods = [year, quarter]
    due: list[Reminder] = []
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if (today - quarter_start).days >= settings.PLANS_SUBMIT_WITHIN_DAYS:
        covered = AccountPlan.objects.filter(
            period__in=periods, status__in=["submitted", "approved", "returned"]
        ).values("account_id")
        accounts = list(
            Account.objects.filter(category="key", owner__isnull=False)
            .exclude(pk__in=covered)
            .values_list("pk", "owner_id", "external_id", "name")
        )
        drafts = dict(
            AccountPlan.objects.filter(
                period__in=periods, status="draft", account_id__in=[pk for pk, *_ in accounts]
            ).values_list("account_id", "pk")
        )
        for account, owner, external_id, name in accounts:
            subject = f"plan-due:{account}:{quarter}"
            if account in drafts:
                message = _("The plan of key account %(account)s is still a draft: submit it.") % {"account": name}
                url = reverse("plans:detail", args=[drafts[account]])
            else:
                message = _("Key account %(account)s has no plan for %(year)s or %(quarter)s.") % {
                    "account": name, "year": year, "quarter": quarter
                }  # fmt: skip
                url = reverse("plans_account:plan_add", args=[account])
            due.append(Reminder(owner, account, external_id, "plan_unsubmitted", subject, message, url))
    last_month = (today.replace(day=1) - ONE_DAY).replace(day=1)
    approved_before = timezone.make_aware(datetime.combine(today - timedelta(days=30), time.min))
    reviewed = PlanReview.objects.filter(month__gte=last_month).values("plan_id")
    unreviewed = (
        AccountPlan.objects.filter(status="approved", period__in=periods)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__lt=approved_before))
        .exclude(pk__in=reviewed)
        .values_list("pk", "owner_id", "account_id", "account__external_id", "account__name", "period")
    )
    for pk, owner, account, external_id, name, period in unreviewed.iterator(2000):
        message = _("The %(period)s plan of %(account)s has no review for %(last)s or %(this)s: write one.") % {
            "period": period, "account": name, "last": last_month.strftime("%Y-%m"), "this": today.strftime("%Y-%m")
        }  # fmt: skip
        url = reverse("plans:detail", args=[pk]) + "#reviews"
        due.append(Reminder(owner, account, external_id, "plan_unreviewed", f"plan-review:{pk}", message, url))
    return due


def _contact_plan_due(*, today: date) -> list[Reminder]:
    """Contact-plan contacts whose next contact day has passed (plans.domain.contacts: due
    before `today`), the owner reminded. The database picks the overdue rows
    (plans.expressions.next_contact_expression, the domain's rule in SQL): Python only
    touches the rows that become reminders. One query."""
    entries = (
        ContactPlanEntry.objects.filter(contact__is_active=True)
        .annotate(next_contact=next_contact_expression())
        .filter(next_contact__lt=today)  # is_overdue: today > due
        .values_list(
            "pk", "owner_id", "account_id", "account__external_id", "account__name", "contact__name", "next_contact"
        )
    )
    template = _("Contact %(name)s at %(account)s: due %(day)s.")
    # One reverse() for every account: the path differs only in the account's id.
    url = reverse("accounts:detail", args=[0]).removesuffix("0/") + "{}/#contact-plan"
    return [
        Reminder(
            owner, account, external_id, "contact_overdue", f"contact-plan:{pk}",
            template % {"name": name, "account": account_name, "day": next_day.isoformat()}, url.format(account),
        )
        for pk, owner, account, external_id, account_name, name, next_day in entries.iterator(2000)
    ]  # fmt: skip


@dataclass(frozen=True)
class ReminderRun:
    due: int  # reminders found
    sent: int  # newly claimed (the others went out earlier today)
    emails: int  # e-mails queued (one digest per person who takes them)


def reminders_send(*, today: date | None = None, email: bool = True) -> ReminderRun:
    """Claim today's reminders, make them in-app notifications, e-mail each person a digest of
    the new ones (unless they opted out) after commit, and emit `plan.overdue` for them.
    Safe to run twice or concurrently: the unique (user, kind, subject, day) row is the claim.
    `email=False` (the demo seeder) makes the notifications only."""
    today = today or timezone.localdate()
    due = reminders_due(today=today)
    with transaction.atomic():
        claimed = _claim(due, today)
        fresh = [reminder for reminder in due if (reminder.user_id, reminder.kind, reminder.subject) in claimed]
        if fresh:
            plan_overdue_emit(day=today, reminders=fresh)
        digests = _digests(fresh) if email else {}
        if digests:
            transaction.on_commit(lambda: _send_digests(digests))
    return ReminderRun(due=len(due), sent=len(fresh), emails=len(digests))


def _claim(due: list[Reminder], today: date) -> set[tuple[int, str, str]]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the rows this call inserted, by key. A row
    another run inserted (committed, or in flight: PostgreSQL waits for it) is not returned."""
    table, qn = Notification._meta.db_table, connection.ops.quote_name
    columns = ["user_id", "account_id", "kind", "subject", "day", "message", "url", "created_at"]
    into = f"INSERT INTO {qn(table)} ({', '.join(map(qn, columns))}) "
    conflict = "ON CONFLICT (user_id, kind, subject, day) DO NOTHING RETURNING user_id, kind, subject"
    now = timezone.now()
    claimed: set[tuple[int, str, str]] = set()
    arrays = connection.vendor == "postgresql"
    size = CLAIM_BATCH_ARRAYS if arrays else CLAIM_BATCH
    with connection.cursor() as cursor:
        for start in range(0, len(due), size):
            batch = due[start : start + size]
            if arrays:  # six arrays, not eight parameters a row: one short statement to parse and plan
                cursor.execute(
                    into + "SELECT u, a, k, s, %s, m, l, %s FROM unnest(%s::bigint[], %s::bigint[], %s::text[], "  # noqa: S608 - identifiers only
                    "%s::text[], %s::text[], %s::text[]) AS t(u, a, k, s, m, l) " + conflict,
                    [today, now, [r.user_id for r in batch], [r.account_id for r in batch], [r.kind for r in batch],
                     [r.subject for r in batch], [r.message[:300] for r in batch], [r.url for r in batch]],
                )  # fmt: skip
            else:
                values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
                params: list = []
                for r in batch:
                    params += [r.user_id, r.account_id, r.kind, r.subject, today, r.message[:300], r.url, now]
                cursor.execute(into + f"VALUES {values} " + conflict, params)
            claimed |= {(user, kind, subject) for user, kind, subject in cursor.fetchall()}
    return claimed


def _digests(fresh: list[Reminder]) -> dict[str, list[str]]:
    """E-mail address -> messages, for the people who take e-mail (an address, no opt-out)."""
    by_user: dict[int, list[str]] = defaultdict(list)
    for reminder in fresh:
        by_user[reminder.user_id].append(reminder.message)
    if not by_user:
        return {}
    opted_out = set(ReminderOptOut.objects.filter(user_id__in=by_user).values_list("user_id", flat=True))
    addresses = dict(User.objects.filter(pk__in=by_user, is_active=True).exclude(email="").values_list("pk", "email"))
    return {addresses[pk]: messages for pk, messages in by_user.items() if pk in addresses and pk not in opted_out}


def _send_digests(digests: dict[str, list[str]]) -> None:
    for address, messages in digests.items():
        body = "\n".join(f"- {message}" for message in messages)
        send_mail(
            _("KAM: %(n)s reminder(s) for today") % {"n": len(messages)},
            body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=False,
        )
