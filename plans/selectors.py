"""Reads of the plans app for pages, the API and tasks. Each starts from `visible_to(user)` or
from an account the caller already got through it (kam.pages.visible_or_404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, Max, Prefetch, QuerySet, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Account, Contact, ContactRoleHistory, Order, User
from plans.domain.contacts import days_overdue, is_overdue, local_day, next_contact_day
from plans.domain.plans import action_overdue, period_bounds
from plans.domain.revenue import RevenueLine, RevenueTotal, expected_revenue, totals
from plans.domain.zipper import Person, Zipper, zipper
from plans.expressions import next_contact_expression
from plans.models import (
    AccountPlan,
    ActionItem,
    Activity,
    ContactPlanEntry,
    PlanReview,
    RelationshipLink,
    SalesTheme,
    Visit,
)
from plans.permissions import can_approve
from tiering.selectors import strategy_for

TIMELINE_LENGTH = 30


def activity_queryset(*, user: User) -> QuerySet[Activity]:
    """The activities `user` may see, with what a listing shows (contacts and participants in
    two extra queries however many rows)."""
    return (
        Activity.objects.visible_to(user)
        .select_related("account", "created_by")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("name", "id")),
            Prefetch("participants", queryset=User.objects.order_by("username")),
        )
    )


def account_timeline(*, account: Account, limit: int = TIMELINE_LENGTH) -> list[Activity]:
    """The account's newest `limit` activities, newest first (3 queries)."""
    return list(
        Activity.objects.filter(account=account)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("name", "id")),
            Prefetch("participants", queryset=User.objects.order_by("username")),
        )
        .order_by("-occurred_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class ContactCard:
    contact: Contact
    past_roles: list[ContactRoleHistory]


def account_contacts(*, account: Account, include_left: bool = False) -> list[ContactCard]:
    """The account's contacts with their past roles, by name (2 queries)."""
    contacts = account.contacts.select_related("reports_to").order_by("-is_active", "name", "id")
    if not include_left:
        contacts = contacts.filter(is_active=True)
    contacts = contacts.prefetch_related(
        Prefetch("role_history", queryset=ContactRoleHistory.objects.select_related("account"))
    )
    return [ContactCard(contact, list(contact.role_history.all())) for contact in contacts]


@dataclass(frozen=True)
class OrgNode:
    """One node of the org chart as ECharts' tree wants it."""

    name: str
    value: str  # "title · buying role · attitude"
    children: list[OrgNode]

    def as_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "children": [child.as_dict() for child in self.children]}


def org_chart(*, contacts: list[Contact]) -> list[dict]:
    """The reporting lines of `contacts` (active ones of one account) as trees, roots first by
    name; a boss outside the list makes a root. Cycles in old data end where they loop."""
    by_id = {contact.pk: contact for contact in contacts}
    children: dict[int | None, list[Contact]] = {}
    for contact in contacts:
        boss = contact.reports_to_id if contact.reports_to_id in by_id else None
        children.setdefault(boss, []).append(contact)

    seen: set[int] = set()

    def build(contact: Contact) -> OrgNode:
        seen.add(contact.pk)
        label = " · ".join(
            part for part in (contact.title, contact.get_buying_role_display(), contact.get_attitude_display()) if part
        )
        below = [build(c) for c in children.get(contact.pk, []) if c.pk not in seen]
        return OrgNode(contact.name, label, below)

    return [build(root).as_dict() for root in children.get(None, []) if root.pk not in seen]


@dataclass(frozen=True)
class AccountPanel:
    """What the account page shows of the plans app."""

    contacts: list[ContactCard]
    org_chart: list[dict]
    timeline: list[Activity]
    plans: list[AccountPlan]
    contact_plan: list[ContactPlanRow]
    themes: list[SalesTheme]


def account_panel(*, account: Account) -> AccountPanel:
    """Contacts (with past roles), their org chart, the activity timeline, the plans, the
    contact plan and the sales themes (9 queries)."""
    contacts = account_contacts(account=account)
    return AccountPanel(
        contacts=contacts,
        org_chart=org_chart(contacts=[card.contact for card in contacts]),
        timeline=account_timeline(account=account),
        plans=account_plans(account=account),
        contact_plan=account_contact_plan(account=account),
        themes=list(account.sales_themes.order_by("id")),
    )


# --- account plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    item: ActionItem
    overdue: bool


@dataclass(frozen=True)
class PlanPage:
    plan: AccountPlan
    tier: str  # frozen when approved, else the account's current tier
    strategy: str  # likewise
    strategy_is_frozen: bool
    actions: list[ActionRow]
    reviews: list[PlanReview]
    can_approve: bool
    revenue: RevenueLine


