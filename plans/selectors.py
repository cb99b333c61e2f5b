"""Reads of the plans app for pages, the API and tasks. Each starts from `visible_to(user)` or
from an account the caller already got through it (kam.pages.visible_or_404)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Collate, RowNumber, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Contact, ContactRoleHistory, Order, Team, User
from accounts.visibility import figures_people_visible_to as figures_people
from accounts.visibility import figures_teams_visible_to as figures_teams
from kam.pages import reverse_each
from plans.domain.contacts import days_overdue, is_overdue, local_day, next_contact_day
from plans.domain.plans import action_overdue, period_bounds
from plans.domain.proposals import ProposalFigures, proposal_eligible, proposal_figures
from plans.domain.revenue import RevenueLine, RevenueTotal, expected_revenue, totals
from plans.domain.time_allocation import CategoryShare, allocation_period_bounds, compare_with_guideline
from plans.domain.visits import (
    DEFAULT_INTERVAL_DAYS,
    Completion,
    VisitCount,
    completion_rates,
    intervals_with,
    not_visited_cutoff,
    not_visited_for_too_long,
    rate_period_bounds,
    visit_interval,
)
from plans.domain.zipper import Person, Zipper, zipper
from plans.expressions import AddDays
from plans.models import (
    AccountPlan,
    ActionItem,
    Activity,
    ContactPlanEntry,
    DevelopmentProposal,
    PlanReview,
    RelationshipLink,
    SalesTheme,
    Visit,
    VisitCategoryInterval,
)
from plans.permissions import can_approve
from tiering.domain.matrix import CATEGORIES
from tiering.explanations import category_label
from tiering.models import AccountScore
from tiering.selectors import ScoreRow, TierCard, current_run_id, strategy_for

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
    """The account's newest `limit` activities, newest first (3 queries), with their contacts
    by name and our participants by username loaded with what the timeline shows of them
    (contacts: the name; people: the names `str(user)` writes); other fields of theirs cost a
    query each."""
    # Narrow rows: the page's 30 activities bring 30-odd contacts and people, whose other
    # columns (a contact's 17, a person's password hash …) were read and built for nothing.
    return list(
        Activity.objects.filter(account=account)
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.only("id", "name").order_by("name", "id")),
            Prefetch(
                "participants",
                queryset=User.objects.only("id", "username", "first_name", "last_name").order_by("username"),
            ),
        )
        .order_by("-occurred_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class ContactCard:
    contact: Contact
    past_roles: list[ContactRoleHistory]
    role_label: str  # contact.get_buying_role_display(), in the active language
    attitude_label: str  # contact.get_attitude_display()
    edit_url: str
    move_url: str
    left_url: str


def account_contacts(*, account: Account, include_left: bool = False) -> list[ContactCard]:
    """The account's contacts with their past roles, by name (2 queries), with what the
    account page shows of each: labels in the active language, the links of its actions."""
    contacts = account.contacts.select_related("reports_to").order_by("-is_active", "name", "id")
    if not include_left:
        contacts = contacts.filter(is_active=True)
    contacts = contacts.prefetch_related(
        Prefetch("role_history", queryset=ContactRoleHistory.objects.select_related("account"))
    )
    # Labels and links once per page, not once per row (get_FOO_display hashes every choice).
    roles, attitudes = _labels(Contact, "buying_role"), _labels(Contact, "attitude")
    edit, move, left = (
        reverse_each(f"plans_account:contact_{action}", account.pk) for action in ("edit", "move", "left")
    )
    return [
        ContactCard(
            contact,
            list(contact.role_history.all()),
            role_label=roles.get(contact.buying_role, contact.buying_role),
            attitude_label=attitudes.get(contact.attitude, contact.attitude),
            edit_url=edit(contact.pk),
            move_url=move(contact.pk),
            left_url=left(contact.pk),
        )
        for contact in contacts
    ]


def _labels(model: type[Model], field: str) -> dict[object, str]:
    """The field's choices as value -> label in the active language: what get_FOO_display
    answers for each value (the value itself for one outside the choices)."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


@dataclass(frozen=True)
class TimelineItem:
    """One activity of an account's timeline as its page shows it."""

    activity: Activity
    type_label: str  # activity.get_type_display(), in the active language
    occurred: str  # local time (the current time zone), "YYYY-MM-DD HH:MM"
    contacts: list[str]  # the names of its contacts, by name
    participants: list[str]  # our people taking part (str(user)), by username
    edit_url: str


