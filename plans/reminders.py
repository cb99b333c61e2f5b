"""The daily reminders, as digests: per person and kind of reminder, how many things are due
("42 contacts overdue") and the first DIGEST_ITEMS of them, most pressing first (a read the
database aggregates); the claim that makes each digest go out once per person, kind and day (a
write); and what a person's notification list shows. The task (plans.tasks) calls
`reminders_send`.

The kinds (DOMAIN.md "Plans"; each digest links to the section of "my work" that lists them all):
contact-plan contacts past their next contact day, open actions past their end, planned visits
past their day (their owners); submitted plans and development proposals (the owner's team
manager); returned ones, key accounts without a submitted plan and approved plans without a
recent review (their owners): the rules in the `_…_source` functions below."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.aggregates import Count
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from accounts.models import Account, User
from plans.events import plan_overdue_emit
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

DIGEST_ITEMS = 5  # things a digest lists; its page (plans:reminder_list) lists them all
REMINDER_LIST_PAGE = 50  # things a page of that list
CLAIM_BATCH = 150  # digests a statement (6 parameters each: within SQLite's 999)
ONE_DAY = timedelta(days=1)

# Each kind's headline; "n" picks the plural form (ngettext_lazy: translated when shown).
SUMMARIES = {
    Notification.Kind.CONTACT_OVERDUE: ngettext_lazy("%(n)d contact overdue", "%(n)d contacts overdue", "n"),
    Notification.Kind.ACTION_OVERDUE: ngettext_lazy("%(n)d action overdue", "%(n)d actions overdue", "n"),
    Notification.Kind.PLAN_TO_APPROVE: ngettext_lazy(
        "%(n)d plan awaits your approval", "%(n)d plans await your approval", "n"
    ),
    Notification.Kind.PLAN_RETURNED: ngettext_lazy("%(n)d plan returned to you", "%(n)d plans returned to you", "n"),
    Notification.Kind.PROPOSAL_TO_APPROVE: ngettext_lazy(
        "%(n)d development proposal awaits your approval", "%(n)d development proposals await your approval", "n"
    ),
    Notification.Kind.PROPOSAL_RETURNED: ngettext_lazy(
        "%(n)d development proposal returned to you", "%(n)d development proposals returned to you", "n"
    ),
    Notification.Kind.VISIT_OVERDUE: ngettext_lazy(
        "%(n)d visit overdue: check in, move or skip it", "%(n)d visits overdue: check in, move or skip them", "n"
    ),
    Notification.Kind.PLAN_UNSUBMITTED: ngettext_lazy(
        "%(n)d key account without a submitted plan", "%(n)d key accounts without a submitted plan", "n"
    ),
    Notification.Kind.PLAN_UNREVIEWED: ngettext_lazy(
        "%(n)d plan without a recent review", "%(n)d plans without a recent review", "n"
    ),
}


def digest_summary(kind: str, count: int) -> str:
    """The digest's headline in the active language, e.g. "42 contacts overdue"."""
    return str(SUMMARIES[kind] % {"n": count})


def list_url(kind: str) -> str:
    """The page listing every thing of `kind` due for the person signed in (plans:reminder_list).
    "My work" cuts each of its lists at MY_WORK_ROWS and does not list every kind (a key account
    without a submitted plan, a plan due a review), so a digest's "all" cannot point there."""
    return reverse("plans:reminder_list", args=[kind])


@dataclass(frozen=True)
class DigestItem:
    account_id: int
    account: str  # the account's name
    what: str  # the contact, the action, the plan's period; "" when the account says it all
    day: date | None  # the day it was due (contact, action, visit), else None
    url: str  # the thing's own page

    @property
    def text(self) -> str:
        """One line, the same in every language: "张总 · 华东精密机械 · 2026-03-03"."""
        parts = [self.what, self.account, self.day.isoformat() if self.day else ""]
        return " · ".join(part for part in parts if part)

    def as_json(self) -> dict[str, Any]:
        day = self.day.isoformat() if self.day else None
        return {"account": self.account_id, "name": self.account, "what": self.what, "day": day, "url": self.url}

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> DigestItem:
        day = date.fromisoformat(item["day"]) if item.get("day") else None
        return cls(item["account"], item["name"], item["what"], day, item["url"])


@dataclass(frozen=True)
class Digest:
    """One person's reminders of one kind: `count` things due, `items` the first of them."""

    user_id: int
    kind: str  # Notification.Kind
    count: int
    items: tuple[DigestItem, ...]

    @property
    def summary(self) -> str:
        return digest_summary(self.kind, self.count)

    @property
    def url(self) -> str:
        return list_url(self.kind)