def plan_page(*, plan: AccountPlan, user: User, today: date | None = None) -> PlanPage:
    """A plan with its actions (overdue flagged as of `today`, local), reviews and revenue plan
    vs actual (4 queries)."""
    today = today or timezone.localdate()
    frozen = plan.status == AccountPlan.Status.APPROVED
    tier = plan.frozen_tier if frozen else plan.account.tier
    finished = (ActionItem.Status.DONE, ActionItem.Status.CANCELLED)
    actions = [
        ActionRow(item, action_overdue(ends_on=item.ends_on, finished=item.status in finished, today=today))
        for item in plan.actions.select_related("owner").order_by("ends_on", "id")
    ]
    return PlanPage(
        plan=plan,
        tier=tier,
        strategy=plan.frozen_strategy if frozen else strategy_for(tier),
        strategy_is_frozen=frozen,
        actions=actions,
        reviews=list(plan.reviews.select_related("author").order_by("-month")),
        can_approve=can_approve(user, plan),
        revenue=revenue_lines(plans=[plan])[0],
    )


def account_plans(*, account: Account) -> list[AccountPlan]:
    """The account's plans, newest period first (1 query)."""
    return list(account.plans.select_related("owner").order_by("-period", "-id"))


# --- contact plan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactPlanRow:
    entry: ContactPlanEntry
    contacts_so_far: int  # activities with the contact since the plan started (local days)
    last_contact: date | None  # the contact's latest activity, local day
    next_contact: date
    overdue: bool
    days_overdue: int


def contact_plan_rows(*, entries: QuerySet[ContactPlanEntry], today: date | None = None) -> list[ContactPlanRow]:
    """Each entry with its figures from activities as of `today` (local), in 2 queries however
    many entries: the entries with contact and owner, and one count of activities per contact."""
    return _rows(list(entries.select_related("contact", "owner", "account")), today=today or timezone.localdate())


def _rows(entries: list[ContactPlanEntry], *, today: date) -> list[ContactPlanRow]:
    """contact_plan_rows for entries already read (1 query: the activities of their contacts)."""
    zone = timezone.get_current_timezone()
    moments: dict[int, list] = {}
    contact_ids = {entry.contact_id for entry in entries}
    if contact_ids:
        through = Activity.contacts.through
        for contact_id, occurred_at in through.objects.filter(contact_id__in=contact_ids).values_list(
            "contact_id", "activity__occurred_at"
        ):
            moments.setdefault(contact_id, []).append(occurred_at)
    result = []
    for entry in entries:
        days = [local_day(moment, zone) for moment in moments.get(entry.contact_id, [])]
        last = max(days) if days else None
        due = next_contact_day(last_contact=last, interval_days=entry.interval_days, starts_on=entry.starts_on)
        result.append(
            ContactPlanRow(
                entry=entry,
                contacts_so_far=sum(1 for day in days if day >= entry.starts_on),
                last_contact=last,
                next_contact=due,
                overdue=is_overdue(due=due, today=today),
                days_overdue=days_overdue(due=due, today=today),
            )
        )
    return result


def account_contact_plan(*, account: Account, today: date | None = None) -> list[ContactPlanRow]:
    """The account's contact plan, by contact name (2 queries)."""
    return contact_plan_rows(
        entries=ContactPlanEntry.objects.filter(account=account).order_by("contact__name", "id"), today=today
    )


# --- my work ---------------------------------------------------------------------------------

WEEK = 7
MY_WORK_ROWS = 50  # per list: the most pressing first; "my work" is a to-do list, not a report


@dataclass(frozen=True)
class RepOverdue:
    rep: User
    overdue_contacts: int
    overdue_actions: int


@dataclass(frozen=True)
class MyWork:
    overdue_contacts: list[ContactPlanRow]  # the most overdue first, at most MY_WORK_ROWS
    due_this_week: list[ContactPlanRow]  # not overdue, next contact within 7 days; likewise
    overdue_actions: list[ActionItem]  # the longest overdue first; likewise
    my_plans: list[AccountPlan]  # drafts and returned plans waiting on their owner; likewise
    to_approve: list[AccountPlan]  # submitted plans this user may approve (the oldest 100)
    team: list[RepOverdue]  # a manager's reps (and a director's: everyone with overdue work)
    visits: list[Visit]  # planned this week (late ones first); at most MY_WORK_ROWS
    overdue_contacts_total: int = 0  # all of them, however many are listed
    overdue_actions_total: int = 0
    more: frozenset[str] = frozenset()  # the lists cut at MY_WORK_ROWS ("visits", "my_plans", …)

    @property
    def rows_shown(self) -> int:
        return MY_WORK_ROWS