def timeline_items(*, account: Account, activities: list[Activity]) -> list[TimelineItem]:
    """`activities` of `account` (account_timeline's, contacts and participants prefetched)
    with their labels, names, local time and link written once (no query): the template's
    per-row lookups, reversals and date formatting were most of the page's rendering."""
    types = _labels(Activity, "type")
    edit = reverse_each("plans_account:activity_edit", account.pk)
    zone = timezone.get_current_timezone()
    items = []
    for activity in activities:
        moment = timezone.localtime(activity.occurred_at, zone)
        items.append(
            TimelineItem(
                activity=activity,
                type_label=types.get(activity.type, activity.type),
                # As the template's date:"Y-m-d H:i" writes it.
                occurred=f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}",
                contacts=[contact.name for contact in activity.contacts.all()],
                participants=[str(user) for user in activity.participants.all()],
                edit_url=edit(activity.pk),
            )
        )
    return items


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
    roles, attitudes = _labels(Contact, "buying_role"), _labels(Contact, "attitude")

    def build(contact: Contact) -> OrgNode:
        seen.add(contact.pk)
        role = roles.get(contact.buying_role, contact.buying_role)  # get_buying_role_display(), once per page
        attitude = attitudes.get(contact.attitude, contact.attitude)
        label = " · ".join(part for part in (contact.title, role, attitude) if part)
        below = [build(c) for c in children.get(contact.pk, []) if c.pk not in seen]
        return OrgNode(contact.name, label, below)

    return [build(root).as_dict() for root in children.get(None, []) if root.pk not in seen]


@dataclass(frozen=True)
class AccountPanel:
    """What the account page shows of the plans app."""

    contacts: list[ContactCard]
    org_chart: list[dict]
    timeline: list[TimelineItem]
    plans: list[AccountPlan]
    contact_plan: list[ContactPlanRow]
    themes: list[SalesTheme]
    proposals: list[DevelopmentProposal]
    proposal_eligible: bool  # a potential key account: a development proposal may be written
    visits: AccountVisits