@dataclass(frozen=True)
class _Source:
    """The things of one kind due today: `rows` annotated with `recipient` (the person to
    remind); `order` most pressing first (ending with the pk: a total order); `detail` the
    expressions of an item (i_account, i_name, i_ext; i_what, i_when, i_link if any); `url` an
    item's page from (pk, detail row); `subject` the webhook's name for a thing."""

    kind: str
    rows: QuerySet
    order: tuple[Any, ...]
    detail: dict[str, Any]
    url: Callable[[int, dict], str]
    subject: Callable[[int, dict], str]


def _account_detail(what: Any = None, when: Any = None, link: Any = None) -> dict[str, Any]:
    """An item's expressions on an account-owned row; those not given are left out and read as
    ""/None (no constants: only columns, read for the listed rows alone)."""
    detail = {"i_account": F("account_id"), "i_name": F("account__name"), "i_ext": F("account__external_id")}
    extra = {"i_what": what, "i_when": when, "i_link": link}
    return detail | {name: expression for name, expression in extra.items() if expression is not None}


def _sources(today: date) -> list[_Source]:
    """Every kind's due things as of `today` (local), in the order digests are listed."""
    plan_url = lambda pk, row: reverse("plans:detail", args=[pk])  # noqa: E731
    proposal_url = lambda pk, row: reverse("plans:proposal_detail", args=[pk])  # noqa: E731
    # One reverse() for every account: the path differs only in the account's id.
    account_path = reverse("accounts:detail", args=[0]).removesuffix("0/") + "{}/#contact-plan"
    submitted_plans = AccountPlan.objects.filter(status=AccountPlan.Status.SUBMITTED)
    submitted_proposals = DevelopmentProposal.objects.filter(status=DevelopmentProposal.Status.SUBMITTED)
    sources = [
        _Source(
            Notification.Kind.CONTACT_OVERDUE,
            # plans.domain.contacts: due before `today`, from the stored next contact day (kept by
            # triggers, plans/0015; NULL once the contact has left, so they drop out here)
            ContactPlanEntry.objects.filter(next_contact_on__lt=today).annotate(
                next_contact=F("next_contact_on"), recipient=F("owner_id")
            ),
            ("next_contact", "pk"),
            _account_detail(F("contact__name"), F("next_contact")),
            lambda pk, row: account_path.format(row["i_account"]),
            lambda pk, row: f"contact-plan:{pk}",
        ),
        _Source(
            Notification.Kind.ACTION_OVERDUE,
            ActionItem.objects.filter(status__in=ActionItem.OPEN_STATUSES, ends_on__lt=today).annotate(
                recipient=F("owner_id")
            ),
            ("ends_on", "pk"),
            _account_detail(F("action"), F("ends_on"), F("plan_id")),
            lambda pk, row: reverse("plans:detail", args=[row["i_link"]]) + "#actions",
            lambda pk, row: f"action:{pk}",
        ),
        _Source(
            Notification.Kind.VISIT_OVERDUE,  # planned, its day passed (not checked in, moved or skipped)
            Visit.objects.filter(status=Visit.Status.PLANNED, planned_on__lt=today).annotate(recipient=F("owner_id")),
            ("planned_on", "pk"),
            _account_detail(when=F("planned_on")),
            lambda pk, row: reverse("plans:check_in", args=[pk]),
            lambda pk, row: f"visit:{pk}",
        ),
        _Source(
            Notification.Kind.PLAN_TO_APPROVE,  # the owner's team manager, never the owner
            submitted_plans.filter(owner__team__manager__isnull=False)
            .exclude(owner__team__manager=F("owner"))
            .annotate(recipient=F("owner__team__manager_id")),
            (F("submitted_at").asc(nulls_first=True), "pk"),
            _account_detail(F("period")),
            plan_url,
            lambda pk, row: f"plan:{pk}",
        ),
        _Source(
            Notification.Kind.PROPOSAL_TO_APPROVE,
            submitted_proposals.filter(owner__team__manager__isnull=False)
            .exclude(owner__team__manager=F("owner"))
            .annotate(recipient=F("owner__team__manager_id")),
            (F("submitted_at").asc(nulls_first=True), "pk"),
            _account_detail(),
            proposal_url,
            lambda pk, row: f"proposal:{pk}",
        ),
        _Source(
            Notification.Kind.PLAN_RETURNED,
            AccountPlan.objects.filter(status=AccountPlan.Status.RETURNED).annotate(recipient=F("owner_id")),
            (F("decided_at").asc(nulls_first=True), "pk"),
            _account_detail(F("period")),
            plan_url,
            lambda pk, row: f"plan:{pk}",
        ),
        _Source(
            Notification.Kind.PROPOSAL_RETURNED,
            DevelopmentProposal.objects.filter(status=DevelopmentProposal.Status.RETURNED).annotate(
                recipient=F("owner_id")
            ),
            (F("decided_at").asc(nulls_first=True), "pk"),
            _account_detail(),
            proposal_url,
            lambda pk, row: f"proposal:{pk}",
        ),
    ]
    return sources + _plan_sources(today)