def my_work(*, user: User, today: date | None = None) -> MyWork:
    """A person's work as of `today` (local), in a fixed number of queries (rep 7, manager 10; 2
    fewer without contact-plan rows of their own) however much there is: their overdue
    contact-plan contacts and those due this week, overdue actions, their plans awaiting them
    and planned visits (each list the MY_WORK_ROWS most pressing, `more` naming the lists cut),
    the plans awaiting their approval, their own overdue totals and for a manager the overdue
    work per rep of their teams. The database picks, ranks and counts the overdue and due
    contact-plan rows (plans.expressions) in one pass over the person's rows; Python reads only
    the rows shown."""
    today = today or timezone.localdate()
    entries, overdue_total, soon_total = _pressing_entries(user=user, today=today)
    rows = _rows(entries, today=today)
    overdue_count = min(overdue_total, MY_WORK_ROWS)
    actions = list(
        ActionItem.objects.visible_to(user)
        .filter(owner=user, status__in=ActionItem.OPEN_STATUSES, ends_on__lt=today)
        .annotate(total=Window(Count("id")))  # all of them, counted before the LIMIT
        .select_related("account", "plan")
        .order_by("ends_on", "id")[:MY_WORK_ROWS]
    )
    mine = list(
        AccountPlan.objects.visible_to(user)
        .filter(owner=user, status__in=[AccountPlan.Status.DRAFT, AccountPlan.Status.RETURNED])
        .select_related("account")
        .order_by("-status", "period", "id")[: MY_WORK_ROWS + 1]
    )
    submitted = AccountPlan.objects.visible_to(user).filter(status=AccountPlan.Status.SUBMITTED).exclude(owner=user)
    if not user.is_director:
        submitted = submitted.filter(owner__team__manager=user)
    to_approve = list(submitted.select_related("account", "owner").order_by("submitted_at", "id")[:100])
    visits = list(
        Visit.objects.visible_to(user)
        .filter(owner=user, status=Visit.Status.PLANNED, planned_on__lt=today + timedelta(days=WEEK))
        .select_related("account")
        .order_by("planned_on", "id")[: MY_WORK_ROWS + 1]
    )
    actions_total = actions[0].total if actions else 0
    totals = {
        "overdue_contacts": overdue_total,
        "due_this_week": soon_total,
        "overdue_actions": actions_total,
        "my_plans": len(mine),
        "visits": len(visits),
    }
    return MyWork(
        overdue_contacts=rows[:overdue_count],
        due_this_week=rows[overdue_count:],
        overdue_actions=actions,
        my_plans=mine[:MY_WORK_ROWS],
        to_approve=to_approve,
        team=_team_overdue(user=user, today=today),
        visits=visits[:MY_WORK_ROWS],
        overdue_contacts_total=overdue_total,
        overdue_actions_total=actions_total,
        more=frozenset(name for name, total in totals.items() if total > MY_WORK_ROWS),
    )


def _pressing_entries(*, user: User, today: date) -> tuple[list[ContactPlanEntry], int, int]:
    """`user`'s overdue contact-plan entries and those due within the week, each group its
    MY_WORK_ROWS most pressing (next contact day, then name), with the size of each group: one
    pass over their rows (a window per group, the next contact day in SQL), then the rows shown
    (2 queries; 1 when there are none)."""
    overdue = Case(When(next_contact__lt=today, then=Value(0)), default=Value(1))
    ranked = (
        ContactPlanEntry.objects.visible_to(user)
        .filter(owner=user, contact__is_active=True)
        .annotate(next_contact=next_contact_expression())
        .filter(next_contact__lt=today + timedelta(days=WEEK))
        .annotate(
            group=overdue,
            rank=Window(RowNumber(), partition_by=[overdue], order_by=["next_contact", "contact__name", "id"]),
            group_size=Window(Count("id"), partition_by=[overdue]),
        )
        .filter(rank__lte=MY_WORK_ROWS)
        .order_by("group", "rank")
        .values_list("pk", "group", "group_size")  # narrow rows through the sorts; the shown ones read next
    )
    picked = list(ranked)
    by_pk = ContactPlanEntry.objects.select_related("contact", "owner", "account").in_bulk([pk for pk, _, _ in picked])
    sizes = {group: size for _, group, size in picked}
    return [by_pk[pk] for pk, _, _ in picked], sizes.get(0, 0), sizes.get(1, 0)