def account_panel(*, account: Account, tier_card: TierCard | None = None) -> AccountPanel:
    """Contacts (with past roles), their org chart, the activity timeline, the plans, the
    contact plan, the sales themes, the development proposals and the visit rhythm (14 queries;
    13 given the account's `tier_card`, whose snapshot decides the proposal eligibility)."""
    contacts = account_contacts(account=account)
    if tier_card is None:
        eligible = proposal_eligibility(account=account)
    else:
        eligible = proposal_eligibility_of(account=account, score=tier_card.score)
    return AccountPanel(
        contacts=contacts,
        org_chart=org_chart(contacts=[card.contact for card in contacts]),
        timeline=timeline_items(account=account, activities=account_timeline(account=account)),
        plans=account_plans(account=account),
        contact_plan=account_contact_plan(account=account),
        themes=list(account.sales_themes.order_by("id")),
        proposals=account_proposals(account=account),
        proposal_eligible=eligible,
        visits=account_visits(account=account),
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
MY_WORK_COUNTED = 999  # totals beyond show as "999+": counting tens of thousands exactly costs a pass over them


class CountOf(Subquery):
    """The number of rows of a queryset (its slice, when sliced: a capped count), as a subquery
    expression: `(SELECT COUNT(*) FROM (…) rows)`; 0 when there are none. The queryset may be
    correlated (OuterRef)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def _capped(rows: QuerySet) -> CountOf:
    """How many `rows` there are, counting at most MY_WORK_COUNTED + 1 of them."""
    return CountOf(rows.order_by().values("pk")[: MY_WORK_COUNTED + 1])


def shown_total(n: int) -> int | str:
    """A total counted by `_capped` as shown: the number, or "999+" beyond MY_WORK_COUNTED."""
    return n if n <= MY_WORK_COUNTED else f"{MY_WORK_COUNTED}+"


@dataclass(frozen=True)
class RepOverdue:
    rep: User
    overdue_contacts: int | str  # shown_total: "999+" beyond MY_WORK_COUNTED
    overdue_actions: int | str


@dataclass(frozen=True)
class MyWork:
    overdue_contacts: list[DueContactRow]  # the most overdue first, at most MY_WORK_ROWS
    due_this_week: list[DueContactRow]  # not overdue, next contact within 7 days; likewise
    overdue_actions: list[ActionItem]  # the longest overdue first; likewise
    my_plans: list[AccountPlan]  # drafts and returned plans waiting on their owner; likewise
    to_approve: list[AccountPlan]  # submitted plans this user may approve (the oldest 100)
    team: list[RepOverdue]  # a manager's reps (and a director's: everyone with overdue work)
    visits: list[Visit]  # planned this week (late ones first); at most MY_WORK_ROWS
    my_proposals: list[DevelopmentProposal]  # drafts and returned proposals waiting on their owner
    proposals_to_approve: list[DevelopmentProposal]  # submitted proposals this user may approve (the oldest 100)
    overdue_contacts_total: int | str = 0  # all of them, however many are listed ("999+" beyond MY_WORK_COUNTED)
    overdue_actions_total: int | str = 0
    more: frozenset[str] = frozenset()  # the lists cut at MY_WORK_ROWS ("visits", "my_plans", …)

    @property
    def rows_shown(self) -> int:
        return MY_WORK_ROWS


# What a person's name on a page needs (User.__str__); "my work" reads only the columns it shows.
_OWNER_SHOWN = ("owner__first_name", "owner__last_name", "owner__username")


def my_work(*, user: User, today: date | None = None) -> MyWork:
    """A person's work as of `today` (local), in a fixed number of queries however much there is
    (plans/tests/test_query_counts.py holds the page to it): their overdue
    contact-plan contacts and those due this week, overdue actions, their plans and development
    proposals awaiting them and planned visits (each list the MY_WORK_ROWS most pressing, `more`
    naming the lists cut), the plans and proposals awaiting their approval (a manager's or a
    director's: nobody else approves, and is not asked), their own overdue
    totals (up to MY_WORK_COUNTED, then "999+") and for a manager the overdue work per rep of
    their teams. The database picks and counts the overdue and due contact-plan rows and actions
    from index ranges (the stored next contact day, the actions' end day); Python reads only the
    rows shown."""
    today = today or timezone.localdate()
    rows, overdue_total, soon_total = _pressing_entries(user=user, today=today)
    overdue_count = min(overdue_total, MY_WORK_ROWS)
    late_actions = ActionItem.objects.visible_to(user).filter(
        owner=user, status__in=ActionItem.OPEN_STATUSES, ends_on__lt=today
    )
    actions = list(
        late_actions.annotate(total=_capped(late_actions))  # by the open actions' (owner, end) index
        .select_related("account")
        .only("plan_id", "action", "ends_on", "account__name")
        .order_by("ends_on", "id")[:MY_WORK_ROWS]
    )
    mine = list(
        AccountPlan.objects.visible_to(user)
        .filter(owner=user, status__in=[AccountPlan.Status.DRAFT, AccountPlan.Status.RETURNED])
        .select_related("account")
        .only("period", "status", "account__name")
        .order_by("-status", "period", "id")[: MY_WORK_ROWS + 1]
    )
    # Only a manager or a director approves (plans.permissions.can_approve): a rep has nothing
    # to approve, and is not asked.
    approves = user.is_director or user.role == User.Role.MANAGER
    submitted = AccountPlan.objects.visible_to(user).filter(status=AccountPlan.Status.SUBMITTED).exclude(owner=user)
    if not user.is_director:
        submitted = submitted.filter(owner__team__manager=user)
    to_approve = (  # by the submitted plans' (submitted_at, id) index: its first rows, not a sort
        list(
            submitted.select_related("account", "owner")
            .only("period", "submitted_at", "account__name", *_OWNER_SHOWN)
            .order_by("submitted_at", "id")[:100]
        )
        if approves
        else []
    )
    visits = list(
        Visit.objects.visible_to(user)
        .filter(owner=user, status=Visit.Status.PLANNED, planned_on__lt=today + timedelta(days=WEEK))
        .select_related("account")
        .only("planned_on", "account__name")
        .order_by("planned_on", "id")[: MY_WORK_ROWS + 1]
    )
    my_proposals = list(
        DevelopmentProposal.objects.visible_to(user)
        .filter(owner=user, status__in=[DevelopmentProposal.Status.DRAFT, DevelopmentProposal.Status.RETURNED])
        .select_related("account")
        .only("status", "account__name")
        .order_by("-status", "created_at", "id")[:MY_WORK_ROWS]
    )
    submitted_proposals = (
        DevelopmentProposal.objects.visible_to(user)
        .filter(status=DevelopmentProposal.Status.SUBMITTED)
        .exclude(owner=user)
    )
    if not user.is_director:  # the owner's manager (plans.permissions.can_approve)
        submitted_proposals = submitted_proposals.filter(owner__team__manager=user)
    proposals_to_approve = (
        list(
            submitted_proposals.select_related("account", "owner")
            .only("submitted_at", "account__name", *_OWNER_SHOWN)
            .order_by("submitted_at", "id")[:100]
        )
        if approves
        else []
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
        my_proposals=my_proposals,
        proposals_to_approve=proposals_to_approve,
        overdue_contacts_total=shown_total(overdue_total),
        overdue_actions_total=shown_total(actions_total),
        more=frozenset(name for name, total in totals.items() if total > MY_WORK_ROWS),
    )


@dataclass(frozen=True)
class DueContactRow:
    """A contact-plan entry on "my work": `entry` with its contact's and account's names only."""

    entry: ContactPlanEntry
    next_contact: date  # the stored next contact day (plans/0015)
    days_overdue: int  # plans.domain.contacts.days_overdue; 0 when due this week


def _pressing_entries(*, user: User, today: date) -> tuple[list[DueContactRow], int, int]:
    """`user`'s overdue contact-plan entries and those due within the week, each group its
    MY_WORK_ROWS most pressing (earliest next contact day; within a day the first entered), shown
    by day then contact name, with the size of each group counted up to MY_WORK_COUNTED + 1 (2
    queries, one per group; each counts its group in a subquery the database runs once).

    Both read the stored next contact day (`next_contact_on`, NULL for contacts who left) through
    the index (owner, next contact, id, account): a range of the person's rows, counted from the
    index alone, and its first rows in the index's order, however many rows the person keeps
    (thousands may share a day: ordering them by name would read them all). That stored day is
    the rule's (plans.domain.contacts.next_contact_day, kept exact by the triggers of
    plans/0015), so the rows need no activities: only the names the page shows are read."""
    mine = ContactPlanEntry.objects.visible_to(user).filter(owner=user)
    overdue = Q(next_contact_on__lt=today)
    soon = Q(next_contact_on__gte=today, next_contact_on__lt=today + timedelta(days=WEEK))
    late, due = (
        sorted(
            mine.filter(group)
            .annotate(group_size=_capped(mine.filter(group)))
            .select_related("contact", "account")
            .only("account_id", "contact_id", "next_contact_on", "contact__name", "account__name")
            .order_by("next_contact_on", "id")[:MY_WORK_ROWS],
            key=lambda entry: (entry.next_contact_on, entry.contact.name, entry.pk),
        )
        for group in (overdue, soon)
    )
    rows = [
        DueContactRow(entry, entry.next_contact_on, days_overdue(due=entry.next_contact_on, today=today))
        for entry in late + due
    ]
    return rows, late[0].group_size if late else 0, due[0].group_size if due else 0


def _team_overdue(*, user: User, today: date) -> list[RepOverdue]:
    """Per rep of the teams `user` leads (everyone for a director), overdue actions and
    contact-plan contacts; reps with nothing overdue are listed too (a manager sees them all).
    1 query: the reps, each with two capped counts (MY_WORK_COUNTED) from an index (the contact
    plan's on the stored next contact day, the open actions' on the end day)."""
    if user.role != User.Role.MANAGER and not user.is_director:
        return []
    reps = User.objects.filter(is_active=True).exclude(pk=user.pk).exclude(role=User.Role.INTEGRATION)
    reps = reps if user.is_director else reps.filter(team__manager=user)
    contacts = ContactPlanEntry.objects.filter(owner=OuterRef("pk"), next_contact_on__lt=today)
    actions = ActionItem.objects.filter(owner=OuterRef("pk"), status__in=ActionItem.OPEN_STATUSES, ends_on__lt=today)
    reps = reps.annotate(overdue_contacts=_capped(contacts), overdue_actions=_capped(actions))
    team = [
        RepOverdue(rep, shown_total(rep.overdue_contacts), shown_total(rep.overdue_actions))
        for rep in reps.order_by("username")
    ]
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


# --- key-account development proposals --------------------------------------------------------


def proposal_eligibility(*, account: Account) -> bool:
    """Whether `account` is a potential key account (plans.domain.proposals.proposal_eligible)
    by its category and its own row of the current tiering run (1 query; no run: not eligible)."""
    row = (
        AccountScore.objects.filter(run_id__in=current_run_id(), account=account, is_group=False)
        .values_list("potential_band", "badges")
        .first()
    )
    potential_band, badges = row if row is not None else ("", [])
    return proposal_eligible(category=account.category, potential_band=potential_band, badges=badges or [])


def proposal_eligibility_of(*, account: Account, score: ScoreRow | None) -> bool:
    """proposal_eligibility from the account's own row of the current run already read
    (tiering.selectors.TierCard.score; None: no row, not eligible). No query."""
    if score is None:
        return proposal_eligible(category=account.category, potential_band="", badges=[])
    return proposal_eligible(category=account.category, potential_band=score.potential_band, badges=score.badges)


def account_proposals(*, account: Account) -> list[DevelopmentProposal]:
    """The account's development proposals, newest first (1 query)."""
    return list(account.development_proposals.select_related("owner").order_by("-created_at", "-id"))


def figures_of(proposal: DevelopmentProposal) -> ProposalFigures:
    """The proposal's computed figures (expected profit …; plans.domain.proposals)."""
    return proposal_figures(
        sales=proposal.forecast_sales,
        margin_percent=proposal.margin_percent,
        management=proposal.management_cost,
        travel=proposal.travel_cost,
        other=proposal.other_cost,
    )


@dataclass(frozen=True)
class ProposalPage:
    proposal: DevelopmentProposal
    figures: ProposalFigures
    can_approve: bool


def proposal_page(*, proposal: DevelopmentProposal, user: User) -> ProposalPage:
    """A proposal with its figures and whether `user` may approve or return it (no query)."""
    return ProposalPage(proposal=proposal, figures=figures_of(proposal), can_approve=can_approve(user, proposal))


# --- time allocation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationScope:
    """Whose time: one rep, one team, or everyone whose figures the caller may see (both None)."""

    owner: User | None = None
    team: Team | None = None


def allocation_scope(*, user: User, owner: str | None = None, team: str | int | None = None) -> AllocationScope:
    """The scope named by `owner` (username) or `team` (id), by the figures rule of the sales
    dashboard (funnel.selectors.people_visible_to: a rep themself, a manager their teams' reps, a
    director everyone). Http404 when the caller may not see that rep or team or it does not exist."""
    if owner:
        found = figures_people(user).filter(username=owner).first()
        if found is None:
            raise Http404
        return AllocationScope(owner=found)
    if team not in (None, ""):
        try:
            return AllocationScope(team=figures_teams(user).get(pk=int(team)))
        except (Team.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
    return AllocationScope()


def reps_visible_to(*, user: User) -> QuerySet[User]:
    """The active people (no integration users) whose time and visit figures `user` may see
    (accounts.visibility.figures_people_visible_to), by username."""
    return figures_people(user).filter(is_active=True).exclude(role=User.Role.INTEGRATION).order_by("username")


def allocation_teams(*, user: User) -> QuerySet[Team]:
    """The teams whose time `user` may see (a director all, a manager theirs, a rep none), by name."""
    return figures_teams(user).order_by("name")


@dataclass(frozen=True)
class AllocationRow:
    """One rep's, one team's or everyone's time: minutes per category against the guideline."""

    label: str
    key: User | Team | None
    categories: list[CategoryShare]
    total_minutes: int


@dataclass(frozen=True)
class TimeAllocation:
    period: str
    start: date
    end: date
    total: AllocationRow
    per_team: list[AllocationRow]
    per_rep: list[AllocationRow]


def _row(label: str, key: User | Team | None, minutes: dict[str, int]) -> AllocationRow:
    return AllocationRow(label, key, compare_with_guideline(minutes), sum(minutes.values()))


def time_allocation(*, user: User, period: str, scope: AllocationScope | None = None) -> TimeAllocation:
    """Activity time (the sum of `duration_minutes`) in `period` ("2026", "2026-Q2", "2026-03";
    local days, inclusive) per account category, per rep and team and in all, against the
    guideline (plans.domain.time_allocation). An activity counts for each of our participants
    (each spent the time); only activities on accounts `user` may see, of the reps in `scope`
    (see allocation_scope). The minutes come from one grouped query; the people listed (also
    those without time) from one more. ValueError for a malformed period."""
    start, end = allocation_period_bounds(period)
    scope = scope or AllocationScope()
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    people = reps_visible_to(user=user)
    if scope.owner is not None:
        people = people.filter(pk=scope.owner.pk)
    elif scope.team is not None:
        people = people.filter(team=scope.team)
    reps = list(people.select_related("team"))
    through = Activity.participants.through
    grouped = (
        through.objects.filter(
            user_id__in=[rep.pk for rep in reps],
            activity__in=Activity.objects.visible_to(user).filter(occurred_at__gte=since, occurred_at__lt=until),
        )
        .values_list("user_id", "activity__account__category")
        .annotate(minutes=Sum("activity__duration_minutes"))
        .order_by()
    )
    per_user: dict[int, dict[str, int]] = {}
    for user_id, category, minutes in grouped:
        bucket = per_user.setdefault(user_id, {})
        bucket[category or ""] = bucket.get(category or "", 0) + int(minutes or 0)
    per_team_minutes: dict[int, dict[str, int]] = {}
    teams: dict[int, Team] = {}
    everyone: dict[str, int] = {}
    for rep in reps:
        for category, minutes in per_user.get(rep.pk, {}).items():
            everyone[category] = everyone.get(category, 0) + minutes
            if rep.team_id is not None:
                bucket = per_team_minutes.setdefault(rep.team_id, {})
                bucket[category] = bucket.get(category, 0) + minutes
        if rep.team_id is not None:
            teams[rep.team_id] = rep.team
            per_team_minutes.setdefault(rep.team_id, {})
    return TimeAllocation(
        period=period,
        start=start,
        end=end,
        total=_row("", None, everyone),
        per_team=[
            _row(team.name, team, per_team_minutes[pk]) for pk, team in sorted(teams.items(), key=lambda t: t[1].name)
        ],
        per_rep=[_row(str(rep), rep, per_user.get(rep.pk, {})) for rep in reps],
    )


# --- visits: intervals, completion rate, not visited for too long --------------------------------


@dataclass(frozen=True)
class AccountVisits:
    """An account's visit rhythm as its page shows it."""

    interval_days: int  # the one in force: its own, else its category's
    own_interval: int | None  # the account's override (VisitInterval), if any
    category_interval: int
    last_visit: date | None  # local day of its latest visit activity
    too_long: bool  # plans.domain.visits.not_visited_for_too_long
    planned: list[Visit]  # still planned, soonest first
    today: date  # as of which (a planned visit before it is late)


def account_visits(*, account: Account, today: date | None = None) -> AccountVisits:
    """The account's interval (own or its category's), last visit (the latest activity of type
    visit, stored: plans.models.LastVisit) and planned visits, as of `today` (local). 2 queries:
    the account's own interval, its last visit and a director's interval for its category in
    one row, then the planned visits."""
    today = today or timezone.localdate()
    director_interval = VisitCategoryInterval.objects.filter(category=account.category).values("interval_days")[:1]
    own, last, category_setting = (
        Account.objects.filter(pk=account.pk)
        .values_list("visit_interval__interval_days", "last_visit__occurred_at", Subquery(director_interval))
        .get()
    )
    # The same lookup as visit_intervals() (defaults overlaid with the director's settings),
    # reading only this account's category.
    chosen = {} if category_setting is None else {account.category: category_setting}
    category_interval = visit_interval(category=account.category, intervals=intervals_with(chosen))
    interval = own if own is not None else category_interval
    last_day = local_day(last, timezone.get_current_timezone()) if last else None
    planned = list(
        Visit.objects.filter(account=account, status=Visit.Status.PLANNED)
        .select_related("owner")
        .order_by("planned_on", "id")
    )
    too_long = not_visited_for_too_long(last_visit=last_day, interval_days=interval, today=today)
    return AccountVisits(interval, own, category_interval, last_day, too_long, planned, today)


def visit_intervals() -> dict[str, int]:
    """Category -> days between visits: the defaults (plans.domain.visits) overlaid with a
    director's settings (1 query)."""
    return intervals_with(dict(VisitCategoryInterval.objects.values_list("category", "interval_days")))


@dataclass(frozen=True)
class RateRow:
    who: object  # a User or a Team
    figures: Completion


@dataclass(frozen=True)
class VisitRates:
    period: str
    start: date
    end: date
    per_rep: list[RateRow]
    per_team: list[RateRow]


def visit_rates(*, user: User, period: str, rep: User | None = None, today: date | None = None) -> VisitRates:
    """The visit completion rate (plans.domain.visits.completion: done / due, skipped and
    moved visits defined there) per rep and team for a month ("2026-11") or quarter
    ("2026-Q4"), over the reps `user` may see (reps_visible_to), or only `rep` (the caller
    checks `rep` is among them). A rep's figure counts all their visits, whatever account;
    teams are those `user` sees whole (a director all, a manager those they lead).
    3 queries: the reps, their teams, one grouped count. ValueError for a malformed period."""
    today = today or timezone.localdate()
    start, end = rate_period_bounds(period)
    reps = reps_visible_to(user=user)
    if rep is not None:
        reps = reps.filter(pk=rep.pk)
    people = list(reps.select_related("team").order_by("username"))
    rows = [
        VisitCount(owner, status, planned_on, n)
        for owner, status, planned_on, n in Visit.objects.filter(
            owner__in=[p.pk for p in people], planned_on__range=(start, end)
        )
        .values("owner_id", "status", "planned_on")
        .annotate(n=Count("id"))
        .values_list("owner_id", "status", "planned_on", "n")
        .order_by()
    ]
    # A team's figure only where the caller sees all of it: a director every team, a manager
    # the teams they lead; never for one rep picked out, nor a rep's own team.
    teams = {
        p.team_id: p.team
        for p in people
        if rep is None and p.team_id is not None and (user.is_director or p.team.manager_id == user.pk)
    }
    per_rep, per_team = completion_rates(
        rows=rows,
        teams={p.pk: p.team_id if p.team_id in teams else None for p in people},
        start=start,
        end=end,
        today=today,
    )
    by_pk = {p.pk: p for p in people}
    return VisitRates(
        period=period,
        start=start,
        end=end,
        per_rep=[RateRow(by_pk[c.key], c) for c in per_rep],
        per_team=[RateRow(teams[c.key], c) for c in per_team],
    )


@dataclass(frozen=True)
class NotVisitedRow:
    account: Account
    last_visit: date | None  # local day of its latest visit activity
    interval_days: int
    days_since: int | None


@dataclass(frozen=True)
class NotVisitedGroup:
    category: str  # "" for accounts not placed yet
    label: str  # the category in the active language
    interval_days: int  # the category's (an account's own may differ)
    total: int
    rows: list[NotVisitedRow]  # the longest unvisited first, at most NOT_VISITED_SHOWN


NOT_VISITED_SHOWN = 20


def not_visited(*, user: User, today: date | None = None) -> list[NotVisitedGroup]:
    """The accounts not visited for too long (plans.domain.visits.not_visited_for_too_long),
    per category in CATEGORIES order: a rep's own accounts; a manager's and their teams'
    reps'; nobody else's (a director reads the rates page). The last visit is the latest
    activity of type visit (one source; a skipped visit is no visit), stored per account
    (plans.models.LastVisit; on PostgreSQL copied onto the account's row, plans/0018, and read
    as index ranges: _not_visited_ranges). However many accounts, 2 queries for a rep (the
    intervals; the shown rows with their category's count and their accounts' names), 3 for a
    manager (first the people whose accounts count, with their names). `account` holds only
    what the page shows: its name and owner."""
    today = today or timezone.localdate()
    if not user.is_active or user.is_director or user.role not in (User.Role.REP, User.Role.MANAGER):
        return []  # (an inactive user sees nothing: accounts.visibility)
    # Whose accounts: the user's and, for a manager, those of the people of the teams they lead.
    # Named as a list of ids, each a range of the index read (plans/0018's account_not_visited;
    # on SQLite accounts.Account account_owner_shown), their names read once rather than joined.
    people = {user.pk: user}
    if user.role == User.Role.MANAGER:
        team = User.objects.filter(team__manager=user).exclude(pk=user.pk)
        people |= {person.pk: person for person in team.only("first_name", "last_name", "username")}
    intervals = visit_intervals()
    if connection.vendor == "postgresql":
        # Every account of these people is visible to the user (a rep's own; a manager's and
        # their teams' members': accounts.visibility's rule), so the owners alone name them and
        # each person's accounts of a category are a range of one index (plans/0018).
        shown = _not_visited_ranges(owners=sorted(people), intervals=intervals, today=today)
    else:
        shown = _first_per_category(_flagged(user=user, owners=sorted(people), intervals=intervals, today=today))
    groups: dict[str, list[tuple]] = {}
    accounts: dict[int, Account] = {}
    for category, rank, pk, last, interval, total, name, owner_id in shown:
        groups.setdefault(category, []).append((rank, pk, last, interval, total))
        accounts[pk] = account = _partial(Account, {"id": pk, "name": name, "owner_id": owner_id})
        account.owner = people[owner_id]
    result = []
    for category in [*CATEGORIES, *sorted(set(groups) - set(CATEGORIES))]:
        if category not in groups:
            continue
        shown = sorted(groups[category])  # by rank: never visited first, then the longest ago
        rows = [
            NotVisitedRow(accounts[pk], last, interval, (today - last).days if last else None)
            for _rank, pk, last, interval, _total in shown
        ]
        label = category_label(category) or _("Not placed yet")
        interval = intervals.get(category, DEFAULT_INTERVAL_DAYS)
        result.append(NotVisitedGroup(category, label, interval, shown[0][4], rows))
    return result


# What not_visited reads of each flagged account it shows: (category, rank, pk, local day of the
# last visit or None, interval in days, the category's count of flagged accounts, name, owner id).
# Rank: never visited first, then the longest ago, then by name (code points, as Python sorts:
# the "C"/BINARY collation, not the database's) and id.
_SHOWN = ("category", "rank", "pk", "last", "interval", "total", "name", "owner_id")


def _first_per_category(flagged: QuerySet[Account]) -> list[tuple]:
    """The first NOT_VISITED_SHOWN of each category of `flagged` (annotated with `last` and
    `interval`) with their rank and the category's count, as _SHOWN rows: window functions over
    all of them (a sort of every flagged account)."""
    per_category = {"partition_by": [F("category")]}
    return list(
        flagged.annotate(
            total=Window(Count("pk"), **per_category),
            rank=Window(
                RowNumber(),
                **per_category,
                order_by=[F("last").asc(nulls_first=True), Collate("name", _BYTES[connection.vendor]), "pk"],
            ),
        )
        .filter(rank__lte=NOT_VISITED_SHOWN)
        .order_by()
        .values_list(*_SHOWN)
    )


def _flagged(*, user: User, owners: list[int], intervals: dict[str, int], today: date) -> QuerySet[Account]:
    """The accounts of `owners` that `user` sees and that are not visited for too long, annotated
    with `last` (local day of the last visit, or None) and `interval` (their own, else their
    category's): all in the database, over the stored last visit (plans.models.LastVisit). The
    plain query: it reads every account of those people (SQLite's path)."""
    last = TruncDate("last_visit__occurred_at", tzinfo=timezone.get_current_timezone())
    category_days = Case(
        *(When(category=category, then=Value(days)) for category, days in intervals.items()),
        default=Value(DEFAULT_INTERVAL_DAYS),
        output_field=IntegerField(),
    )
    return (
        Account.objects.visible_to(user)
        .filter(owner__in=owners)
        .annotate(last=last, interval=Coalesce("visit_interval__interval_days", category_days))
        .annotate(due=AddDays(F("last"), F("interval")))
        .filter(Q(last__isnull=True) | Q(due__lt=today))
    )


def _not_visited_ranges(*, owners: list[int], intervals: dict[str, int], today: date) -> list[tuple]:
    """PostgreSQL: the accounts of `owners` not visited for too long, as _SHOWN rows (the first
    NOT_VISITED_SHOWN per category, with the category's count), in 1 query that reads index
    ranges, not every account (issue 9: tens of thousands per person).

    An account without its own interval is flagged when never visited or last visited before
    its category's cutoff instant (plans.domain.visits.not_visited_cutoff, computed here, so no
    day is stored): per person and category, a range of the index account_not_visited
    (plans/0018: owner, category, last visit with the never-visited first, name in code-point
    order, id). The database counts each range from the index and walks each in the page's
    order for its first rows; within a day the page orders by name, which the timestamp order
    is not, so the rows from the cut row's timestamp to two days after it come too (its local day
    ends before that) and Python ranks them by local day. The few accounts with their own
    interval are read whole and weighed in Python: taken out of their category's range (the
    walk skips them; the count loses those it held) and counted by their own cutoff."""
    zone = timezone.get_current_timezone()

    @functools.cache  # one per interval, however many accounts share it
    def cutoff(days: int) -> datetime:
        return not_visited_cutoff(today=today, interval_days=days, zone=zone)

    cutoffs = {category: cutoff(days) for category, days in intervals.items()}
    other_cutoff = cutoff(DEFAULT_INTERVAL_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(
            _NOT_VISITED_RANGES,
            {
                "owners": owners,
                "categories": list(cutoffs),
                "cutoffs": list(cutoffs.values()),
                "other_cutoff": other_cutoff,
                "shown": NOT_VISITED_SHOWN,
            },
        )
        rows = cursor.fetchall()
    totals: dict[str, int] = {}
    flagged: dict[str, dict[int, tuple]] = {}  # category -> id -> (last visit, name, owner, interval)
    for kind, category, pk, name, owner_id, last_at, n, own in rows:
        if kind == "count":
            totals[category] = totals.get(category, 0) + n
        elif kind == "row":
            interval = intervals.get(category, DEFAULT_INTERVAL_DAYS)
            flagged.setdefault(category, {})[pk] = (last_at, name, owner_id, interval)
        else:  # an account with its own interval: out of its category's count, in by its own rule
            if last_at is None or last_at < cutoffs.get(category, other_cutoff):
                totals[category] -= 1
            if last_at is None or last_at < cutoff(own):
                totals[category] = totals.get(category, 0) + 1
                flagged.setdefault(category, {})[pk] = (last_at, name, owner_id, own)
    shown = []
    for category, accounts in flagged.items():
        days = {pk: local_day(last_at, zone) if last_at else None for pk, (last_at, *_) in accounts.items()}
        # Never visited first, then the longest ago, then by name (code points) and id.
        ranked = sorted(accounts, key=lambda pk: (days[pk] is not None, days[pk] or today, accounts[pk][1], pk))
        for rank, pk in enumerate(ranked[:NOT_VISITED_SHOWN], 1):
            _last_at, name, owner_id, interval = accounts[pk]
            shown.append((category, rank, pk, days[pk], interval, totals[category], name, owner_id))
    return shown


# Parameters: owners (ids), categories and their cutoffs (timestamptz), other_cutoff (for any
# other category), shown (rows per category). Rows: (kind, category, id, name, owner id, last
# visit, count, own interval): kind "count" (one per person and category: the flagged accounts
# of the range, those with their own interval included), "row" (a flagged account without its
# own interval, among the first of its range or on the cut row's day), "own" (an account of
# these people with its own interval, flagged or not).
_NOT_VISITED_RANGES = """
    WITH RECURSIVE owned AS (
        -- Each person's categories: one probe of the index per category, each the next
        -- (owner, category) after the last. Compared as rows and ordered by both, which only
        -- that index answers (a min(category) with owner_id = … may walk the category index
        -- instead: all of it for a person who owns no account).
        SELECT o.id AS owner_id, f.category
          FROM unnest(%(owners)s::bigint[]) AS o(id)
         CROSS JOIN LATERAL (
               SELECT a.owner_id, a.category FROM accounts_account a
                WHERE (a.owner_id, a.category) >= (o.id, '')
                ORDER BY a.owner_id, a.category LIMIT 1) f
         WHERE f.owner_id = o.id
        UNION ALL
        SELECT p.owner_id, f.category
          FROM owned p
         CROSS JOIN LATERAL (
               SELECT a.owner_id, a.category FROM accounts_account a
                WHERE (a.owner_id, a.category) > (p.owner_id, p.category)
                ORDER BY a.owner_id, a.category LIMIT 1) f
         WHERE f.owner_id = p.owner_id
    ),
    ranges AS MATERIALIZED (
        SELECT p.owner_id, p.category, coalesce(k.cutoff, %(other_cutoff)s::timestamptz) AS cutoff
          FROM owned p
          LEFT JOIN unnest(%(categories)s::text[], %(cutoffs)s::timestamptz[]) AS k(category, cutoff)
            ON k.category = p.category
    ),
    firsts AS MATERIALIZED (
        SELECT r.category, f.*
          FROM ranges r
         CROSS JOIN LATERAL (
               SELECT a.id, a.name, a.owner_id, a.last_visit_at FROM accounts_account a
                WHERE a.owner_id = r.owner_id AND a.category = r.category
                  AND (a.last_visit_at IS NULL OR a.last_visit_at < r.cutoff)
                  AND NOT EXISTS (SELECT FROM plans_visitinterval v WHERE v.account_id = a.id)
                ORDER BY a.last_visit_at NULLS FIRST, a.name COLLATE "C", a.id
                LIMIT %(shown)s) f
    ),
    cut AS (  -- per category, the last visit of the row where the page cuts (none: no more rows)
        SELECT category, (array_agg(last_visit_at ORDER BY last_visit_at NULLS FIRST))[%(shown)s] AS at
          FROM firsts GROUP BY category
    )
    SELECT 'count', r.category, NULL::bigint, NULL, NULL::bigint, NULL::timestamptz,
           (SELECT count(*) FROM accounts_account a
             WHERE a.owner_id = r.owner_id AND a.category = r.category AND a.last_visit_at IS NULL)
         + (SELECT count(*) FROM accounts_account a
             WHERE a.owner_id = r.owner_id AND a.category = r.category AND a.last_visit_at < r.cutoff),
           NULL::integer
      FROM ranges r
    UNION ALL
    SELECT 'row', category, id, name, owner_id, last_visit_at, NULL, NULL FROM firsts
    UNION ALL
    SELECT 'row', r.category, x.id, x.name, x.owner_id, x.last_visit_at, NULL, NULL
      FROM cut JOIN ranges r ON r.category = cut.category
     CROSS JOIN LATERAL (
           SELECT a.id, a.name, a.owner_id, a.last_visit_at FROM accounts_account a
            WHERE a.owner_id = r.owner_id AND a.category = r.category
              AND a.last_visit_at >= cut.at AND a.last_visit_at < least(r.cutoff, cut.at + interval '2 days')
              AND NOT EXISTS (SELECT FROM plans_visitinterval v WHERE v.account_id = a.id)) x
     WHERE cut.at IS NOT NULL
    UNION ALL
    SELECT 'own', a.category, a.id, a.name, a.owner_id, a.last_visit_at, NULL, v.interval_days
      FROM plans_visitinterval v JOIN accounts_account a ON a.id = v.account_id
     WHERE a.owner_id = ANY(%(owners)s::bigint[])
"""


M = TypeVar("M", bound=Model)


def _partial(model: type[M], values: dict[str, object]) -> M:
    """An instance of `model` holding `values` (attname -> value) as if read from the database,
    its other fields deferred. (Model.from_db takes the values in the model's field order.)"""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


# The collation that orders text by code point, as Python's str comparison does.
_BYTES = {"postgresql": "C", "sqlite": "BINARY"}