def _plan_sources(today: date) -> list[_Source]:
    """Plans waiting on their owner, the current periods being the year and the quarter of
    `today` ("2026", "2026-Q4"):

    - unsubmitted: from PLANS_SUBMIT_WITHIN_DAYS days after the quarter began, a key account
      (category "key") with no plan for either current period that is submitted, approved or
      returned (a returned one reminds as plan_returned) reminds its owner daily: its item
      links to its draft when there is one, else to a new plan. Subject
      "plan-due:<account>:<quarter>".
    - unreviewed: an approved plan of a current period, approved a month (30 days) ago or more,
      with no PDCA review for this month or the last reminds its owner daily."""
    year, quarter = str(today.year), f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    periods = [year, quarter]
    sources: list[_Source] = []
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if (today - quarter_start).days >= settings.PLANS_SUBMIT_WITHIN_DAYS:
        covered = AccountPlan.objects.filter(
            period__in=periods, status__in=["submitted", "approved", "returned"]
        ).values("account_id")
        draft = AccountPlan.objects.filter(account=OuterRef("pk"), period__in=periods, status="draft")
        sources.append(
            _Source(
                Notification.Kind.PLAN_UNSUBMITTED,
                Account.objects.filter(category="key", owner__isnull=False)
                .exclude(pk__in=covered)
                .annotate(recipient=F("owner_id")),
                ("pk",),
                {  # the account is the row: its pk (i_account absent)
                    "i_name": F("name"),
                    "i_ext": F("external_id"),
                    "i_what": Subquery(draft.order_by("-period").values("period")[:1]),
                    "i_link": Subquery(draft.order_by("-period").values("pk")[:1]),
                },
                lambda pk, row: (
                    reverse("plans:detail", args=[row["i_link"]])
                    if row.get("i_link")
                    else reverse("plans_account:plan_add", args=[pk])
                ),
                lambda pk, row: f"plan-due:{pk}:{quarter}",
            )
        )
    last_month = (today.replace(day=1) - ONE_DAY).replace(day=1)
    approved_before = timezone.make_aware(datetime.combine(today - timedelta(days=30), time.min))
    reviewed = PlanReview.objects.filter(month__gte=last_month).values("plan_id")
    sources.append(
        _Source(
            Notification.Kind.PLAN_UNREVIEWED,
            AccountPlan.objects.filter(status="approved", period__in=periods)
            .filter(Q(decided_at__isnull=True) | Q(decided_at__lt=approved_before))
            .exclude(pk__in=reviewed)
            .annotate(recipient=F("owner_id")),
            (F("decided_at").asc(nulls_first=True), "pk"),
            _account_detail(F("period")),
            lambda pk, row: reverse("plans:detail", args=[pk]) + "#reviews",
            lambda pk, row: f"plan-review:{pk}",
        )
    )
    return sources


def _digests_of(source: _Source) -> list[Digest]:
    """Per recipient: how many rows of `source`, and the DIGEST_ITEMS most pressing. The
    database ranks and counts every row (a window per recipient) on narrow rows (no account
    names through the sort: at 180,000 overdue contacts that join and width cost more than the
    rest); the rows listed are read next. Two queries (one when nothing is due)."""
    ranked = list(
        source.rows.annotate(
            rank=Window(RowNumber(), partition_by=[F("recipient")], order_by=list(source.order)),
            total=Window(Count("pk"), partition_by=[F("recipient")]),
        )
        .filter(rank__lte=DIGEST_ITEMS)
        .order_by("recipient", "rank")
        .values_list("pk", "recipient", "total")
    )
    if not ranked:
        return []
    rows = source.rows.filter(pk__in=[pk for pk, _, _ in ranked]).annotate(**source.detail).order_by()
    detail = {row["pk"]: row for row in rows.values("pk", *source.detail)}
    items: dict[int, list[DigestItem]] = defaultdict(list)
    totals: dict[int, int] = {}
    for pk, recipient, total in ranked:
        totals[recipient] = total
        items[recipient].append(_item(source, pk, detail[pk]))
    return [Digest(user, source.kind, totals[user], tuple(listed)) for user, listed in items.items()]