def _overdue_per_owner(*, owner_ids: list[int], today: date) -> dict[int, tuple[int, int]]:
    """Owner id -> (overdue contact-plan contacts, overdue open actions) as of `today`, counted
    by the database (2 queries); owners with nothing overdue are absent."""
    contacts = dict(
        ContactPlanEntry.objects.filter(owner_id__in=owner_ids, contact__is_active=True)
        .annotate(next_contact=next_contact_expression())
        .filter(next_contact__lt=today)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    actions = dict(
        ActionItem.objects.filter(owner_id__in=owner_ids, status__in=ActionItem.OPEN_STATUSES, ends_on__lt=today)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    return {owner: (contacts.get(owner, 0), actions.get(owner, 0)) for owner in contacts.keys() | actions.keys()}


def _team_overdue(*, user: User, today: date) -> list[RepOverdue]:
    """Per rep of the teams `user` leads (everyone for a director), overdue actions and
    contact-plan contacts; reps with nothing overdue are listed too (a manager sees them all)."""
    if user.role != User.Role.MANAGER and not user.is_director:
        return []
    reps = User.objects.filter(is_active=True).exclude(pk=user.pk).exclude(role=User.Role.INTEGRATION)
    reps = reps if user.is_director else reps.filter(team__manager=user)
    reps = list(reps.order_by("username"))
    counts = _overdue_per_owner(owner_ids=[rep.pk for rep in reps], today=today)
    team = [RepOverdue(rep, *counts.get(rep.pk, (0, 0))) for rep in reps]
    if user.is_director:  # everyone: only those with something overdue
        team = [row for row in team if row.overdue_contacts or row.overdue_actions]
    return team


# --- relationship coverage (the zipper) -------------------------------------------------------


def account_zipper(*, account: Account) -> Zipper:
    """Our people (owner, account team, anyone with a link) × the account's active contacts,
    with each pair's strength and last shared activity; gaps at the decision-maker level
    (plans.domain.zipper). 5 queries."""
    contacts = list(account.contacts.filter(is_active=True).values_list("pk", "name", "buying_role", "title"))
    rows = RelationshipLink.objects.filter(account=account).values_list("contact_id", "user_id", "strength")
    links = {(contact, user): strength for contact, user, strength in rows}
    ours_ids = {user for _, user in links} | set(account.team_members.values_list("user_id", flat=True))
    if account.owner_id:
        ours_ids.add(account.owner_id)
    ours = [Person(u.pk, str(u), "") for u in User.objects.filter(pk__in=ours_ids)]
    shared = (
        Activity.objects.filter(account=account, contacts__isnull=False, participants__isnull=False)
        .values_list("contacts", "participants")
        .annotate(last=Max("occurred_at"))
    )
    return zipper(
        theirs=[Person(pk, name, role, title) for pk, name, role, title in contacts],
        ours=ours,
        strengths=links,
        last_interactions={(contact, user): last for contact, user, last in shared},
    )


# --- revenue plan -----------------------------------------------------------------------------


def revenue_lines(*, plans: list[AccountPlan]) -> list[RevenueLine]:
    """Each plan's planned, expected and actual revenue and profit for its period. Actuals are
    the account's orders in the period (order date, inclusive), cancelled ones excluded; one
    query per distinct period."""
    by_period: dict[str, list[AccountPlan]] = {}
    for plan in plans:
        by_period.setdefault(plan.period, []).append(plan)
    actual: dict[tuple[str, int], tuple] = {}
    for period, group in by_period.items():
        start, end = period_bounds(period)
        rows = (
            Order.objects.filter(account_id__in={p.account_id for p in group}, ordered_at__range=(start, end))
            .exclude(status=Order.Status.CANCELLED)
            .values("account_id")
            .annotate(revenue=Sum("amount"), margin=Sum("margin"))
            .values_list("account_id", "revenue", "margin")
        )
        actual.update({(period, account): (revenue, margin) for account, revenue, margin in rows})
    lines = []
    for plan in plans:
        revenue, margin = actual.get((plan.period, plan.account_id), (None, None))
        lines.append(
            RevenueLine(
                key=plan,
                planned=plan.revenue_target,
                expected=expected_revenue(planned=plan.revenue_target, probability=plan.success_probability),
                actual=revenue or Decimal("0.00"),
                planned_profit=plan.profit_target,
                actual_margin=margin,
            )
        )
    return lines


@dataclass(frozen=True)
class RevenueReport:
    period: str
    lines: list[RevenueLine]
    per_rep: list[RevenueTotal]
    per_team: list[RevenueTotal]
    total: RevenueTotal | None


def revenue_report(*, user: User, period: str) -> RevenueReport:
    """Plan vs actual for `period` over the plans `user` may see: per account, rep and team
    (3 queries). ValueError for a malformed period."""
    period_bounds(period)  # refuse "2026-Q5" before reading anything
    plans = list(
        AccountPlan.objects.visible_to(user)
        .filter(period=period)
        .select_related("account", "owner__team")
        .order_by("account__name", "id")
    )
    lines = revenue_lines(plans=plans)
    everything = totals(lines, lambda line: "all")
    return RevenueReport(
        period=period,
        lines=lines,
        per_rep=totals(lines, lambda line: line.key.owner),
        per_team=totals(lines, lambda line: line.key.owner.team or "–"),
        total=everything[0] if everything else None,
    )
