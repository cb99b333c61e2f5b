"""Reads of the plans app for pages, the API and tasks. Each starts from `visible_to(user)` or
from an account the caller already got through it (kam.pages.visible_or_404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Max, Prefetch, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from accounts.models import Account, Contact, ContactRoleHistory, Order, Team, User
from funnel.selectors import people_visible_to as figures_people
from funnel.selectors import teams_visible_to as figures_teams
from plans.domain.contacts import days_overdue, is_overdue, local_day, next_contact_day
from plans.domain.plans import action_overdue, period_bounds
from plans.domain.proposals import ProposalFigures, proposal_eligible, proposal_figures
from plans.domain.revenue import RevenueLine, RevenueTotal, expected_revenue, totals
from plans.domain.time_allocation import CategoryShare, allocation_period_bounds, compare_with_guideline
from plans.domain.zipper import Person, Zipper, zipper
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
)
from plans.permissions import can_approve
from tiering.models import AccountScore
from tiering.selectors import current_run_id, strategy_for

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
    proposals: list[DevelopmentProposal]
    proposal_eligible: bool  # a potential key account: a development proposal may be written


def account_panel(*, account: Account) -> AccountPanel:
    """Contacts (with past roles), their org chart, the activity timeline, the plans, the
    contact plan, the sales themes and the development proposals (11 queries)."""
    contacts = account_contacts(account=account)
    return AccountPanel(
        contacts=contacts,
        org_chart=org_chart(contacts=[card.contact for card in contacts]),
        timeline=account_timeline(account=account),
        plans=account_plans(account=account),
        contact_plan=account_contact_plan(account=account),
        themes=list(account.sales_themes.order_by("id")),
        proposals=account_proposals(account=account),
        proposal_eligible=proposal_eligibility(account=account),
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
    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()
    rows = list(entries.select_related("contact", "owner", "account"))
    moments: dict[int, list] = {}
    contact_ids = {entry.contact_id for entry in rows}
    if contact_ids:
        through = Activity.contacts.through
        for contact_id, occurred_at in through.objects.filter(contact_id__in=contact_ids).values_list(
            "contact_id", "activity__occurred_at"
        ):
            moments.setdefault(contact_id, []).append(occurred_at)
    result = []
    for entry in rows:
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


# --- my work ----------------------------------------------------------------------------------

WEEK = 7


@dataclass(frozen=True)
class RepOverdue:
    rep: User
    overdue_contacts: int
    overdue_actions: int


@dataclass(frozen=True)
class MyWork:
    overdue_contacts: list[ContactPlanRow]
    due_this_week: list[ContactPlanRow]  # not overdue, next contact within 7 days
    overdue_actions: list[ActionItem]
    my_plans: list[AccountPlan]  # drafts and returned plans waiting on their owner
    to_approve: list[AccountPlan]  # submitted plans this user may approve
    team: list[RepOverdue]  # a manager's reps (and a director's: everyone with overdue work)
    visits: list[Visit]  # planned this week (late ones first)
    my_proposals: list[DevelopmentProposal]  # drafts and returned proposals waiting on their owner
    proposals_to_approve: list[DevelopmentProposal]  # submitted proposals this user may approve


def my_work(*, user: User, today: date | None = None) -> MyWork:
    """A person's work as of `today` (local), in a fixed number of queries (11) however much
    there is: their contact plan, overdue actions, their plans and development proposals
    awaiting them, the plans and proposals awaiting their approval, and for a manager the
    overdue work per rep of their teams."""
    today = today or timezone.localdate()
    rows = contact_plan_rows(
        entries=ContactPlanEntry.objects.visible_to(user)
        .filter(owner=user, contact__is_active=True)
        .order_by("contact__name", "id"),
        today=today,
    )
    overdue = sorted((row for row in rows if row.overdue), key=lambda row: row.next_contact)
    soon = sorted(
        (row for row in rows if not row.overdue and (row.next_contact - today).days < WEEK),
        key=lambda row: row.next_contact,
    )
    actions = list(
        ActionItem.objects.visible_to(user)
        .filter(owner=user, status__in=ActionItem.OPEN_STATUSES, ends_on__lt=today)
        .select_related("account", "plan")
        .order_by("ends_on", "id")
    )
    mine = list(
        AccountPlan.objects.visible_to(user)
        .filter(owner=user, status__in=[AccountPlan.Status.DRAFT, AccountPlan.Status.RETURNED])
        .select_related("account")
        .order_by("-status", "period", "id")
    )
    submitted = AccountPlan.objects.visible_to(user).filter(status=AccountPlan.Status.SUBMITTED).exclude(owner=user)
    if not user.is_director:
        submitted = submitted.filter(owner__team__manager=user)
    to_approve = list(submitted.select_related("account", "owner").order_by("submitted_at", "id")[:100])
    visits = list(
        Visit.objects.visible_to(user)
        .filter(owner=user, status=Visit.Status.PLANNED, planned_on__lt=today + timedelta(days=WEEK))
        .select_related("account")
        .order_by("planned_on", "id")
    )
    my_proposals = list(
        DevelopmentProposal.objects.visible_to(user)
        .filter(owner=user, status__in=[DevelopmentProposal.Status.DRAFT, DevelopmentProposal.Status.RETURNED])
        .select_related("account")
        .order_by("-status", "created_at", "id")
    )
    submitted_proposals = (
        DevelopmentProposal.objects.visible_to(user)
        .filter(status=DevelopmentProposal.Status.SUBMITTED)
        .exclude(owner=user)
    )
    if not user.is_director:  # the owner's manager (plans.permissions.can_approve)
        submitted_proposals = submitted_proposals.filter(owner__team__manager=user)
    proposals_to_approve = list(
        submitted_proposals.select_related("account", "owner").order_by("submitted_at", "id")[:100]
    )
    return MyWork(
        overdue,
        soon,
        actions,
        mine,
        to_approve,
        _team_overdue(user=user, today=today),
        visits,
        my_proposals,
        proposals_to_approve,
    )


def _team_overdue(*, user: User, today: date) -> list[RepOverdue]:
    """Per rep of the teams `user` leads (everyone for a director), overdue actions and
    contact-plan contacts; reps with nothing overdue are listed too (a manager sees them all)."""
    if user.role != User.Role.MANAGER and not user.is_director:
        return []
    reps = User.objects.filter(is_active=True).exclude(pk=user.pk).exclude(role=User.Role.INTEGRATION)
    reps = reps if user.is_director else reps.filter(team__manager=user)
    reps = list(reps.order_by("username"))
    ids = [rep.pk for rep in reps]
    actions: dict[int, int] = {}
    for owner_id in ActionItem.objects.filter(
        owner_id__in=ids, status__in=ActionItem.OPEN_STATUSES, ends_on__lt=today
    ).values_list("owner_id", flat=True):
        actions[owner_id] = actions.get(owner_id, 0) + 1
    contacts: dict[int, int] = {}
    entries = ContactPlanEntry.objects.filter(owner_id__in=ids, contact__is_active=True).values_list(
        "owner_id", "contact__last_contacted_on", "interval_days", "starts_on"
    )
    for owner_id, last, interval, starts in entries:
        due = next_contact_day(last_contact=last, interval_days=interval, starts_on=starts)
        if is_overdue(due=due, today=today):
            contacts[owner_id] = contacts.get(owner_id, 0) + 1
    team = [RepOverdue(rep, contacts.get(rep.pk, 0), actions.get(rep.pk, 0)) for rep in reps]
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


def allocation_people(*, user: User) -> QuerySet[User]:
    """The active people (no integration users) whose time `user` may see, by username."""
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
    people = allocation_people(user=user)
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