def _item(source: _Source, pk: int, row: dict[str, Any]) -> DigestItem:
    """The item of the thing `pk` of `source` from its detail row (`source.detail`'s names)."""
    what = (row.get("i_what") or "")[:120]
    return DigestItem(row.get("i_account", pk), row["i_name"], what, row.get("i_when"), source.url(pk, row))


class DueThings:
    """Every thing of one kind due for one person, most pressing first (the digest's order), for
    django.core.paginator.Paginator: `count()` is one query, a slice one more (DigestItems).
    `source` None: nothing of that kind is due that day."""

    def __init__(self, source: _Source | None, rows: QuerySet) -> None:
        self._source, self._rows = source, rows

    def count(self) -> int:
        return self._rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[DigestItem]:
        if self._source is None:
            return []
        detail = self._source.detail
        rows = self._rows.annotate(**detail).order_by(*self._source.order).values("pk", *detail)[index]
        return [_item(self._source, row["pk"], row) for row in rows]


def due_things(*, kind: str, user: User, today: date) -> DueThings:
    """What a digest of `kind` for `user` as of `today` (local) counts, all of it, on accounts
    `user` sees (accounts.visibility: one handed over since drops out). Empty for a kind not
    due that day (plan_unsubmitted early in a quarter). Raises KeyError for a `kind` that is no
    Notification.Kind."""
    if kind not in Notification.Kind.values:
        raise KeyError(kind)
    source = _source_of(kind, today)
    if source is None:
        return DueThings(None, Notification.objects.none())
    account = source.detail.get("i_account", F("pk"))  # else the row is the account
    seen = Account.objects.visible_to(user).values("pk")
    rows = source.rows.filter(recipient=user.pk).annotate(seen_account=account).filter(seen_account__in=seen)
    return DueThings(source, rows)


def _source_of(kind: str, today: date) -> _Source | None:
    """The source of `kind`'s things as of `today`, None when that kind is not due that day."""
    return next((source for source in _sources(today) if source.kind == kind), None)


def due_rows(*, kind: str, today: date) -> QuerySet:
    """The things a digest of `kind` counts as of `today` (local), each annotated with
    `recipient` (the person reminded): the rows behind the counts, e.g. for a check or an
    export. An empty queryset for a kind not due that day (plan_unsubmitted early in a quarter).
    """
    source = _source_of(kind, today)
    return Notification.objects.none() if source is None else source.rows


def reminders_due(*, today: date) -> list[Digest]:
    """Every person's digests as of `today` (local): one per kind of reminder they have
    anything of, with the count and the first DIGEST_ITEMS (most pressing first). However much
    is due: a query a kind (nine; eight in the first PLANS_SUBMIT_WITHIN_DAYS days of a
    quarter), and one more for each kind anybody has anything of (18 at most)."""
    return [digest for source in _sources(today) for digest in _digests_of(source)]


def _things(sources: list[_Source], fresh: list[Digest]) -> Iterator[dict]:
    """Every thing of the `fresh` digests, for `plan.overdue`: ``{kind, subject, account,
    external_id, user}``. Read only when someone subscribes (a query per kind)."""
    users: dict[str, list[int]] = defaultdict(list)
    for digest in fresh:
        users[digest.kind].append(digest.user_id)
    for source in sources:
        if not users[source.kind]:
            continue
        names = [name for name in ("i_account", "i_ext") if name in source.detail]
        rows = (
            source.rows.filter(recipient__in=users[source.kind])
            .annotate(**{name: source.detail[name] for name in names})
            .order_by()
            .values("pk", "recipient", *names)
        )
        for row in rows.iterator(2000):
            yield {
                "kind": source.kind,
                "subject": source.subject(row["pk"], row),
                "account": row.get("i_account", row["pk"]),
                "external_id": row["i_ext"],
                "user": row["recipient"],
            }


@dataclass(frozen=True)
class ReminderRun:
    due: int  # digests found (one per person and kind)
    sent: int  # newly claimed (the others went out earlier today)
    emails: int  # e-mails queued (one per person who takes them)
    things: int  # things the digests found count


def reminders_send(*, today: date | None = None, email: bool = True) -> ReminderRun:
    """Claim today's digests, make them in-app notifications, e-mail each person theirs (unless
    they opted out) after commit, and emit `plan.overdue` with every thing they count. Safe to
    run twice or concurrently: the unique (user, kind, day) row is the claim (INSERT … ON
    CONFLICT DO NOTHING). `email=False` (the demo seeder) makes the notifications only."""
    today = today or timezone.localdate()
    sources = _sources(today)
    due = [digest for source in sources for digest in _digests_of(source)]
    with transaction.atomic():
        claimed = _claim(due, today)
        fresh = [digest for digest in due if (digest.user_id, digest.kind) in claimed]
        if fresh:
            plan_overdue_emit(day=today, items=_things(sources, fresh), total=sum(d.count for d in fresh))
        emails = _emails(fresh) if email else {}
        if emails:
            transaction.on_commit(lambda: _send_emails(emails))
    return ReminderRun(due=len(due), sent=len(fresh), emails=len(emails), things=sum(d.count for d in due))


def _claim(due: list[Digest], today: date) -> set[tuple[int, str]]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the (user, kind) this call inserted. A row
    another run inserted (committed, or in flight: PostgreSQL waits for it) is not returned."""
    table, qn = Notification._meta.db_table, connection.ops.quote_name
    columns = ["user_id", "kind", "day", "count", "items", "created_at"]
    items_field = Notification._meta.get_field("items")
    now = timezone.now()
    claimed: set[tuple[int, str]] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(due), CLAIM_BATCH):
            batch = due[start : start + CLAIM_BATCH]
            values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
            params: list = []
            for digest in batch:
                items = items_field.get_db_prep_value([item.as_json() for item in digest.items], connection)
                params += [digest.user_id, digest.kind, today, digest.count, items, now]
            cursor.execute(
                f"INSERT INTO {qn(table)} ({', '.join(map(qn, columns))}) VALUES {values} "  # noqa: S608 - identifiers only
                "ON CONFLICT (user_id, kind, day) DO NOTHING RETURNING user_id, kind",
                params,
            )
            claimed |= {(user, kind) for user, kind in cursor.fetchall()}
    return claimed


def _emails(fresh: list[Digest]) -> dict[str, list[Digest]]:
    """E-mail address -> digests, for the people who take e-mail (an address, no opt-out)."""
    by_user: dict[int, list[Digest]] = defaultdict(list)
    for digest in fresh:
        by_user[digest.user_id].append(digest)
    if not by_user:
        return {}
    opted_out = set(ReminderOptOut.objects.filter(user_id__in=by_user).values_list("user_id", flat=True))
    addresses = dict(User.objects.filter(pk__in=by_user, is_active=True).exclude(email="").values_list("pk", "email"))
    return {addresses[pk]: digests for pk, digests in by_user.items() if pk in addresses and pk not in opted_out}


def _send_emails(emails: dict[str, list[Digest]]) -> None:
    for address, digests in emails.items():
        lines = []
        for digest in digests:  # the headline, then the first things (the page lists them all)
            lines.append(f"- {digest.summary}")
            lines += [f"    {item.text}" for item in digest.items]
        send_mail(
            _("KAM: %(n)s reminder(s) for today") % {"n": len(digests)},
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=False,
        )


# --- the notification list ---------------------------------------------------------------------

NOTIFICATIONS_SHOWN = 100  # the latest; older ones are past days' digests


@dataclass(frozen=True)
class NotificationRow:
    pk: int
    day: date
    kind: str
    summary: str  # in the active language
    url: str  # the page listing them all
    unread: bool
    items: tuple[DigestItem, ...]  # those on accounts the person still sees


def notifications_of(*, user: User) -> list[NotificationRow]:
    """`user`'s own notifications, newest first (NOTIFICATIONS_SHOWN at most). A digest's
    items were picked for them when it was sent; an item on an account they no longer see
    (handed over, left the account team) is left out, so no name leaks: the count stays. Two
    queries (one when nothing lists an account)."""
    notes = list(Notification.objects.filter(user=user).order_by("-day", "-id")[:NOTIFICATIONS_SHOWN])
    ids = {item["account"] for note in notes for item in note.items}
    visible = set(Account.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    return [
        NotificationRow(
            note.pk,
            note.day,
            note.kind,
            digest_summary(note.kind, note.count),
            list_url(note.kind),
            note.read_at is None,
            tuple(DigestItem.from_json(item) for item in note.items if item["account"] in visible),
        )
        for note in notes
    ]
